"""The owner's report pages: sales, satisfaction, trust tiers and cash flow,
each with a period picker, charts drawn on the server, a table beside each
chart, and a CSV of the same figures. Figures come from ``reports.views``;
no SQL here.

A browser that follows a report's API link (``/v1/reports/cash-flow``) with no
API key is sent to its page, which asks to sign in: owners get a page, not JSON.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from servefirst.db.uow import UnitOfWork
from servefirst.earnings import service as earnings
from servefirst.earnings.period import Period
from servefirst.kit import i18n
from servefirst.kit.csv import write_csv
from servefirst.kit.errors import InvalidRequest, NotFound
from servefirst.merchants.service import get_merchant
from servefirst.reports.charts import SVG_POLICY, bars
from servefirst.reports.earnings_view import report_of
from servefirst.reports.sales import PRESET_DAYS, report_period
from servefirst.reports.views import REPORTS, ReportView
from servefirst.staff import service as staff
from servefirst.staff.period_form import iso_period, said_beside_period, typed_day
from servefirst.staff.rules import Access
from servefirst.staff.web import base_context, render, show

router = APIRouter(prefix="/staff", include_in_schema=False)

#: The API's reports and the pages that show them to a person.
PAGE_OF_API = {
    "/v1/reports/cash-flow": "/staff/reports/cash-flow",
    "/v1/reports/trust": "/staff/reports/trust",
    "/v1/reports/satisfaction": "/staff/reports/satisfaction",
    "/v1/reports/earnings": "/staff/reports/earnings",
    "/v1/reports/tax": "/staff/reports/tax",
}


class BrowsersToReportPages:
    """A browser asking for a report's JSON without a key (a followed link) gets
    the page. Plain ASGI: one dictionary look-up on the path for every other request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        page = PAGE_OF_API.get(scope.get("path", "")) if scope["type"] == "http" else None
        if page and scope["method"] == "GET":
            headers = {k.lower(): v for k, v in scope["headers"]}
            if b"authorization" not in headers and b"text/html" in headers.get(b"accept", b""):
                query = scope.get("query_string", b"").decode("latin-1")
                response = RedirectResponse(page + (f"?{query}" if query else ""), 303)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _view(uow: UnitOfWork, key: str, first: str, last: str) -> ReportView:
    build = REPORTS.get(key)
    if build is None:
        raise NotFound(i18n.gettext("There is no such report."))
    return build(uow, report_period(uow, *iso_period(first, last)))


def _preset_queries(uow: UnitOfWork) -> list[tuple[int, str]]:
    """The one-tap periods, each the last so many days through today."""
    today = report_period(uow).last
    return [
        (days, f"from={(today - timedelta(days=days - 1)).isoformat()}&to={today.isoformat()}")
        for days in PRESET_DAYS
    ]


@router.get("/reports")
def reports_home() -> Response:
    return RedirectResponse("/staff/reports/sales", status_code=303)


@router.get("/reports/earnings.csv")
def earnings_csv(request: Request) -> Response:
    """The API's earnings CSV (``get_earnings_csv``) for the page's period."""
    start = request.query_params.get("from", "")
    end = request.query_params.get("to", "")

    def build(uow: UnitOfWork, me: staff.SignedIn) -> Response:
        period = report_period(uow, *iso_period(start, end))
        rows = earnings.csv_rows(report_of(uow, period))
        name = earnings.csv_name(Period(period.start, period.end))
        return Response(
            write_csv(earnings.CSV_COLUMNS, rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return show(request, build, needs=Access.OWNER)


@router.get("/reports/{key}.csv")
def report_csv(request: Request, key: str, start: str = "", end: str = "") -> Response:
    start = request.query_params.get("from", start)
    end = request.query_params.get("to", end)

    def build(uow: UnitOfWork, me: staff.SignedIn) -> Response:
        view = _view(uow, key, start, end)
        rows: list[list[str]] = []
        for section in view.sections:
            # Each section's own column names first, as the page's table has
            # them: the file's one header row cannot name columns that change.
            rows.append([section.title, *section.header])
            rows += [[section.title, *cells] for cells in section.rows]
        width = max((len(r) for r in rows), default=1)
        header = [i18n.gettext("Section"), *[""] * (width - 1)]
        name = f"{key}-{view.period.first.isoformat()}-{view.period.last.isoformat()}.csv"
        return Response(
            write_csv(header, rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return show(request, build, needs=Access.OWNER)


@router.get("/reports/{key}/{section}.svg")
def report_chart(request: Request, key: str, section: str) -> Response:
    start = request.query_params.get("from", "")
    end = request.query_params.get("to", "")

    def build(uow: UnitOfWork, me: staff.SignedIn) -> Response:
        found = _view(uow, key, start, end).section(section)
        if found is None:
            raise NotFound(i18n.gettext("There is no such chart."))
        svg = bars(found.title, found.labels, found.series, horizontal=found.horizontal)
        return Response(
            svg,
            media_type="image/svg+xml",
            headers={"Content-Security-Policy": SVG_POLICY},
        )

    return show(request, build, needs=Access.OWNER)


@router.get("/reports/{key}")
def report_page(request: Request, key: str) -> Response:
    start = request.query_params.get("from", "")
    end = request.query_params.get("to", "")

    def build(uow: UnitOfWork, me: staff.SignedIn) -> Response:
        refusal: InvalidRequest | None = None
        try:
            view = _view(uow, key, start, end)
        except InvalidRequest as exc:
            # The period is given back as typed, the report drawn for the default.
            refusal, view = exc, _view(uow, key, "", "")
        query = f"from={view.period.first.isoformat()}&to={view.period.last.isoformat()}"
        context: dict[str, Any] = base_context(
            me,
            request,
            merchant_name=get_merchant(uow).name,
            view=view,
            reports=list(REPORTS),
            entries={
                "from": start or typed_day(view.period.first),
                "to": end or typed_day(view.period.last),
            },
            presets=_preset_queries(uow),
            query=query,
            **said_beside_period(refusal),
        )
        return render(request, "staff/report.html", context, refusal.status if refusal else 200)

    return show(request, build, needs=Access.OWNER)

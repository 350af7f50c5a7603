"""The owner's downloads for the accountant, among the console's reports: a
period picker and one link per file. The files are the API's (``endpoints``),
streamed the same way; a bad period is said on the page, in the reader's words.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from servefirst.api.context import runtime_of
from servefirst.db.uow import UnitOfWork
from servefirst.exports import service as exports
from servefirst.exports.endpoints import stream
from servefirst.exports.rules import period_of
from servefirst.exports.service import Format
from servefirst.kit import i18n
from servefirst.kit.errors import InvalidRequest, NotFound
from servefirst.kit.i18n import N_
from servefirst.merchants.service import get_merchant, merchant_zone
from servefirst.reports.views import REPORTS
from servefirst.staff import service as staff
from servefirst.staff.rules import Access
from servefirst.staff.web import base_context, render, show

router = APIRouter(prefix="/staff/reports/exports", include_in_schema=False)

#: Each file's address under the page, its format, and what the link says.
FILES: dict[str, tuple[Format, str]] = {
    "journal.csv": (Format.JOURNAL, N_("Journal (CSV, one row per leg)")),
    "journal.beancount": (Format.BEANCOUNT, N_("Journal for Beancount")),
    "quickbooks.csv": (Format.QUICKBOOKS, N_("QuickBooks Online journal entries")),
    "xero.csv": (Format.XERO, N_("Xero manual journals")),
    "xero-daily.csv": (Format.XERO_DAILY, N_("Xero manual journals, one a day")),
    "z-reports.csv": (Format.ZREPORTS, N_("Z reports of the closed days")),
}

#: A refused period in the reader's words, by the refusal's code.
SAID = {
    "period_invalid": N_("The first day comes after the last."),
    "date_invalid": N_("Write dates as YYYY-MM-DD."),
    "period_too_long": N_("One export covers at most a year: split the period."),
}


def _default_period(uow: UnitOfWork) -> tuple[str, str]:
    """From the first of this month to today, in the merchant's zone."""
    today = uow.clock.now().astimezone(merchant_zone(uow)).date()
    return today.replace(day=1).isoformat(), today.isoformat()


@router.get("")
def exports_page(request: Request) -> Response:
    start = request.query_params.get("from", "")
    end = request.query_params.get("to", "")

    def build(uow: UnitOfWork, me: staff.SignedIn) -> Response:
        first, last = _default_period(uow)
        first, last = start or first, end or last
        error: str | None = None
        try:
            period_of(first, last, merchant_zone(uow))
        except InvalidRequest as exc:
            error = i18n.gettext(SAID.get(exc.code, exc.message))
        context: dict[str, Any] = base_context(
            me,
            request,
            merchant_name=get_merchant(uow).name,
            reports=list(REPORTS),
            files=[(name, i18n.gettext(words)) for name, (_, words) in FILES.items()],
            entries={"from": first, "to": last},
            query=f"from={first}&to={last}",
            mapped=exports.get_account_mapping(uow).accounts,
            error=error,
        )
        return render(request, "staff/exports.html", context, 422 if error else 200)

    return show(request, build, needs=Access.OWNER)


@router.get("/{name}")
def export_file(request: Request, name: str) -> Response:
    start = request.query_params.get("from", "")
    end = request.query_params.get("to", "")

    def build(uow: UnitOfWork, me: staff.SignedIn) -> Response:
        chosen = FILES.get(name)
        if chosen is None:
            raise NotFound(i18n.gettext("There is no such report."))
        plan = exports.plan_export(uow, chosen[0].value, start, end)
        return stream(runtime_of(request), plan)

    return show(request, build, needs=Access.OWNER)

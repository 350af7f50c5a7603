"""The console's day close (managers): the count form, and the printable Z report.

``/staff/close-day`` shows what the drawer should hold so far and a field per
euro note and coin; sending it closes the day and opens its Z report
(``/staff/close-day/{date}``), laid out to print. A refusal (a negative count,
a day already closed; a day not begun or before the business began here,
said beside the day; an opening float that is no amount, beside it) or a
stale form gives the form back as it was typed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from servefirst.cashup import service as cashup
from servefirst.cashup.rules import EURO_DENOMINATIONS, is_note
from servefirst.db.uow import UnitOfWork
from servefirst.kit import i18n
from servefirst.kit.errors import InvalidRequest, NotFound, ServefirstError
from servefirst.kit.refusals import in_words
from servefirst.kit.typed import format_amount, parse_amount
from servefirst.kit.typed_days import read_day
from servefirst.merchants.service import get_merchant
from servefirst.staff import service as staff
from servefirst.staff.kept_forms import act_keeping
from servefirst.staff.rules import Access
from servefirst.staff.web import base_context, render, show

router = APIRouter(prefix="/staff", include_in_schema=False)


def _day(text: str) -> date | None:
    """The day typed as its reader writes it (05/12/2026 in Portuguese) or in ISO."""
    if not text.strip():
        return None
    return read_day(text, i18n.current_language(), param="date")


def _pieces(text: str, denomination: int) -> int:
    """A count typed in the form: blank is none; anything but a whole number is refused."""
    text = text.strip()
    if not text:
        return 0
    try:
        return int(text)
    except ValueError:
        raise InvalidRequest(
            i18n.gettext("Each count must be a whole number of pieces."),
            param=f"counted.{denomination}",
        ) from None


def _form_page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    entries: dict[str, str],
    *,
    refusal: ServefirstError | None = None,
    status: int = 200,
) -> Response:
    merchant = get_merchant(uow)
    today = cashup.merchant_today(uow)
    try:
        day = _day(entries.get("date", "")) or today
    except InvalidRequest:
        day = today
    so_far = cashup.day_so_far(uow, day)
    beside = refusal.param if isinstance(refusal, InvalidRequest) else None
    beside_date, beside_float = beside == "date", beside == "opening_float"
    # A refused count ("counted.2000": negative, words, too many) names its note
    # or coin: said beside that field, so the manager sees which count to fix.
    refused_count = (beside or "").partition("counted.")[2]
    beside_count = refused_count.isdigit()
    context = base_context(
        me,
        request,
        merchant_name=merchant.name,
        currency=merchant.currency,
        entries=entries,
        today=today,
        day=day,
        so_far=so_far,
        pieces=[(d, is_note(d)) for d in EURO_DENOMINATIONS],
        closes=cashup.recent_closes(uow),
        # A day that cannot be closed, or an opening float that is no amount, is
        # said beside its field; anything else (a day already closed, with its
        # Z report linked) at the top.
        date_refusal=in_words(refusal) if refusal and beside_date else None,
        float_refusal=in_words(refusal) if refusal and beside_float else None,
        refused_count=refused_count if beside_count else None,
        count_refusal=in_words(refusal) if refusal and beside_count else None,
        error=in_words(refusal)
        if refusal and not (beside_date or beside_float or beside_count)
        else None,
    )
    return render(request, "staff/close_day.html", context, status)


@router.get("/close-day")
def close_day_form(request: Request, date: str = "") -> Response:
    def build(uow: UnitOfWork, me: staff.SignedIn) -> Response:
        return _form_page(request, uow, me, {"date": date, "opening_float": ""})

    return show(request, build, needs=Access.MANAGER)


@router.post("/close-day")
async def close_day(request: Request) -> Response:
    form = await request.form()
    entries: dict[str, str] = {str(k): str(v) for k, v in form.items()}

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        merchant = get_merchant(uow)
        day = _day(entries.get("date", ""))
        opening = parse_amount(
            entries.get("opening_float"), merchant.currency, param="opening_float"
        )
        counted = {str(d): _pieces(entries.get(f"count_{d}", ""), d) for d in EURO_DENOMINATIONS}
        report = cashup.close_day(
            uow,
            closer=cashup.Closer(me.account.staff_id, me.account.name),
            opening_float=opening or 0,
            counted=counted,
            day=day,
            count_made=any(entries.get(f"count_{d}", "").strip() for d in EURO_DENOMINATIONS),
        )
        return f"/staff/close-day/{report.day.isoformat()}?done=closed"

    def again(uow: UnitOfWork, me: staff.SignedIn, refusal: ServefirstError) -> Response:
        return _form_page(request, uow, me, entries, refusal=refusal, status=refusal.status)

    return act_keeping(request, entries.get("csrf_token", ""), change, again, needs=Access.MANAGER)


@router.get("/close-day/{day}")
def z_report(request: Request, day: str) -> Response:
    # Typed as text: a day that is no date ("2026-13-01") is a page that
    # says so, never the framework's JSON.
    def build(uow: UnitOfWork, me: staff.SignedIn) -> Response:
        try:
            report = cashup.get_day_close(uow, date.fromisoformat(day))
        except ValueError:
            raise NotFound(f"{day[:20]} is not a day.", param="date") from None
        merchant = get_merchant(uow)
        context: dict[str, Any] = base_context(
            me,
            request,
            merchant_name=merchant.name,
            currency=merchant.currency,
            report=report,
            close=report.close,
            notice=i18n.gettext("Day closed.") if request.query_params.get("done") else None,
            format_amount=format_amount,
        )
        return render(request, "staff/z_report.html", context)

    return show(request, build, needs=Access.MANAGER)

"""The owner's downloads for the accountant, among the console's reports: a
period picker and one link per file. The files are the API's (``endpoints``),
streamed the same way; a bad period is said on the page, in the reader's words.
Below them, the accountant's own codes for servefirst's accounts and tax rates
(what ``POST /v1/merchant/account-mapping`` sets), so an owner sets them once
without the API.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from servefirst.api.context import runtime_of
from servefirst.db.uow import UnitOfWork
from servefirst.exports import service as exports
from servefirst.exports.endpoints import stream
from servefirst.exports.rules import MAX_CODE_LENGTH, period_of
from servefirst.exports.service import Format
from servefirst.kit import i18n
from servefirst.kit.errors import InvalidRequest, NotFound, ServefirstError
from servefirst.kit.i18n import N_
from servefirst.kit.refusals import in_words
from servefirst.ledger.rules import Account
from servefirst.merchants.service import get_merchant, merchant_zone
from servefirst.reports.views import REPORTS
from servefirst.staff import service as staff
from servefirst.staff.kept_forms import act_keeping
from servefirst.staff.period_form import iso_period, said_beside_period, typed_day
from servefirst.staff.rules import Access
from servefirst.staff.web import base_context, render, show
from servefirst.taxes import service as taxes

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
    "date_invalid": N_("Choose days from 1970 to 2999."),
    "period_too_long": N_("One export covers at most a year: split the period."),
}


def _default_period(uow: UnitOfWork) -> tuple[str, str]:
    """From the first of this month to today, in the merchant's zone."""
    today = uow.clock.now().astimezone(merchant_zone(uow)).date()
    return today.replace(day=1).isoformat(), today.isoformat()


#: Each servefirst account in the owner's words, in the order the form lists them.
ACCOUNT_WORDS: dict[Account, str] = {
    Account.CASH: N_("Cash"),
    Account.CARD_CLEARING: N_("Card payments on their way to the bank"),
    Account.CARD_TERMINAL: N_("Card payments on the shop's own terminal"),
    Account.RECEIVABLES: N_("Owed by customers"),
    Account.REVENUE: N_("Sales"),
    Account.SATISFACTION_ADJUSTMENTS: N_("Satisfaction discounts"),
    Account.LOYALTY_REWARDS: N_("Loyalty rewards"),
    Account.REFUNDS: N_("Money given back"),
    Account.DISPUTES_LOST: N_("Card disputes lost"),
    Account.TIPS_PAYABLE: N_("Tips owed to staff"),
    Account.TAX_PAYABLE: N_("Tax owed"),
    Account.DEPOSITS_HELD: N_("Deposits held"),
    Account.NO_SHOW_FEES: N_("No-show fees"),
    Account.WRITE_OFFS: N_("Written off"),
    Account.CASH_OVER_SHORT: N_("Cash over or short"),
}
NO_TAX = "none"


def _page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    *,
    start: str = "",
    end: str = "",
    typed: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    first, last = _default_period(uow)
    refusal: InvalidRequest | None = None
    try:
        typed_first, typed_last = iso_period(start, end)
        period_of(typed_first or first, typed_last or last, merchant_zone(uow))
        first, last = typed_first or first, typed_last or last
    except InvalidRequest as exc:
        refusal, status = exc, 422
    said = said_beside_period(refusal)
    if refusal is not None and refusal.code in SAID and "words" not in refusal.figures:
        # The export rules' own refusals (the API's English) in the reader's words.
        words = i18n.gettext(SAID[refusal.code])
        said = {key: words if value else None for key, value in said.items()}
    mapping = exports.get_account_mapping(uow)
    kept = {f"account.{k}": v for k, v in mapping.accounts.items()}
    kept |= {f"rate.{k}": v for k, v in mapping.tax_rates.items()}
    rates = [(NO_TAX, i18n.gettext("No tax"))] + [
        (rate.rate_id, rate.name) for rate in taxes.list_rates(uow)
    ]
    context: dict[str, Any] = base_context(
        me,
        request,
        merchant_name=get_merchant(uow).name,
        reports=list(REPORTS),
        files=[(name, i18n.gettext(words)) for name, (_, words) in FILES.items()],
        entries={
            "from": start or typed_day(date.fromisoformat(first)),
            "to": end or typed_day(date.fromisoformat(last)),
        },
        query=f"from={first}&to={last}",
        mapped=mapping.accounts,
        accounts=[(a.value, i18n.gettext(words)) for a, words in ACCOUNT_WORDS.items()],
        rates=rates,
        codes=typed if typed is not None else kept,
        notice=i18n.gettext("Your accountant's codes are saved.")
        if request.query_params.get("done") == "codes"
        else None,
        **(said if error is None else {**said, "error": error}),
    )
    return render(request, "staff/exports.html", context, status)


@router.get("")
def exports_page(request: Request) -> Response:
    start = request.query_params.get("from", "")
    end = request.query_params.get("to", "")

    def build(uow: UnitOfWork, me: staff.SignedIn) -> Response:
        return _page(request, uow, me, start=start, end=end)

    return show(request, build, needs=Access.OWNER)


@router.post("/codes")
async def save_codes(request: Request) -> Response:
    """Replace the mapping with what the form says; an empty field keeps
    servefirst's own code for that account or rate."""
    form = await request.form()
    typed = {str(k): str(v).strip() for k, v in form.items() if str(k) != "csrf_token"}

    def given(prefix: str) -> dict[str, object]:
        return {k[len(prefix) :]: v for k, v in typed.items() if k.startswith(prefix) and v}

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        exports.set_account_mapping(uow, given("account."), given("rate."))
        return "/staff/reports/exports?done=codes#codes"

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        said = in_words(exc)
        if exc.code == "account_code_invalid":
            said = i18n.gettext(
                "A code is at most %(n)s letters, digits or signs, without line breaks."
            ) % {"n": MAX_CODE_LENGTH}
        return _page(request, uow, me, typed=typed, error=said, status=exc.status)

    csrf = str(form.get("csrf_token", ""))
    return act_keeping(request, csrf, change, on_error, needs=Access.OWNER)


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

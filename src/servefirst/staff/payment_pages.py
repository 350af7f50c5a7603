"""The console's payment at the counter: cash handed over, a reward taken off
the bill. Each answers on the tab's page (``tab_pages``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import Conflict
from servefirst.kit.typed import parse_amount_or_zero
from servefirst.payments import service as payments
from servefirst.payments.service import Method, pay_tab, payments_of
from servefirst.staff import service as staff
from servefirst.staff.rules import changed_since_shown
from servefirst.staff.tab_pages import tab_action
from servefirst.tabs import service as tabs

router = APIRouter(prefix="/staff", include_in_schema=False)

FormText = Annotated[str, Form()]


@router.post("/tabs/{tab_id}/cash")
def record_cash(
    request: Request,
    tab_id: str,
    amount: FormText = "",
    tip: FormText = "",
    payments_seen: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    """Cash handed over at the counter: the amount towards the bill, plus any tip."""

    def do(uow: UnitOfWork, me: staff.SignedIn) -> None:
        _same_payments_as_seen(uow, tab_id, payments_seen)
        currency = tabs.get_tab(uow, tab_id).currency
        pay_tab(
            uow,
            tab_id,
            method=Method.CASH.value,
            amount=parse_amount_or_zero(amount, currency),
            tip=parse_amount_or_zero(tip, currency, param="tip"),
        )

    kept = {"form": "cash", "amount": amount, "tip": tip}
    return tab_action(request, tab_id, csrf_token, do, "paid", kept=kept)


def _same_payments_as_seen(uow: UnitOfWork, tab_id: str, seen: str) -> None:
    """The form says how many payments the tab had when the page was shown:
    one recorded since (the form sent twice, or sent again after the back
    button) records no cash the till never got. The page comes back with the
    payments and what is still due, the entries kept, to send once more if
    this cash is really meant."""
    if changed_since_shown(seen, len(payments_of(uow, tab_id))):
        raise Conflict(
            "A payment was recorded on this tab since the page was shown, so this cash was "
            "not recorded. Check the payments and what is still due below; send the form "
            "again if this cash is meant too.",
            code="paid_since",
        )


@router.post("/tabs/{tab_id}/rewards/{reward_id}")
def apply_reward(
    request: Request, tab_id: str, reward_id: str, csrf_token: FormText = ""
) -> Response:
    """The customer's reward taken off the bill at the counter, before they pay."""
    return tab_action(
        request,
        tab_id,
        csrf_token,
        lambda uow, me: payments.apply_reward(uow, tab_id, reward_id),
        "reward",
    )

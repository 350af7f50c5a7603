"""The console's payment at the counter: cash handed over, a reward taken off
the bill. Each answers on the tab's page (``tab_pages``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.db.uow import UnitOfWork
from servefirst.kit.typed import parse_amount_or_zero
from servefirst.payments import service as payments
from servefirst.payments.service import Method, pay_tab
from servefirst.staff import service as staff
from servefirst.staff.rules import count_seen
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
        currency = tabs.get_tab(uow, tab_id).currency
        pay_tab(
            uow,
            tab_id,
            method=Method.CASH.value,
            amount=parse_amount_or_zero(amount, currency),
            tip=parse_amount_or_zero(tip, currency, param="tip"),
            # How many payments the page showed: one recorded since (the form
            # sent twice, or again after the back button) is refused with
            # 409 paid_since, and the page comes back with the payments and
            # what is still due, the entries kept, to send once more if this
            # cash is really meant.
            payments_seen=count_seen(payments_seen),
        )

    kept = {"form": "cash", "amount": amount, "tip": tip}
    return tab_action(request, tab_id, csrf_token, do, "paid", kept=kept, beside=("amount", "tip"))


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

"""The console's corrections on a tab: void a wrong line, refund a payment.

Both move money already counted, so both are a manager's (``Access.MANAGER``;
staff get the 403 page). A refused form comes back with its entries kept and
the refusal in words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import ServefirstError
from servefirst.kit.typed import parse_amount
from servefirst.payments.dispute_rules import PAYMENT_DISPUTED
from servefirst.payments.refund_rules import RefundStatus
from servefirst.payments.refunds import refund_in_phases
from servefirst.staff import service as staff
from servefirst.staff.rules import Access, count_seen
from servefirst.staff.tab_pages import tab_page_refusing
from servefirst.staff.web import act
from servefirst.tabs import service as tabs
from servefirst.tabs.voiding import void_line

router = APIRouter(prefix="/staff", include_in_schema=False)

FormText = Annotated[str, Form()]


def _correction(
    request: Request,
    tab_id: str,
    csrf_token: str,
    do: Callable[[UnitOfWork], str],
    kept: dict[str, str],
    in_place: frozenset[str] = frozenset(),
) -> Response:
    """``do`` makes the change and names what the page announces after it."""

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        done = do(uow)
        return f"/staff/tabs/{tab_id}?done={done}"

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        # A field's refusal is said beside it, and one ``in_place`` where the form was
        # (it is no longer offered); the rest (a paid tab, a stale form), above the page.
        beside = (exc.param is not None and exc.param in kept) or exc.code in in_place
        return tab_page_refusing(request, uow, me, tab_id, exc, kept, beside=beside)

    return act(request, csrf_token, change, on_error, needs=Access.MANAGER)


@router.post("/tabs/{tab_id}/lines/{line_no}/void")
def void_tab_line(
    request: Request,
    tab_id: str,
    line_no: int,
    reason: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    def do(uow: UnitOfWork) -> str:
        void_line(uow, tab_id, line_no, reason=reason)
        return "line_voided"

    kept = {"form": f"void-{line_no}", "reason": reason}
    return _correction(request, tab_id, csrf_token, do, kept)


@router.post("/tabs/{tab_id}/payments/{payment_id}/refund")
def refund_payment(
    request: Request,
    tab_id: str,
    payment_id: str,
    amount: FormText = "",
    tip: FormText = "",
    reason: FormText = "",
    refunds_seen: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    """Blank amount and tip: all that is left of both; one blank: none of it."""

    def do(uow: UnitOfWork) -> str:
        currency = tabs.get_tab(uow, tab_id).currency
        bill_part = parse_amount(amount, currency, param="amount")
        tip_part = parse_amount(tip, currency, param="tip")
        refund = refund_in_phases(
            uow,
            payment_id,
            amount=bill_part,
            tip=tip_part,
            reason=reason,
            # How many refunds the page showed: one made since (the form sent
            # twice, or again after the back button) is refused with 409
            # refunded_since, the page showing what was given back.
            refunds_seen=count_seen(refunds_seen),
        )
        # The processor not answering yet is no failure: say so, lest it is refunded twice.
        return "refund_pending" if refund.status == RefundStatus.PENDING.value else "refunded"

    kept = {"form": f"refund-{payment_id}", "amount": amount, "tip": tip, "reason": reason}
    # A payment the bank disputes is offered no refund form: why is said in its place.
    return _correction(request, tab_id, csrf_token, do, kept, frozenset({PAYMENT_DISPUTED}))

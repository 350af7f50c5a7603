"""Refunds of payments and voided tab lines: the corrections of money taken
or charged by mistake. Both are the owner's (an API key acts as the owner; in
the console a manager's)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from servefirst.api.context import MerchantUoW, PublicURL, processor_key, run_sync
from servefirst.api.phased import Kept, once_per_key
from servefirst.api.routing import ServefirstRoute, answer_last
from servefirst.bookings.awaited import tab_awaits_processor
from servefirst.bookings.deposit_refunds import refunds_off_the_loop
from servefirst.payments import refunds
from servefirst.payments.refund_models import Refund
from servefirst.payments.refund_rules import RefundStatus
from servefirst.payments.refund_schemas import RefundIn, RefundList, RefundOut, VoidLineIn
from servefirst.tabs import service as tabs
from servefirst.tabs.endpoints import present
from servefirst.tabs.schemas import TabOut
from servefirst.tabs.voiding import begin_void_line

router = APIRouter(route_class=ServefirstRoute)

_REFUSALS: dict[int | str, dict[str, Any]] = {
    402: {"description": "refund_failed: the processor refused (the refund is kept, failed)"},
    404: {"description": "No such payment"},
    409: {
        "description": "nothing_to_refund, payment_not_refundable; payment_disputed: the"
        " customer's bank disputes the payment (dispute open, or lost: the bank gave it back"
        " already), nothing kept, until the dispute is marked won; gateway_unavailable: taken"
        " with Stripe, whose keys the merchant no longer has set (nothing kept)"
    },
    422: {"description": "amount_exceeds_refundable: more than is left of that part"},
}


@router.post(
    "/v1/payments/{payment_id}/refunds",
    status_code=201,
    response_model=RefundOut,
    summary="Give back all or part of a payment (bill part and tip apart)",
    tags=["payments"],
    responses=_REFUSALS,
)
async def refund_payment(
    payment_id: str, body: RefundIn, uow: MerchantUoW, request: Request
) -> RefundOut:
    key = processor_key(request, payment_id)
    refund_id = refunds.refund_id_for(key) if key else None

    def begin() -> tuple[Refund, bool]:
        tried_before = refunds.begun_before(uow, refund_id)
        begun = refunds.begin_refund(
            uow,
            payment_id,
            amount=body.amount,
            tip=body.tip,
            reason=body.reason,
            refund_id=refund_id,
        )
        return begun, tried_before

    refund, tried_before = await run_sync(request, begin)
    if refund.status == RefundStatus.PENDING.value:
        charge, currency = await run_sync(request, refunds.charge_of, uow, refund)
        # Phase (1) committed: from here the refund exists, whatever happens next.
        await run_sync(request, uow.commit)
        # Phase (2): the processor, in a worker thread (never on the event
        # loop) and outside any transaction. A try before this one under the
        # same key may have got the refund made: looked for first, as recovery does.
        result = await run_in_threadpool(
            refunds.ask_processor,
            uow.gateways,
            refund,
            charge,
            currency,
            asked_before=tried_before,
        )
        refund = await run_sync(request, refunds.finish_refund, uow, refund.refund_id, result)
    if refund.status == RefundStatus.FAILED.value:
        await run_sync(request, uow.commit)  # the failure is kept, and answered
        raise refunds.refused(refund)
    return RefundOut.build(refund)


@router.get(
    "/v1/payments/{payment_id}/refunds",
    response_model=RefundList,
    summary="The refunds of a payment, oldest first",
    tags=["payments"],
)
def list_refunds(payment_id: str, uow: MerchantUoW) -> RefundList:
    return RefundList(data=[RefundOut.build(r) for r in refunds.refunds_of(uow, payment_id)])


@router.post(
    "/v1/tabs/{tab_id}/lines/{line_no}/void",
    response_model=TabOut,
    summary="Take a wrong line off an unpaid tab (the line stays, voided, with the reason)",
    description="What is still due, with a booking deposit applied to the bill, must cover"
    " the line. The deposit comes down with the bill: the part the bill no longer needs is"
    " refunded to the card it was taken on (the booking's `deposit.refund` grows by it)."
    " A paid tab the deposit paid alone (no payment of its own) is voided the same way"
    " and stays paid; a paid tab a payment paid asks for the refund first.",
    tags=["tabs"],
    responses={
        409: {
            "description": "refund_first: what is due no longer covers the line;"
            " payment_disputed: nor can a refund make room, the tab's payment being disputed"
            " with the customer's bank (open or lost)"
        }
    },
)
async def void_line(
    tab_id: str, line_no: int, body: VoidLineIn, uow: MerchantUoW, base: PublicURL, request: Request
) -> Response:
    refunded: list[str] = []

    def begin() -> bool:
        voided = begin_void_line(uow, tab_id, line_no, reason=body.reason)
        refunded.extend(filter(None, [voided.deposit_refund_of]))
        return bool(refunded)  # a share of the deposit goes back to the card

    async def then() -> None:
        for booking_id in refunded:
            # The void is committed first; the processor is asked off the loop.
            await refunds_off_the_loop(request, uow, booking_id)

    kept = Kept("voided this line", "tab_id", tab_id, lambda: tab_awaits_processor(uow, tab_id))
    await once_per_key(request, uow, kept, begin, then)
    return await answer_last(request, lambda: present(uow, tabs.tab_in_hand(uow, tab_id), base))

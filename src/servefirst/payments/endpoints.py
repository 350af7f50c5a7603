"""The payment routes. The two that pay are ``async``: a card payment's
processor is called between its database phases in a worker thread, so
neither the event loop (on SQLite, every request's) nor a transaction waits
on it (``payments.phases``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from servefirst.api.context import (
    MerchantUoW,
    PublicURL,
    TabUoW,
    processor_key,
    runs_inline,
)
from servefirst.api.routing import ServefirstRoute, answer_last
from servefirst.db.uow import UnitOfWork
from servefirst.payments import phases
from servefirst.payments import service as payments
from servefirst.payments.models import Payment
from servefirst.payments.phases import CardAttempt
from servefirst.payments.schemas import PaymentIn, PaymentList, PaymentOut, PublicPaymentIn
from servefirst.tabs import service as tabs
from servefirst.tabs.endpoints import present

router = APIRouter(tags=["payments"], route_class=ServefirstRoute)

_DECLINES: dict[int | str, dict[str, Any]] = {
    402: {
        "description": "card_declined, insufficient_funds or incorrect_number (the failed"
        " attempt is kept and listed with ?status=all); the same Idempotency-Key and body"
        " replay the decline. An attempt a crash left that `payments recover` found never"
        " charged (failed, not_charged) is no answer: the same key and body pay anew."
    },
    409: {
        "description": "payment_in_progress: another payment on the tab waits for the"
        " processor; hold_missing: card_hold on a tab without an active hold"
    },
    502: {"description": "processor_unavailable: the card processor could not be reached"},
}


async def _pay(
    request: Request, uow: UnitOfWork, begin: Callable[[], Payment | CardAttempt], base: str
) -> Response:
    """Phase 1 (the whole payment, unless a card is charged), the processor
    off the loop, phase 3, and the answer; the request's commit
    (``conclude``) ends phase 3.

    Where the database work runs on the loop (SQLite), only the processor
    call goes to a worker thread. Elsewhere the three phases, the answer and
    the commit run in one worker thread, one after the other, instead of a
    thread hop each."""
    if not runs_inline(request):
        return await answer_last(
            request, lambda: _answer(uow, _take_in_turn(uow, begin), base), status=201
        )
    step = begin()
    if not isinstance(step, Payment):
        outcome = await run_in_threadpool(phases.call_processor, uow.gateways, step)
        step = phases.finish(uow, step, outcome)
    payment = step
    return await answer_last(request, lambda: _answer(uow, payment, base), status=201)


def _take_in_turn(uow: UnitOfWork, begin: Callable[[], Payment | CardAttempt]) -> Payment:
    step = begin()
    if isinstance(step, Payment):
        return step
    return phases.finish(uow, step, phases.call_processor(uow.gateways, step))


@router.post(
    "/v1/tabs/{tab_id}/payments",
    status_code=201,
    response_model=PaymentOut,
    summary="Record cash (or a terminal payment), or charge a card",
    responses=_DECLINES,
)
async def pay_tab(
    tab_id: str, body: PaymentIn, uow: MerchantUoW, base: PublicURL, request: Request
) -> Response:
    def begin() -> Payment | CardAttempt:
        return payments.begin_payment(
            uow,
            tab_id,
            method=body.method,
            amount=body.amount,
            tip=body.tip,
            card=body.card,
            payment_method=body.payment_method,
            processor_key=processor_key(request, tab_id),
            reward_id=body.reward_id,
        )

    return await _pay(request, uow, begin, base)


def _answer(uow: UnitOfWork, payment: Payment, base: str) -> PaymentOut:
    return PaymentOut.build(payment, present(uow, tabs.tab_in_hand(uow, payment.tab_id), base))


@router.get(
    "/v1/tabs/{tab_id}/payments", response_model=PaymentList, summary="The payments on a tab"
)
def list_payments(
    tab_id: str,
    uow: MerchantUoW,
    base: PublicURL,
    status: Annotated[
        Literal["succeeded", "all"],
        Query(description="succeeded: the payments that count; all: every attempt."),
    ] = "succeeded",
) -> PaymentList:
    tab = present(uow, tabs.get_tab(uow, tab_id), base)
    listed = payments.payments_of(uow, tab_id, status)
    return PaymentList(data=[PaymentOut.build(p, tab) for p in listed])


@router.post(
    "/v1/public/tabs/{token}/pay",
    status_code=201,
    response_model=PaymentOut,
    summary="The customer pays what is due with a card (and tips)",
    tags=["customer"],
    responses=_DECLINES,
)
async def pay_public_tab(
    token: str, body: PublicPaymentIn, uow: TabUoW, base: PublicURL, request: Request
) -> Response:
    key = processor_key(request, token)

    def begin() -> Payment | CardAttempt:
        return payments.begin_payment_by_token(
            uow,
            token,
            card=body.card,
            payment_method=body.payment_method,
            tip=body.tip,
            processor_key=key,
            reward_id=body.reward_id,
        )

    return await _pay(request, uow, begin, base)

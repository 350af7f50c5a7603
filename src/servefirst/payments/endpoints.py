from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from servefirst.api.context import MerchantUoW, PublicURL, TabUoW, processor_key
from servefirst.api.routing import ServefirstRoute
from servefirst.payments import service as payments
from servefirst.payments.schemas import PaymentIn, PaymentList, PaymentOut, PublicPaymentIn
from servefirst.tabs import service as tabs
from servefirst.tabs.endpoints import present

router = APIRouter(tags=["payments"], route_class=ServefirstRoute)

_DECLINES: dict[int | str, dict[str, Any]] = {
    402: {"description": "card_declined, insufficient_funds or incorrect_number"},
    502: {"description": "processor_unavailable: the card processor could not be reached"},
    409: {"description": "hold_missing: card_hold on a tab without an active hold"},
}


@router.post(
    "/v1/tabs/{tab_id}/payments",
    status_code=201,
    response_model=PaymentOut,
    summary="Record cash (or a terminal payment), or charge a card",
    responses=_DECLINES,
)
def pay_tab(
    tab_id: str, body: PaymentIn, uow: MerchantUoW, base: PublicURL, request: Request
) -> PaymentOut:
    payment = payments.pay_tab(
        uow,
        tab_id,
        method=body.method,
        amount=body.amount,
        tip=body.tip,
        card=body.card,
        payment_method=body.payment_method,
        processor_key=processor_key(request, tab_id),
    )
    return PaymentOut.build(payment, present(uow, tabs.tab_in_hand(uow, tab_id), base))


@router.get(
    "/v1/tabs/{tab_id}/payments", response_model=PaymentList, summary="The payments on a tab"
)
def list_payments(tab_id: str, uow: MerchantUoW, base: PublicURL) -> PaymentList:
    tab = present(uow, tabs.get_tab(uow, tab_id), base)
    return PaymentList(data=[PaymentOut.build(p, tab) for p in payments.payments_of(uow, tab_id)])


@router.post(
    "/v1/public/tabs/{token}/pay",
    status_code=201,
    response_model=PaymentOut,
    summary="The customer pays what is due with a card (and tips)",
    tags=["customer"],
    responses=_DECLINES,
)
def pay_public_tab(
    token: str, body: PublicPaymentIn, uow: TabUoW, base: PublicURL, request: Request
) -> PaymentOut:
    key = processor_key(request, token)
    payment = payments.pay_by_token(
        uow,
        token,
        card=body.card,
        payment_method=body.payment_method,
        tip=body.tip,
        processor_key=key,
    )
    return PaymentOut.build(payment, present(uow, tabs.tab_in_hand(uow, payment.tab_id), base))

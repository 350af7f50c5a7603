"""The merchant's card processor (``/v1/merchant/gateway``), Stripe's events
(``/v1/webhooks/stripe/{merchant_id}``) and the disputes they bring."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Request
from pydantic import ConfigDict, Field

from servefirst.api.context import MerchantUoW, ProcessorUoW
from servefirst.api.fields import Body, Out
from servefirst.api.routing import ServefirstRoute
from servefirst.db.uow import UnitOfWork
from servefirst.payments import accounts, disputes, processor_events
from servefirst.payments.gateway_rules import MAX_KEY_LENGTH
from servefirst.payments.models import Dispute, GatewayAccount

router = APIRouter(tags=["payments"], route_class=ServefirstRoute)


class GatewayIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "gateway": "stripe",
                    "secret_key": "sk_live_...",
                    "publishable_key": "pk_live_...",
                    "webhook_secret": "whsec_...",
                }
            ]
        }
    )

    gateway: Literal["sandbox", "stripe"]
    secret_key: str | None = Field(
        default=None,
        max_length=MAX_KEY_LENGTH,
        description="Stripe's secret (or restricted) key; kept sealed, never returned.",
    )
    publishable_key: str | None = Field(default=None, max_length=MAX_KEY_LENGTH)
    webhook_secret: str | None = Field(
        default=None,
        max_length=MAX_KEY_LENGTH,
        description="The signing secret of the webhook endpoint "
        "set up in Stripe for /v1/webhooks/stripe/{merchant_id}; sealed, never returned.",
    )


class GatewayOut(Out):
    object: Literal["gateway"] = "gateway"
    gateway: Literal["sandbox", "stripe"]
    publishable_key: str | None
    configured: bool = Field(description="true: the gateway can take payments.")

    @classmethod
    def build(cls, account: GatewayAccount | None) -> GatewayOut:
        if account is None or account.gateway == accounts.SANDBOX:
            return cls(gateway="sandbox", publishable_key=None, configured=True)
        return cls(
            gateway="stripe",
            publishable_key=account.publishable_key,
            configured=bool(account.secret_key_sealed and account.webhook_secret_sealed),
        )


@router.get(
    "/v1/merchant/gateway",
    response_model=GatewayOut,
    operation_id="get_gateway",
    summary="The merchant's card processor (secrets are never returned)",
)
def get_gateway(uow: MerchantUoW) -> GatewayOut:
    return GatewayOut.build(accounts.account_of(uow))


@router.post(
    "/v1/merchant/gateway",
    response_model=GatewayOut,
    operation_id="set_gateway",
    summary="Choose the card processor: the sandbox, or Stripe with the merchant's keys",
    responses={
        409: {
            "description": "gateway_in_use: Stripe still holds money servefirst waits on (an"
            " unanswered payment or refund, a booking's card hold); nothing changed"
        },
        500: {"description": "secret_key_missing: the server has no SERVEFIRST_SECRET_KEY"},
    },
)
def set_gateway(body: GatewayIn, uow: MerchantUoW) -> GatewayOut:
    account = accounts.choose_gateway(
        uow,
        gateway=body.gateway,
        secret_key=body.secret_key,
        publishable_key=body.publishable_key,
        webhook_secret=body.webhook_secret,
    )
    return GatewayOut.build(account)


class EventReceived(Out):
    id: str
    object: Literal["processor_event"] = "processor_event"
    outcome: Literal["handled", "seen", "ignored"] = Field(
        description="seen: delivered before and handled then; ignored: a type servefirst "
        "does not use."
    )


async def raw_body(request: Request) -> bytes:
    """The payload exactly as sent: the signature is over these bytes."""
    return await request.body()


@router.post(
    "/v1/webhooks/stripe/{merchant_id}",
    response_model=EventReceived,
    operation_id="receive_stripe_event",
    summary="Stripe's events for a merchant, verified by their signature",
    tags=["webhooks"],
    responses={400: {"description": "signature_invalid: nothing was changed"}},
)
def receive_stripe_event(
    merchant_id: str,
    uow: ProcessorUoW,
    payload: Annotated[bytes, Depends(raw_body)],
    stripe_signature: Annotated[str | None, Header()] = None,
) -> EventReceived:
    event_id, outcome = processor_events.receive(uow, payload, stripe_signature)
    return EventReceived(id=event_id, outcome=outcome)  # type: ignore[arg-type]


class DisputeOut(Out):
    id: str
    object: Literal["dispute"] = "dispute"
    payment_id: str | None
    tab_id: str | None
    booking_id: str | None = Field(
        default=None,
        description="A dispute of a booking's own charge (no payment of a tab): its deposit,"
        " or a no-show, late-cancellation or late-move fee taken from its card hold or"
        " charged on the card on file (booking_charge says which). Lost, it is booked out of"
        " card_clearing into disputes_lost: a fee, or a deposit kept as one, as revenue the"
        " bank took back; a deposit applied to a tab as that tab's bill (tab_id names it). A"
        " deposit still held for its booking, or refunded, is not booked: marking it lost"
        " answers 409 dispute_of_deposit, saying which.",
    )
    booking_charge: Literal["deposit", "fee"] | None = Field(
        default=None,
        description="With booking_id: what the disputed charge took, the booking's deposit"
        " or a fee charged on its card; null for a dispute of a tab's payment.",
    )
    amount: int
    currency: str
    reason: str
    status: Literal["open", "lost", "won", "closed"] = Field(
        description="open: the bank is deciding; lost: the bank gave the money back to the"
        " customer; won: the merchant keeps it (given back to the books if it was lost"
        " before: won_back_at); closed: Stripe closed it without a loss (an inquiry closed,"
        " the charge refunded first, a dispute prevented). Won or closed, the payment can"
        " be refunded again."
    )
    created_at: datetime
    lost_at: datetime | None = Field(
        description="When it became lost: marked by the owner, or closed lost by Stripe."
    )
    marked_lost_at: datetime | None = Field(
        default=None,
        description="When the owner marked it lost, which alone counts it against the"
        " customer's trust; null while only Stripe closed it lost.",
    )
    bill_lost: int = Field(
        description="Lost: what the bank took of the payment's bill part, booked to"
        " disputes_lost (what refunds left of it at most)."
    )
    tip_lost: int = Field(description="Lost: what the bank took of the payment's tip.")
    fee_lost: int = Field(
        default=0,
        description="Of bill_lost, for a booking's deposit applied to its tab: what a late move"
        " had kept of it as a fee (not the tab's bill).",
    )
    deposit_returned: int = Field(
        default=0,
        description="Lost, of a booking's deposit whose refund the processor refused: what the"
        " bank gave the customer of it, out of deposits_held (no revenue lost).",
    )
    entry_id: str | None = Field(description="The journal entry that booked the loss, if any.")
    won_back_at: datetime | None = Field(
        default=None,
        description="When Stripe closed it won after it had been lost: the money came back.",
    )
    won_back_entry_id: str | None = Field(
        default=None,
        description="The journal entry that booked the loss back (entry_id's legs, sides"
        " swapped); bill_lost and tip_lost stay as what it gave back.",
    )

    @classmethod
    def build(cls, d: Dispute, of_booking: disputes.DisputedDeposit | None = None) -> DisputeOut:
        return cls(
            id=d.dispute_id,
            payment_id=d.payment_id,
            tab_id=d.tab_id,
            booking_id=d.booking_id,
            booking_charge=of_booking.charge if of_booking else None,  # type: ignore[arg-type]
            amount=d.amount,
            currency=d.currency,
            reason=d.reason,
            status=d.status,  # type: ignore[arg-type]
            created_at=d.created_at,
            lost_at=d.lost_at,
            marked_lost_at=d.marked_lost_at,
            bill_lost=d.bill_lost,
            tip_lost=d.tip_lost,
            fee_lost=d.fee_lost,
            deposit_returned=d.deposit_returned,
            entry_id=d.entry_id,
            won_back_at=d.won_back_at,
            won_back_entry_id=d.won_back_entry_id,
        )


class DisputeList(Out):
    object: Literal["list"] = "list"
    data: list[DisputeOut]


@router.get(
    "/v1/disputes",
    response_model=DisputeList,
    operation_id="list_disputes",
    summary="Card disputes the processor told of, newest first",
)
def list_disputes(uow: MerchantUoW) -> DisputeList:
    listed = disputes.disputes(uow)
    of_bookings = disputes.deposits_disputed(uow, listed)
    return DisputeList(data=[DisputeOut.build(d, of_bookings.get(d.dispute_id)) for d in listed])


def _shown(uow: UnitOfWork, d: Dispute) -> DisputeOut:
    return DisputeOut.build(d, disputes.deposits_disputed(uow, [d]).get(d.dispute_id))


@router.post(
    "/v1/disputes/{dispute_id}/lost",
    response_model=DisputeOut,
    operation_id="mark_dispute_lost",
    summary="The merchant lost the dispute: book it, count it in trust, take back its loyalty",
    description="The money the bank took back leaves `card_clearing` in one journal entry"
    " (the bill's part to `disputes_lost`, the tip's off `tips_payable`, never more than"
    " refunds left of the payment), unless Stripe's `charge.dispute.closed` (status `lost`)"
    " booked it already: Stripe's verdict books the loss but does not count it against the"
    " customer; this mark does, once. Marking it lost again changes nothing. A dispute of a"
    " booking's fee, or of its deposit kept as a fee, is booked to `disputes_lost` (never"
    " more than was kept); of a deposit applied to a tab, as that tab's bill. A deposit"
    " still held for its booking or refunded is refused (409 `dispute_of_deposit`).",
    responses={
        404: {"description": "dispute_not_found"},
        409: {
            "description": "dispute_closed: already marked won or closed; dispute_of_deposit: the"
            " dispute is of a booking's deposit still held for the booking (it still expects"
            " it) or refunded (the money already went back): nothing is booked"
        },
    },
)
def mark_dispute_lost(dispute_id: str, uow: MerchantUoW) -> DisputeOut:
    return _shown(uow, disputes.mark_lost(uow, dispute_id))


@router.post(
    "/v1/disputes/{dispute_id}/won",
    response_model=DisputeOut,
    operation_id="mark_dispute_won",
    summary="The merchant won the dispute: the payment can be refunded again",
    description="Nothing is counted against the customer. While a dispute is open or lost its"
    " payment cannot be refunded (409 `payment_disputed`); won, it can, up to what is left."
    " Marking it won again changes nothing; a lost dispute is not marked won, nor a won one"
    " lost (409 `dispute_closed`).",
    responses={
        404: {"description": "dispute_not_found"},
        409: {"description": "dispute_closed: already marked lost"},
    },
)
def mark_dispute_won(dispute_id: str, uow: MerchantUoW) -> DisputeOut:
    return _shown(uow, disputes.mark_won(uow, dispute_id))

"""Letting go of card holds, outside any transaction.

A hold is let go when servefirst no longer needs it: its tab was paid another
way or voided, its booking ended, a bigger hold or a capture replaced it. The
transaction that decides it marks the hold and keeps a ``pending`` release
(``ask_release``); the processor is told afterwards, by
``send_pending_releases``, with no transaction open: ``servefirst payments
recover`` and the server's recovery thread run it, so no request (and no
event loop) waits on the processor for a release. Telling the processor twice
is harmless (cancelling a hold is idempotent, under the release's own key),
and a release is never anything but a release: it moves no money.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from sqlalchemy import select

from servefirst.bookings.models import CardHold, HoldRelease
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import GatewayUnavailable
from servefirst.kit.ids import new_id
from servefirst.kit.money import Money
from servefirst.payments.gateway_choice import gateway_named
from servefirst.payments.gateways import Authorization, CardGateway


def gateway_of_hold(hold: CardHold) -> str:
    """Which gateway holds the money: a Stripe hold is a PaymentIntent."""
    return "stripe" if hold.reference.startswith("pi_") else "sandbox"


def ask_release(uow: UnitOfWork, hold: CardHold) -> None:
    """Phase 1 of a release: kept with the caller's own changes, in its transaction."""
    uow.session.add(
        HoldRelease(
            merchant_id=uow.merchant,
            release_id=new_id("rel"),
            hold_id=hold.hold_id,
            gateway=gateway_of_hold(hold),
            status="pending",
            asked_at=uow.clock.now(),
        )
    )


def pending_releases(uow: UnitOfWork, hold_id: str | None = None) -> list[HoldRelease]:
    """Releases not yet sent (one hold's, or every merchant's)."""
    query = select(HoldRelease).where(HoldRelease.status == "pending")
    if hold_id is not None:
        query = query.where(HoldRelease.hold_id == hold_id)
    return list(uow.session.scalars(query.order_by(HoldRelease.asked_at)))


def send_pending_releases(
    uow_for: Callable[[str | None], UnitOfWork], *, waiting: list[str] | None = None
) -> list[str]:
    """Phases 2 and 3 of every pending release: tell the processor, with no
    transaction open, then keep it as sent. Returns the releases sent. A
    release of a hold made with a processor the merchant has no keys for any
    more stays pending (added to ``waiting``): kept as sent, the customer's
    money would stay held at the processor with nothing left to let it go."""
    waiting = [] if waiting is None else waiting
    with uow_for(None) as look:
        pending = [(r.merchant_id, r.release_id) for r in pending_releases(look)]
    sent: list[str] = []
    for merchant_id, release_id in pending:
        with uow_for(merchant_id) as reader:
            release = reader.session.get(HoldRelease, (merchant_id, release_id))
            if release is None or release.status != "pending":
                continue
            hold = reader.session.get(CardHold, (merchant_id, release.hold_id))
            try:
                gateway = cast(
                    CardGateway,
                    gateway_named(reader.gateways, release.gateway, reader, held="hold"),
                )
            except GatewayUnavailable:
                waiting.append(release_id)
                continue
        if hold is not None:
            gateway.release(
                Authorization(
                    reference=hold.reference,
                    amount=Money(hold.amount, hold.currency),
                    payment_method=hold.payment_method,
                    card_last4=hold.card_last4,
                    expires_at=hold.expires_at,
                )
            )
        with uow_for(merchant_id) as uow:
            row = uow.session.get(HoldRelease, (merchant_id, release_id), with_for_update=True)
            if row is not None and row.status == "pending":
                row.status = "sent"
                row.sent_at = uow.clock.now()
            uow.commit()
        sent.append(release_id)
    return sent

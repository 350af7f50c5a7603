"""Raising a tab's card hold as its bill grows, in phases (DESIGN.md, "A
payment in phases"), so no processor call runs inside a transaction.

1. ``holds.ensure_hold_covers`` keeps the raise on the hold (amount,
   processor key, when), with the line that made it necessary; committed.
2. ``call_processor``: a new authorisation on the saved card, under that key,
   with no transaction open (off the event loop in a request).
3. ``finish_raise``: the new hold replaces the old one (let go, as
   ``hold_releases`` does), or the decline is told to the staff.

A booking's hold renewed before it lapses (``bookings.service.renew_holds``)
is a raise to the same amount, of a hold no tab has yet: the same phases, and
``finish_renewal`` for phase 3 (a declined renewal of a hold that lapsed
leaves the booking unsecured).

A raise a crash left unanswered is finished by ``finish_pending_raises``
(``servefirst payments recover``): the processor is first asked for the hold
it made under the raise's key, and only when it has none is the raise asked
again, under the same key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from fastapi import Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from servefirst.bookings.hold_releases import ask_release, gateway_of_hold
from servefirst.bookings.holds import authorization_of, record_hold
from servefirst.bookings.models import Booking, CardHold
from servefirst.bookings.rules import DepositStatus
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.errors import CardDeclined, GatewayUnavailable
from servefirst.kit.money import Money
from servefirst.payments.gateway_choice import gateway_named
from servefirst.payments.gateways import Authorization, CardGateway, Gateways
from servefirst.tabs.rules import Bill


@dataclass(frozen=True)
class RaiseAsked:
    """A raise kept in phase 1, with what phase 2 needs."""

    hold_id: str
    tab_id: str
    amount: int
    key: str
    asked_at: datetime
    held: Authorization
    #: The processor that holds the money (the sandbox, or the merchant's Stripe).
    gateway: CardGateway | None = None
    #: A booking's hold (no tab yet): a renewal.
    booking_id: str | None = None


def _asked(uow: UnitOfWork, hold: CardHold) -> RaiseAsked:
    return RaiseAsked(
        hold.hold_id,
        hold.tab_id or "",
        hold.raise_to or hold.amount,
        hold.raise_key or "",
        hold.raise_asked_at or hold.created_at,
        authorization_of(hold),
        cast(CardGateway, gateway_named(uow.gateways, gateway_of_hold(hold), uow, held="hold")),
        hold.booking_id if hold.tab_id is None else None,
    )


def raise_asked(uow: UnitOfWork, tab_id: str) -> RaiseAsked | None:
    """The raise the tab's hold waits on, if any."""
    if not uow.tabs.in_hand(tab_id).card_held:
        return None  # most tabs: no hold, so no query (asked after every line)
    hold = uow.session.scalar(
        select(CardHold).where(
            CardHold.merchant_id == uow.merchant,
            CardHold.tab_id == tab_id,
            CardHold.status == "active",
            CardHold.raise_key.is_not(None),
        )
    )
    return None if hold is None else _asked(uow, hold)


def renewals_asked(uow: UnitOfWork) -> list[RaiseAsked]:
    """The renewals of the merchant's booking holds waiting on the processor."""
    holds = uow.session.scalars(
        select(CardHold).where(
            CardHold.merchant_id == uow.merchant,
            CardHold.tab_id.is_(None),
            CardHold.status == "active",
            CardHold.raise_key.is_not(None),
        )
    )
    return [_asked(uow, hold) for hold in holds]


def call_processor(
    gateways: Gateways, asked: RaiseAsked, *, ask_first: bool = False
) -> Authorization | CardDeclined:
    """Phase 2, no database: a new hold on the card kept on file.
    ``ask_first`` (recovery): the hold made under the key, if the processor has one."""
    gateway = asked.gateway or gateways.sandbox
    found = gateway.find_hold(asked.key) if ask_first else None
    if found is not None:
        return found
    try:
        return gateway.authorize(
            Money(asked.amount, asked.held.amount.currency),
            payment_method=asked.held.payment_method,
            customer=asked.held.customer,
            idempotency_key=asked.key,
            now=asked.asked_at,
        )
    except CardDeclined as declined:
        return declined


def finish_raise(uow: UnitOfWork, asked: RaiseAsked, outcome: Authorization | CardDeclined) -> None:
    """Phase 3; the caller commits. A raise already finished changes nothing."""
    hold = uow.session.get(
        CardHold, (uow.merchant, asked.hold_id), with_for_update=True, populate_existing=True
    )
    if hold is None or hold.raise_key != asked.key:
        return
    hold.raise_to = hold.raise_key = hold.raise_asked_at = None
    now = uow.clock.now()
    if hold.status != "active":
        # Paid or let go while the processor answered: the new hold is not needed.
        if isinstance(outcome, Authorization):
            unneeded = record_hold(uow, outcome, booking_id=hold.booking_id, tab_id=hold.tab_id)
            unneeded.status, unneeded.closed_at = "released", now
            ask_release(uow, unneeded)
        uow.session.flush()
        return
    tab = uow.tabs.get(asked.tab_id)
    due = Bill(tab.subtotal, tab.adjustments, tab.paid, tab.deposit_applied).due
    if isinstance(outcome, CardDeclined):
        uow.session.flush()
        emit(
            uow,
            "tab.hold_insufficient",
            tab.tab_id,
            {
                "hold_amount": hold.amount,
                "amount_due": due,
                "decline_code": outcome.code,
                "message": "The card hold no longer covers the bill and could not be raised:"
                " ask the customer for another way to pay.",
            },
        )
        return
    hold.status, hold.closed_at = "replaced", now
    ask_release(uow, hold)
    raised = record_hold(
        uow, outcome, booking_id=hold.booking_id, tab_id=hold.tab_id, replaces=hold.hold_id
    )
    emit(
        uow,
        "tab.hold_raised",
        tab.tab_id,
        {"hold_id": raised.hold_id, "amount": raised.amount, "amount_due": due},
    )


def finish_renewal(
    uow: UnitOfWork, asked: RaiseAsked, outcome: Authorization | CardDeclined
) -> bool:
    """Phase 3 of a booking hold's renewal; the caller commits. True when the
    hold changed: renewed, or lapsed with the card declining a new one (the
    booking then stands unsecured). A declined renewal of a hold still alive
    is simply asked again at the next round."""
    hold = uow.session.get(
        CardHold, (uow.merchant, asked.hold_id), with_for_update=True, populate_existing=True
    )
    if hold is None or hold.raise_key != asked.key:
        return False
    hold.raise_to = hold.raise_key = hold.raise_asked_at = None
    now = uow.clock.now()
    if hold.status != "active":
        if isinstance(outcome, Authorization):  # ended meanwhile: not needed
            unneeded = record_hold(uow, outcome, booking_id=hold.booking_id)
            unneeded.status, unneeded.closed_at = "released", now
            ask_release(uow, unneeded)
        uow.session.flush()
        return False
    if isinstance(outcome, CardDeclined):
        if now < hold.expires_at:
            uow.session.flush()
            return False
        hold.status, hold.closed_at = "expired", now
        booking = uow.session.get(Booking, (uow.merchant, hold.booking_id or ""))
        if booking is not None:
            booking.deposit_status = DepositStatus.NONE.value
            booking.deposit_reason = (
                f"The card hold lapsed and could not be renewed ({outcome.code})."
            )
        uow.session.flush()
        return True
    hold.status, hold.closed_at = "replaced", now
    ask_release(uow, hold)
    record_hold(uow, outcome, booking_id=hold.booking_id, replaces=hold.hold_id)
    return True


def renew_in_turn(uow: UnitOfWork) -> list[str]:
    """Phases 2 and 3 of every renewal asked, in this thread: commits first,
    each renewal's outcome is committed as it comes. The holds that changed."""
    asked = renewals_asked(uow)
    uow.commit()
    changed: list[str] = []
    for each in asked:
        if finish_renewal(uow, each, call_processor(uow.gateways, each)):
            changed.append(each.hold_id)
        uow.commit()
    return changed


def raise_in_turn(uow: UnitOfWork, tab_id: str) -> None:
    """Phases 2 and 3 after a change that may have asked a raise, in this
    thread (a console page, a command): commits first, the caller commits last."""
    asked = _commit_asked(uow, tab_id)
    if asked is not None:
        finish_raise(uow, asked, call_processor(uow.gateways, asked))


async def raise_off_the_loop(request: Request, uow: UnitOfWork, tab_id: str) -> None:
    """The same for an API request: the processor in a worker thread, the
    database phases where the request's work runs."""
    from servefirst.api.context import run_sync

    asked = await run_sync(request, _commit_asked, uow, tab_id)
    if asked is not None:
        outcome = await run_in_threadpool(call_processor, uow.gateways, asked)
        await run_sync(request, finish_raise, uow, asked, outcome)


def _commit_asked(uow: UnitOfWork, tab_id: str) -> RaiseAsked | None:
    asked = raise_asked(uow, tab_id)
    if asked is not None:
        uow.commit()  # phase 1 ends: the line and the raise asked
    return asked


def finish_pending_raises(
    uow_for: Callable[[str | None], UnitOfWork],
    *,
    grace: timedelta,
    waiting: list[str] | None = None,
) -> list[str]:
    """Every raise a crash left unanswered, asked again under its own key;
    one whose hold is with a processor the merchant has no keys for any more
    stays asked (added to ``waiting``) until they are set again."""
    waiting = [] if waiting is None else waiting
    with uow_for(None) as look:
        cutoff = look.clock.now() - grace
        pending = list(
            look.session.execute(
                select(CardHold.merchant_id, CardHold.hold_id).where(
                    CardHold.status == "active",
                    CardHold.raise_key.is_not(None),
                    CardHold.raise_asked_at < cutoff,
                )
            )
        )
    finished: list[str] = []
    for merchant_id, hold_id in pending:
        with uow_for(merchant_id) as reader:
            hold = reader.session.get(CardHold, (merchant_id, hold_id))
            if hold is None or hold.raise_key is None:
                continue
            try:
                asked = _asked(reader, hold)
            except GatewayUnavailable:
                waiting.append(hold_id)
                continue
            gateways = reader.gateways
        outcome = call_processor(gateways, asked, ask_first=True)
        with uow_for(merchant_id) as uow:
            if asked.booking_id is not None:
                finish_renewal(uow, asked, outcome)
            else:
                finish_raise(uow, asked, outcome)
            uow.commit()
        finished.append(asked.hold_id)
    return finished

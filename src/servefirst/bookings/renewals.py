"""Keeping a booking's card hold alive until its slot: a hold that would
lapse first is renewed (a raise to the same amount, in ``hold_raises``' phases),
and one that lapsed with its card declining a new one leaves the booking unsecured."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from servefirst.bookings import hold_raises
from servefirst.bookings.models import Booking, CardHold
from servefirst.bookings.rules import BookingStatus
from servefirst.db.uow import UnitOfWork
from servefirst.kit.ids import new_id

#: Renew a hold this long before it would lapse.
RENEW_AHEAD = timedelta(hours=24)


def renew_holds(uow: UnitOfWork) -> list[str]:
    """Keep every booking's hold alive until its slot: renew holds that would
    lapse within ``RENEW_AHEAD`` before the booking starts, and mark lapsed ones.

    Run by ``servefirst holds renew`` (hourly, from cron) and before reading
    bookings, every phase in turn: the renewals are asked and committed, then
    each is asked of the processor with no transaction open and kept
    (``hold_raises``). Returns the ids of the holds that changed.
    """
    ask_renewals(uow)
    return hold_raises.renew_in_turn(uow)


def ask_renewals(uow: UnitOfWork) -> None:
    """Phase 1 of renewing: each hold that would lapse before its booking is
    marked with the renewal asked and its processor key (the caller commits)."""
    now = uow.clock.now()
    rows = uow.session.execute(
        select(CardHold, Booking)
        .join(
            Booking,
            (Booking.merchant_id == CardHold.merchant_id)
            & (Booking.booking_id == CardHold.booking_id),
        )
        .where(
            CardHold.merchant_id == uow.merchant,
            CardHold.status == "active",
            CardHold.tab_id.is_(None),
            CardHold.raise_key.is_(None),
            CardHold.fee_key.is_(None),
            CardHold.expires_at <= now + RENEW_AHEAD,
            Booking.status == BookingStatus.CONFIRMED.value,
        )
        .with_for_update()
    ).all()
    for hold, booking in rows:
        if booking.starts_at <= hold.expires_at:
            continue  # the hold outlives the slot: nothing to do
        hold.raise_to = hold.amount
        hold.raise_key = new_id("renew")
        hold.raise_asked_at = now
    uow.session.flush()

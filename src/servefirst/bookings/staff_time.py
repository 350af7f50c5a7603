"""A staff member's time as bookings take it: locking their calendar before
reading it, what occupies it, and refusing a time already taken."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text

from servefirst.bookings.models import Booking
from servefirst.bookings.rules import BookingStatus
from servefirst.db.uow import UnitOfWork
from servefirst.kit.clock import as_utc
from servefirst.kit.errors import Conflict

#: Statuses that still occupy the staff member's time.
ACTIVE = (BookingStatus.CONFIRMED.value, BookingStatus.CHECKED_IN.value)


def lock_staff_calendar(uow: UnitOfWork, staff_id: str) -> None:
    """Hold one person's calendar until commit, before reading it to book them."""
    if uow.dialect == "postgresql":
        # Two bookings for one person at once would both see a free slot under
        # READ COMMITTED: serialise them per (merchant, staff) until commit.
        # SQLite's BEGIN IMMEDIATE already lets one writer in at a time.
        uow.session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"booking:{uow.merchant}:{staff_id}"},
        )


@dataclass(frozen=True)
class Occupied:
    """A booking as a calendar sees it: who, when, and which service."""

    staff_id: str
    starts_at: datetime
    ends_at: datetime
    service_id: str


def occupied(
    uow: UnitOfWork, staff_ids: list[str], start: datetime, end: datetime
) -> list[Occupied]:
    """Active bookings of these staff members that touch [start, end)."""
    if not staff_ids:
        return []
    rows = uow.session.execute(
        select(Booking.staff_id, Booking.starts_at, Booking.ends_at, Booking.service_id).where(
            Booking.merchant_id == uow.merchant,
            Booking.staff_id.in_(staff_ids),
            Booking.status.in_(ACTIVE),
            Booking.starts_at < as_utc(end),
            Booking.ends_at > as_utc(start),
        )
    )
    return [Occupied(str(s), as_utc(a), as_utc(b), v) for s, a, b, v in rows]


def ensure_staff_free(
    uow: UnitOfWork,
    staff_id: str,
    starts_at: datetime,
    ends_at: datetime,
    *,
    besides: str | None = None,
) -> None:
    """Refuse (409 ``booking_overlaps``) a time when ``staff_id`` is booked;
    ``besides``: a booking being moved, which does not clash with itself."""
    lock_staff_calendar(uow, staff_id)
    clash = uow.session.scalar(
        select(Booking)
        .where(
            Booking.merchant_id == uow.merchant,
            Booking.staff_id == staff_id,
            Booking.status.in_(ACTIVE),
            Booking.starts_at < ends_at,
            Booking.ends_at > starts_at,
            Booking.booking_id != (besides or ""),
        )
        .limit(1)
    )
    if clash is not None:
        raise Conflict(
            f"{staff_id} is already booked from {clash.starts_at:%H:%M} to"
            f" {clash.ends_at:%H:%M} on {clash.starts_at:%Y-%m-%d}; choose another time"
            " or another person.",
            code="booking_overlaps",
            param="starts_at",
            details={"booking_id": clash.booking_id},
        )

"""A staff member's time as bookings take it: locking their calendar before
reading it, what occupies it (each booking with the buffer after it), and
refusing a time already taken."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from servefirst.bookings import repository
from servefirst.bookings.rules import BookingStatus
from servefirst.db.uow import UnitOfWork
from servefirst.kit.clock import as_utc
from servefirst.kit.errors import Conflict

#: Statuses that still occupy the staff member's time.
ACTIVE = (BookingStatus.CONFIRMED.value, BookingStatus.CHECKED_IN.value)


def lock_staff_calendar(uow: UnitOfWork, staff_id: str) -> None:
    """Hold one person's calendar until commit, before reading it to book them."""
    repository.lock_calendar(uow, staff_id)


@dataclass(frozen=True)
class Occupied:
    """A booking as a calendar sees it: who, when, and the buffer after it
    during which its staff member is still taken."""

    staff_id: str
    starts_at: datetime
    ends_at: datetime
    buffer: timedelta = timedelta()
    booking_id: str = ""

    @property
    def taken_until(self) -> datetime:
        return self.ends_at + self.buffer


def occupied(
    uow: UnitOfWork, staff_ids: list[str], start: datetime, end: datetime
) -> list[Occupied]:
    """Active bookings of these staff members that touch [start, end), each
    with its buffer (a booking whose buffer alone reaches in counts too)."""
    if not staff_ids:
        return []
    rows = repository.taken(uow, staff_ids, ACTIVE, as_utc(start), as_utc(end))
    # The columns' own type (UTCDateTime) already gives aware UTC times.
    found = [Occupied(str(s), a, b, timedelta(minutes=m), k) for s, a, b, m, k in rows]
    return [o for o in found if o.taken_until > start]


def occupied_seconds(
    uow: UnitOfWork, staff_ids: list[str], start: datetime, end: datetime
) -> list[tuple[str, int, int, str]]:
    """``occupied`` as plain numbers, for answers that read hundreds: (staff
    id, start, end + buffer, as whole seconds since the epoch rounded away from
    the booking, and the booking id)."""
    if not staff_ids:
        return []
    rows = repository.taken_seconds(uow, staff_ids, ACTIVE, as_utc(start), as_utc(end))
    after = start.timestamp()
    found = [(str(s), a, b + 60 * m, k) for s, a, b, m, k in rows]
    return [(s, a, until, k) for s, a, until, k in found if until > after]


def ensure_staff_free(
    uow: UnitOfWork,
    staff_id: str,
    starts_at: datetime,
    ends_at: datetime,
    *,
    buffer: timedelta = timedelta(),
    besides: str | None = None,
) -> None:
    """Refuse (409 ``booking_overlaps``) a time when ``staff_id`` is booked:
    [starts_at, ends_at + buffer) may not meet another booking's time and its
    buffer (the range PostgreSQL's exclusion constraint also guards);
    ``besides``: a booking being moved, which does not clash with itself."""
    lock_staff_calendar(uow, staff_id)
    clash = next(
        (
            other
            for other in occupied(uow, [staff_id], starts_at, ends_at + buffer)
            if other.booking_id != besides
        ),
        None,
    )
    if clash is not None:
        raise Conflict(
            f"{staff_id} is already booked from {clash.starts_at:%H:%M} to"
            f" {clash.ends_at:%H:%M} on {clash.starts_at:%Y-%m-%d}"
            + (f", then kept free until {clash.taken_until:%H:%M}" if clash.buffer else "")
            + "; choose another time or another person.",
            code="booking_overlaps",
            param="starts_at",
            details={"booking_id": clash.booking_id},
        )


def upcoming(uow: UnitOfWork, staff_id: str) -> int:
    """How many bookings still wait for ``staff_id``: confirmed, not yet over
    (one checked in is already a tab, their work done)."""
    return repository.upcoming_of(uow, staff_id, (BookingStatus.CONFIRMED.value,), uow.clock.now())

"""Where bookings are read: the calendar (who is taken when, for availability
and for the overlap check, read by the hundred for every availability answer),
the booking checked in to a tab and its deposit's refunds, and the named reads
other features ask of bookings (messages, the no-show model) instead of
querying the bookings' table themselves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    bindparam,
    cast,
    extract,
    func,
    or_,
    select,
    text,
)

from servefirst.bookings.models import Booking, CardHold, DepositRefund, HoldRelease
from servefirst.bookings.rules import BookingStatus, DepositStatus
from servefirst.db.by_id import column_by_id
from servefirst.db.uow import UnitOfWork

#: A deposit refund the processor has not answered yet (``deposit_refunds.PENDING``).
_PENDING = "pending"

#: The longest buffer a service may have (``catalog.schemas.Buffer``): a
#: booking that ended this long before a time may still be in its buffer.
LONGEST_BUFFER = timedelta(days=1)

#: The bookings ``taken`` and ``taken_seconds`` read: these staff members',
#: in the given statuses, that start before ``end`` and end after ``reach_back``.
_TAKEN_WHERE = (
    Booking.merchant_id == bindparam("merchant"),
    Booking.staff_id.in_(bindparam("staff", expanding=True)),
    Booking.status.in_(bindparam("active", expanding=True)),
    Booking.starts_at < bindparam("end"),
    Booking.ends_at > bindparam("reach_back"),
)

#: Built once, with bound parameters; read on the unit of work's connection
#: (plain rows: an availability answer reads hundreds, and the ORM session's
#: row handling was half its time).
_TAKEN = select(
    Booking.staff_id,
    Booking.starts_at,
    Booking.ends_at,
    Booking.buffer_minutes,
    Booking.booking_id,
).where(*_TAKEN_WHERE)


def taken(
    uow: UnitOfWork, staff_ids: list[str], active: tuple[str, ...], start: datetime, end: datetime
) -> Sequence[Any]:
    """Rows (staff_id, starts_at, ends_at, buffer_minutes, booking_id) of these
    staff members' bookings in ``active`` statuses that start before ``end``
    and end less than the longest buffer before ``start``."""
    return uow.connection.execute(
        _TAKEN,
        {
            "merchant": uow.merchant,
            "staff": staff_ids,
            "active": list(active),
            "end": end,
            "reach_back": start - LONGEST_BUFFER,
        },
    ).all()


def _seconds_sqlite(column: Any, *, up: bool) -> ColumnElement[int]:
    # Stored as text, 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC: the whole seconds,
    # plus one going up when there is a fraction (rounded away from the booking).
    whole = cast(func.strftime("%s", func.substr(column, 1, 19)), Integer)
    return whole + (func.substr(column, 21) > "000000") if up else whole


def _seconds_postgresql(column: Any, *, up: bool) -> ColumnElement[int]:
    epoch = extract("epoch", column)
    return cast(func.ceil(epoch) if up else func.floor(epoch), BigInteger)


def _taken_seconds(seconds: Any) -> Any:
    return select(
        Booking.staff_id,
        seconds(Booking.starts_at, up=False),
        seconds(Booking.ends_at, up=True),
        Booking.buffer_minutes,
        Booking.booking_id,
    ).where(*_TAKEN_WHERE)


#: ``taken`` with its times as whole seconds since the epoch, worked out by
#: the database: an availability answer reads hundreds of rows, and turning
#: each stored time into a ``datetime`` was most of the read.
_TAKEN_SECONDS = {
    "sqlite": _taken_seconds(_seconds_sqlite),
    "postgresql": _taken_seconds(_seconds_postgresql),
}


def taken_seconds(
    uow: UnitOfWork, staff_ids: list[str], active: tuple[str, ...], start: datetime, end: datetime
) -> Sequence[Any]:
    """As ``taken``, with starts_at rounded down and ends_at rounded up to
    whole seconds since the epoch (never narrower than the booking)."""
    return uow.connection.execute(
        _TAKEN_SECONDS[uow.dialect],
        {
            "merchant": uow.merchant,
            "staff": staff_ids,
            "active": list(active),
            "end": end,
            "reach_back": start - LONGEST_BUFFER,
        },
    ).all()


def lock_calendar(uow: UnitOfWork, staff_id: str) -> None:
    """Hold one person's calendar until commit. Two bookings for one person at
    once would both see a free slot under READ COMMITTED: on PostgreSQL they
    queue per (merchant, staff) on an advisory lock. SQLite's BEGIN IMMEDIATE
    already lets one writer in at a time."""
    if uow.locks_rows:
        uow.session.execute(_CALENDAR_LOCK, {"key": f"booking:{uow.merchant}:{staff_id}"})


_CALENDAR_LOCK = text("SELECT pg_advisory_xact_lock(hashtext(:key))")


def member_of_tab(uow: UnitOfWork, tab_id: str) -> str | None:
    """Who the booking checked in to ``tab_id`` was with (None: a walk-in's
    tab, or a booking with no one yet). A plain read: nothing changes."""
    return uow.session.scalar(
        select(Booking.staff_id).where(
            Booking.merchant_id == uow.merchant, Booking.tab_id == tab_id
        )
    )


def checked_in_to(uow: UnitOfWork, tab_id: str, *, lock: bool = False) -> Booking | None:
    """The booking checked in to ``tab_id``; with ``lock`` held until commit
    and read afresh (its deposit is about to change)."""
    query = select(Booking).where(Booking.merchant_id == uow.merchant, Booking.tab_id == tab_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return uow.session.scalar(query)


def deposit_refunds_by_status(uow: UnitOfWork, tab_id: str) -> dict[str, int]:
    """What went back to the card of the deposit of the booking checked in to
    ``tab_id``, summed by the refund's status."""
    rows = uow.session.execute(
        select(DepositRefund.status, func.sum(DepositRefund.amount))
        .join(
            Booking,
            (Booking.merchant_id == DepositRefund.merchant_id)
            & (Booking.booking_id == DepositRefund.booking_id),
        )
        .where(Booking.merchant_id == uow.merchant, Booking.tab_id == tab_id)
        .group_by(DepositRefund.status)
    )
    return {status: int(total or 0) for status, total in rows}


def deposit_refunds_of_bookings(
    uow: UnitOfWork, booking_ids: set[str]
) -> dict[str, dict[str, int]]:
    """What of each booking's captured deposit was asked back of the card
    processor, summed by how it answered (pending, succeeded, failed): one query."""
    if not booking_ids:
        return {}
    rows = uow.session.execute(
        select(DepositRefund.booking_id, DepositRefund.status, func.sum(DepositRefund.amount))
        .where(
            DepositRefund.merchant_id == uow.merchant,
            DepositRefund.booking_id.in_(sorted(booking_ids)),
        )
        .group_by(DepositRefund.booking_id, DepositRefund.status)
    )
    found: dict[str, dict[str, int]] = {}
    for booking_id, status, total in rows:
        found.setdefault(booking_id, {})[status] = int(total or 0)
    return found


def awaits_processor(uow: UnitOfWork, booking_id: str) -> bool:
    """Whether a step of the booking still waits for the card processor's
    answer: a fee or a raise asked of one of its card holds, or a refund of
    its deposit (a retry of that step after a crash is told to come back)."""
    holds = select(CardHold.hold_id).where(
        CardHold.merchant_id == uow.merchant,
        CardHold.booking_id == booking_id,
        or_(CardHold.fee_key.is_not(None), CardHold.raise_key.is_not(None)),
    )
    refunds = select(DepositRefund.refund_id).where(
        DepositRefund.merchant_id == uow.merchant,
        DepositRefund.booking_id == booking_id,
        DepositRefund.status == _PENDING,
    )
    return bool(uow.session.scalar(select(or_(holds.exists(), refunds.exists()))))


def tab_awaits_processor(uow: UnitOfWork, tab_id: str) -> bool:
    """The same for a tab: a raise asked of its card hold, or a refund of the
    deposit of the booking checked in to it (a voided line's share)."""
    holds = select(CardHold.hold_id).where(
        CardHold.merchant_id == uow.merchant,
        CardHold.tab_id == tab_id,
        CardHold.raise_key.is_not(None),
    )
    return bool(uow.session.scalar(select(holds.exists()))) or bool(
        deposit_refunds_by_status(uow, tab_id).get(_PENDING)
    )


def upcoming_of(uow: UnitOfWork, staff_id: str, statuses: tuple[str, ...], now: datetime) -> int:
    """How many of one person's bookings in ``statuses`` have not ended by ``now``."""
    query = select(func.count()).where(
        Booking.merchant_id == uow.merchant,
        Booking.staff_id == staff_id,
        Booking.status.in_(statuses),
        Booking.ends_at > now,
    )
    return int(uow.session.scalar(query) or 0)


# --- what other features read of bookings -------------------------------------------


def booking_if_any(uow: UnitOfWork, booking_id: str) -> Booking | None:
    """The booking, or None if there is none (a message about one since gone)."""
    return uow.session.get(Booking, (uow.merchant, booking_id))


def deposit_charged_by(uow: UnitOfWork, reference: str) -> str | None:
    """The booking whose deposit the processor's charge ``reference`` took (a
    captured deposit, a fee taken from its card hold, or a fee charged on the
    card kept on file once the hold lapsed), or None: what a dispute of a
    charge that is no payment of a tab names. Disputes are rare, so the
    bookings and holds are read without an index of their references."""
    found = uow.session.scalar(
        select(Booking.booking_id)
        .where(Booking.merchant_id == uow.merchant, Booking.deposit_reference == reference)
        .limit(1)
    )
    if found is not None:
        return str(found)
    held = uow.session.scalar(
        select(CardHold.booking_id)
        .where(
            CardHold.merchant_id == uow.merchant,
            or_(CardHold.reference == reference, CardHold.fee_reference == reference),
            CardHold.booking_id.is_not(None),
        )
        .limit(1)
    )
    return None if held is None else str(held)


def deposit_refunds_refused(uow: UnitOfWork, booking_id: str) -> int:
    """What the processor refused to refund of the booking's captured deposit:
    still in ``deposits_held``, though the booking counts it given back."""
    refused = uow.session.scalar(
        select(func.coalesce(func.sum(DepositRefund.amount), 0)).where(
            DepositRefund.merchant_id == uow.merchant,
            DepositRefund.booking_id == booking_id,
            DepositRefund.status == "failed",
        )
    )
    return int(refused or 0)


def deposit_refund_refused_at(uow: UnitOfWork, refund_id: str) -> datetime | None:
    """When the processor refused the deposit refund ``refund_id``; None when
    it did not (or there is no such refund): what a message about it asks."""
    refund = uow.session.get(DepositRefund, (uow.merchant, refund_id))
    if refund is None or refund.status != "failed":
        return None
    return refund.settled_at


def fees_charged(uow: UnitOfWork, booking_id: str) -> int:
    """What the booking's fees took on the card: its holds captured for a fee
    (a hold captured for its tab's payment carries the tab, and is that
    payment's)."""
    taken = uow.session.scalar(
        select(func.coalesce(func.sum(CardHold.captured), 0)).where(
            CardHold.merchant_id == uow.merchant,
            CardHold.booking_id == booking_id,
            CardHold.tab_id.is_(None),
            CardHold.status == "captured",
        )
    )
    return int(taken or 0)


def statuses_of(uow: UnitOfWork, booking_ids: set[str]) -> dict[str, str]:
    """Each booking's status, by id (a booking not found is left out)."""
    return column_by_id(uow, Booking.booking_id, Booking.status, booking_ids)


def every_booking(uow: UnitOfWork) -> list[Booking]:
    """All the merchant's bookings (the no-show model's history)."""
    return list(uow.session.scalars(select(Booking).where(Booking.merchant_id == uow.merchant)))


def ids_of_every_booking(uow: UnitOfWork) -> set[str]:
    """The ids of all the merchant's bookings (history imported is told apart by them)."""
    return set(
        uow.session.scalars(select(Booking.booking_id).where(Booking.merchant_id == uow.merchant))
    )


def bookings_made_by(
    uow: UnitOfWork, customer_id: str, now: datetime
) -> tuple[int, datetime | None, int]:
    """How many bookings the customer ever made, when they last booked, and
    how many of theirs are still to come (confirmed, starting after ``now``)."""
    mine = (Booking.merchant_id == uow.merchant, Booking.customer_id == customer_id)
    count, last = uow.session.execute(
        select(func.count(Booking.booking_id), func.max(Booking.created_at)).where(*mine)
    ).one()
    pending = uow.session.scalar(
        select(func.count(Booking.booking_id)).where(
            *mine, Booking.status == BookingStatus.CONFIRMED.value, Booking.starts_at > now
        )
    )
    return int(count), last, int(pending or 0)


def kept_bookings_between(uow: UnitOfWork, customer_id: str, start: datetime, end: datetime) -> int:
    """The customer's bookings not cancelled that start in ``[start, end)``."""
    return (
        uow.session.scalar(
            select(func.count(Booking.booking_id)).where(
                Booking.merchant_id == uow.merchant,
                Booking.customer_id == customer_id,
                Booking.status != BookingStatus.CANCELLED.value,
                Booking.starts_at >= start,
                Booking.starts_at < end,
            )
        )
        or 0
    )


def stripe_holds_waiting(uow: UnitOfWork) -> int:
    """The merchant's card holds Stripe keeps that servefirst still has to
    capture or let go, their releases not yet sent, the deposits asked of it
    and not yet answered, and the deposit refunds not yet answered: what
    switching away from Stripe would strand."""
    m = uow.merchant
    holds = select(func.count()).where(
        CardHold.merchant_id == m, CardHold.status == "active", CardHold.reference.like("pi_%")
    )
    releases = select(func.count()).where(
        HoldRelease.merchant_id == m,
        HoldRelease.status == "pending",
        HoldRelease.gateway == "stripe",
    )
    # A pending deposit was asked of the gateway in force: on Stripe, Stripe.
    deposits = select(func.count()).where(
        Booking.merchant_id == m, Booking.deposit_status == DepositStatus.PENDING.value
    )
    refunds = select(func.count()).where(
        DepositRefund.merchant_id == m,
        DepositRefund.status == "pending",
        DepositRefund.gateway == "stripe",
    )
    return sum(int(uow.session.scalar(q) or 0) for q in (holds, releases, deposits, refunds))

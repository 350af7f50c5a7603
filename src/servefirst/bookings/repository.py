"""The bookings' calendar reads: who is taken when, for availability and for
the overlap check, read by the hundred for every availability answer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select

from servefirst.bookings.models import Booking
from servefirst.db.uow import UnitOfWork

#: The longest buffer a service may have (``catalog.schemas.Buffer``): a
#: booking that ended this long before a time may still be in its buffer.
LONGEST_BUFFER = timedelta(days=1)

#: Built once, with bound parameters; read on the unit of work's connection
#: (plain rows: an availability answer reads hundreds, and the ORM session's
#: row handling was half its time).
_TAKEN = select(
    Booking.staff_id,
    Booking.starts_at,
    Booking.ends_at,
    Booking.buffer_minutes,
    Booking.booking_id,
).where(
    Booking.merchant_id == bindparam("merchant"),
    Booking.staff_id.in_(bindparam("staff", expanding=True)),
    Booking.status.in_(bindparam("active", expanding=True)),
    Booking.starts_at < bindparam("end"),
    Booking.ends_at > bindparam("reach_back"),
)


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

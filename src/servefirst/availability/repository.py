"""The staff hours table (read and written whole, one row per staff member)
and the one-time codes' rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text, bindparam, cast, delete, func, select, text

from servefirst.availability.hours import WorkingHours, hours_from_json, hours_from_text
from servefirst.availability.models import BookingCode, StaffHours
from servefirst.db.uow import UnitOfWork


def hours_of(uow: UnitOfWork, staff_id: str) -> WorkingHours | None:
    row = uow.session.get(StaffHours, (uow.merchant, staff_id))
    return None if row is None else _hours(row)


#: Everyone's hours as the stored JSON texts, parsed by ``hours_from_text``.
_ALL_HOURS = select(
    StaffHours.staff_id,
    cast(StaffHours.weekly, Text),
    cast(StaffHours.exceptions, Text),
    cast(StaffHours.services, Text),
).where(StaffHours.merchant_id == bindparam("merchant"))


def all_hours(uow: UnitOfWork) -> dict[str, WorkingHours]:
    """Everyone's hours, by staff id: a merchant has a handful of people."""
    uow.flush()  # hours set earlier in this unit of work count
    rows = uow.connection.execute(_ALL_HOURS, {"merchant": uow.merchant})
    return {staff_id: hours_from_text(*texts) for staff_id, *texts in rows}


def save_hours(uow: UnitOfWork, staff_id: str, hours: WorkingHours, now: datetime) -> None:
    data = hours.as_json()
    row = uow.session.get(StaffHours, (uow.merchant, staff_id), with_for_update=True)
    if row is None:
        row = StaffHours(merchant_id=uow.merchant, staff_id=staff_id)
        uow.session.add(row)
    row.weekly, row.exceptions, row.services = data["weekly"], data["exceptions"], data["services"]
    row.updated_at = now
    uow.session.flush()


def _hours(row: StaffHours) -> WorkingHours:
    return hours_from_json(
        {"weekly": row.weekly, "exceptions": row.exceptions, "services": row.services}
    )


def lock_code_asks(uow: UnitOfWork, keys: list[str]) -> None:
    """Serialise asks for codes by the same e-mail or address until commit, so
    two at once cannot both pass the limit. SQLite's writer already holds the
    only write lock; PostgreSQL takes advisory locks, in a fixed order."""
    if uow.locks_rows:
        for key in sorted(keys):
            uow.session.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                {"key": f"booking_code:{uow.merchant}:{key}"},
            )


def codes_asked_since(
    uow: UnitOfWork, since: datetime, *, email_key: str | None = None, client_ip: str | None = None
) -> int:
    query = select(func.count()).where(
        BookingCode.merchant_id == uow.merchant, BookingCode.created_at >= since
    )
    if email_key is not None:
        query = query.where(BookingCode.email_key == email_key)
    if client_ip is not None:
        query = query.where(BookingCode.client_ip == client_ip)
    return int(uow.session.scalar(query) or 0)


def forget_codes(uow: UnitOfWork, before: datetime) -> None:
    """Rows older than any limit or proof counts: the e-mail and address go."""
    uow.session.execute(
        delete(BookingCode).where(
            BookingCode.merchant_id == uow.merchant, BookingCode.created_at < before
        )
    )


def add_code(uow: UnitOfWork, code: BookingCode) -> None:
    uow.session.add(code)
    uow.session.flush()


def code_row(uow: UnitOfWork, code_id: str) -> BookingCode | None:
    """The row, held until commit: tries of one code are counted one at a time."""
    return uow.session.scalar(
        select(BookingCode)
        .where(BookingCode.merchant_id == uow.merchant, BookingCode.code_id == code_id[:40])
        .with_for_update()
        .execution_options(populate_existing=True)
    )

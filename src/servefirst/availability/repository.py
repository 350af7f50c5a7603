"""The staff hours table: read and written whole, one row per staff member."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from servefirst.availability.models import StaffHours
from servefirst.availability.rules import WorkingHours, hours_from_json
from servefirst.db.uow import UnitOfWork


def hours_of(uow: UnitOfWork, staff_id: str) -> WorkingHours | None:
    row = uow.session.get(StaffHours, (uow.merchant, staff_id))
    return None if row is None else _hours(row)


def all_hours(uow: UnitOfWork) -> dict[str, WorkingHours]:
    """Everyone's hours, by staff id: a merchant has a handful of people."""
    rows = uow.session.scalars(select(StaffHours).where(StaffHours.merchant_id == uow.merchant))
    return {row.staff_id: _hours(row) for row in rows}


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

"""The bookings day view: one column per staff member, the merchant's day.

A read model like ``console``: plain data for the template, gathered through
the bookings, staff, catalog and merchant services. The day is the
merchant's own (its time zone), from midnight to midnight there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from servefirst.catalog.service import list_services
from servefirst.db.uow import UnitOfWork
from servefirst.kit import i18n
from servefirst.kit.errors import InvalidRequest
from servefirst.kit.i18n import gettext as _
from servefirst.kit.typed_days import read_day
from servefirst.merchants.service import get_merchant, merchant_zone
from servefirst.staff.console import BookingRow, booking_rows
from servefirst.staff.service import list_members

if TYPE_CHECKING:
    from servefirst.catalog.models import Service
    from servefirst.merchants.models import Merchant

#: The column of bookings nobody is assigned to yet.
NOBODY = ""


@dataclass
class Column:
    staff_id: str
    name: str
    rows: list[BookingRow] = field(default_factory=list)


@dataclass(frozen=True)
class DayView:
    merchant: Merchant
    day: date
    zone: ZoneInfo
    columns: list[Column]
    services: list[Service]
    people: list[tuple[str, str]]

    @property
    def previous(self) -> date:
        return self.day - timedelta(days=1)

    @property
    def next(self) -> date:
        return self.day + timedelta(days=1)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)


def parse_day(text: str | None, today: date) -> date:
    """'2026-12-04' (what a date picker sends) or the day as the reader types
    it where the browser has no picker ('04/12/2026' in Portuguese) -> that
    date; blank -> today; anything else: 422 in words."""
    if not (text or "").strip():
        return today
    return read_day(text or "", i18n.current_language(), param="date")


def local_moment(uow: UnitOfWork, day_text: str, time_text: str) -> datetime:
    """A date and a time typed in the merchant's zone, as an aware moment."""
    zone = merchant_zone(uow)
    if not day_text.strip():
        raise InvalidRequest(_("Choose a date."), param="date")
    day = read_day(day_text, i18n.current_language(), param="date")
    if not time_text.strip():
        raise InvalidRequest(_("Choose a time."), param="time")
    try:
        clock = time.fromisoformat(time_text.strip())
    except ValueError:
        raise InvalidRequest(
            _("'%(text)s' is not a time; write it like 14:30.") % {"text": time_text},
            param="time",
        ) from None
    return datetime.combine(day, clock, tzinfo=zone)


def day_view(uow: UnitOfWork, day_text: str | None) -> DayView:
    zone = merchant_zone(uow)
    day = parse_day(day_text, uow.clock.now().astimezone(zone).date())
    start = datetime.combine(day, time(), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
    members = list_members(uow)
    columns = {m.staff_id: Column(m.staff_id, m.name) for m in members}
    unassigned = Column(NOBODY, _("No one yet"))
    for row in booking_rows(uow, start, end):
        who = row.booking.staff_id
        if who and who not in columns:
            # The API takes a free-text name for who serves: a column of its own.
            columns[who] = Column(who, row.staff_name or who)
        (columns[who] if who else unassigned).rows.append(row)
    shown = list(columns.values())
    if unassigned.rows or not shown:
        shown.append(unassigned)
    return DayView(
        merchant=get_merchant(uow),
        day=day,
        zone=zone,
        columns=shown,
        services=[service for service, _terms in list_services(uow)],
        people=[(m.staff_id, m.name) for m in members],
    )

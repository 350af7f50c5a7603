"""Closing the day: the use case, and the Z report of a closed day."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from servefirst.cashup import repository
from servefirst.cashup.models import DayClose
from servefirst.cashup.rules import (
    CountRefused,
    DayTotals,
    checked_counts,
    checked_day,
    checked_float,
    count_not_made,
    counted_total,
    day_totals,
    over_short_entry,
)
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.errors import Conflict, InvalidRequest, NotFound
from servefirst.kit.ids import new_id
from servefirst.ledger import service as ledger
from servefirst.merchants.service import get_merchant


@dataclass(frozen=True)
class Closer:
    """Who closes the day: a staff member, or the owner's API key."""

    id: str
    name: str


@dataclass(frozen=True)
class DayReport:
    """A day's Z report: the close (None while the day is open) and its sums."""

    day: date
    zone: str
    currency: str
    start: datetime
    end: datetime
    totals: DayTotals
    voids: int
    voided_amount: int
    close: DayClose | None

    @property
    def over_short(self) -> int:
        return self.close.difference if self.close else 0


def day_window(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The merchant's day from midnight to midnight in its zone (23 or 25 hours
    on the days the clocks change)."""
    start = datetime.combine(day, time(), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
    return start, end


def merchant_today(uow: UnitOfWork) -> date:
    zone = ZoneInfo(get_merchant(uow).timezone)
    return uow.clock.now().astimezone(zone).date()


def _report(uow: UnitOfWork, day: date, close: DayClose | None) -> DayReport:
    merchant = get_merchant(uow)
    zone = ZoneInfo(merchant.timezone)
    start, end = day_window(day, zone)
    totals = day_totals(repository.movements(uow, start, end))
    voids, voided_amount = repository.voided_tabs(uow, start, end)
    return DayReport(
        day, merchant.timezone, merchant.currency, start, end, totals, voids, voided_amount, close
    )


def day_so_far(uow: UnitOfWork, day: date) -> DayReport:
    """The day as it stands (for the form): what the drawer should hold so far."""
    return _report(uow, day, repository.find(uow, day))


def close_day(
    uow: UnitOfWork,
    *,
    closer: Closer,
    opening_float: Any,
    counted: Mapping[str, Any],
    day: date | None = None,
    count_made: bool = True,
) -> DayReport:
    """Close ``day`` (today by default): the drawer's count against the float
    plus the day's cash in the ledger, the difference posted as one entry to
    ``cash_over_short``. A day closes once; a day not yet begun, or one before
    the business began on servefirst, cannot close. ``count_made`` False (a
    form sent with every count blank) is refused while the drawer should hold
    money (``rules.count_not_made``)."""
    merchant = repository.lock_merchant(uow)
    zone = ZoneInfo(merchant.timezone)
    today = uow.clock.now().astimezone(zone).date()
    opened = merchant.created_at.astimezone(zone).date()
    try:
        day = checked_day(day or today, today=today, opened=opened)
        float_amount = checked_float(opening_float)
        counts = checked_counts(merchant.currency, counted)
    except CountRefused as exc:
        raise InvalidRequest(exc.message, param=exc.param, figures=exc.figures) from exc
    if repository.find(uow, day) is not None:
        raise Conflict(
            f"{day.isoformat()} is already closed.", code="day_already_closed", param="date"
        )
    report = _report(uow, day, None)
    expected = float_amount + report.totals.cash_movement
    if count_not_made(count_made, expected):
        raise InvalidRequest(
            f"Nothing was counted, yet the drawer should hold {expected} (minor units): give"
            " the pieces of each note and coin, 0 where there are none.",
            code="count_missing",
            param="counted",
            details={"expected_cash": expected},
            figures={"currency": merchant.currency},
        )
    total = counted_total(counts)
    difference = total - expected
    entry = over_short_entry(merchant.currency, difference, f"day close {day.isoformat()}")
    entry_id = ledger.post(uow, entry) if entry is not None else None
    close = DayClose(
        merchant_id=uow.merchant,
        day=day,
        close_id=new_id("dcl"),
        currency=merchant.currency,
        opening_float=float_amount,
        expected_cash=expected,
        counted_cash=total,
        counted={str(k): v for k, v in sorted(counts.items(), reverse=True)},
        difference=difference,
        entry_id=entry_id,
        closed_by=closer.id,
        closed_by_name=closer.name[:200],
        closed_at=uow.clock.now(),
    )
    repository.add(uow, close)
    emit(
        uow,
        "day.closed",
        close.close_id,
        {"date": day.isoformat(), "difference": difference, "closed_by": closer.id},
    )
    return DayReport(**{**report.__dict__, "close": close})


def get_day_close(uow: UnitOfWork, day: date) -> DayReport:
    close = repository.find(uow, day)
    if close is None:
        raise NotFound(f"{day.isoformat()} has not been closed.", param="date")
    return _report(uow, day, close)


def closed_days(uow: UnitOfWork, first: date, last: date) -> Iterator[DayReport]:
    """The Z report of every day closed from ``first`` to ``last``, oldest first."""
    for close in repository.closes_between(uow, first, last):
        yield _report(uow, close.day, close)


def recent_closes(uow: UnitOfWork) -> list[DayClose]:
    return repository.recent(uow)

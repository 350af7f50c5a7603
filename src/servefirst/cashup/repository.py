"""The cash-up's SQL: the day's ledger movements summed, voided tabs, the close rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from servefirst.cashup.models import DayClose
from servefirst.cashup.rules import Movement
from servefirst.db.uow import UnitOfWork
from servefirst.ledger.models import JournalEntryRow, JournalLegRow
from servefirst.merchants.service import get_merchant
from servefirst.tabs.models import Tab
from servefirst.tabs.rules import TabStatus

if TYPE_CHECKING:
    from servefirst.merchants.models import Merchant


def movements(uow: UnitOfWork, start: datetime, end: datetime) -> list[Movement]:
    """Legs posted in ``[start, end)``, summed by kind, account and side (an
    index on the entries' time; a day is a few hundred rows)."""
    rows = uow.session.execute(
        select(
            JournalEntryRow.kind,
            JournalLegRow.account,
            JournalLegRow.side,
            func.coalesce(func.sum(JournalLegRow.amount), 0),
        )
        .join(
            JournalLegRow,
            (JournalLegRow.merchant_id == JournalEntryRow.merchant_id)
            & (JournalLegRow.entry_id == JournalEntryRow.entry_id),
        )
        .where(
            JournalEntryRow.merchant_id == uow.merchant,
            JournalEntryRow.created_at >= start,
            JournalEntryRow.created_at < end,
        )
        .group_by(JournalEntryRow.kind, JournalLegRow.account, JournalLegRow.side)
    )
    return [Movement(kind, account, side, int(amount)) for kind, account, side, amount in rows]


def voided_tabs(uow: UnitOfWork, start: datetime, end: datetime) -> tuple[int, int]:
    """Tabs voided in ``[start, end)``: how many, and what their lines came to."""
    count, amount = uow.session.execute(
        select(func.count(), func.coalesce(func.sum(Tab.subtotal), 0)).where(
            Tab.merchant_id == uow.merchant,
            Tab.status == TabStatus.VOID.value,
            Tab.closed_at >= start,
            Tab.closed_at < end,
        )
    ).one()
    return int(count), int(amount)


def lock_merchant(uow: UnitOfWork) -> Merchant:
    """The merchant's row, locked on PostgreSQL: two closes of one day queue,
    and the second sees the first (SQLite already serialises writers)."""
    return get_merchant(uow, lock=True)


def find(uow: UnitOfWork, day: date) -> DayClose | None:
    return uow.session.get(DayClose, (uow.merchant, day))


def add(uow: UnitOfWork, close: DayClose) -> None:
    uow.session.add(close)
    uow.session.flush()


def closes_between(uow: UnitOfWork, first: date, last: date) -> list[DayClose]:
    """The closed days from ``first`` to ``last`` (included), oldest first: at
    most one a day, so a year is a few hundred rows."""
    return list(
        uow.session.scalars(
            select(DayClose)
            .where(DayClose.merchant_id == uow.merchant, DayClose.day.between(first, last))
            .order_by(DayClose.day)
        )
    )


def recent(uow: UnitOfWork, limit: int = 14) -> list[DayClose]:
    return list(
        uow.session.scalars(
            select(DayClose)
            .where(DayClose.merchant_id == uow.merchant)
            .order_by(DayClose.day.desc())
            .limit(limit)
        )
    )

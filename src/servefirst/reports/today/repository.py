"""The SQL behind the Today page: sums over one window of time, grouped.

Each query reads only rows of the window (indexes on ``(merchant_id,
created_at)`` of payments and tab lines, migration 0015), never the history.
Read-only, as every report: it reads other features' tables directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from servefirst.payments.models import Payment
from servefirst.payments.refund_models import Refund
from servefirst.staff.models import StaffMember
from servefirst.tabs.models import Tab, TabLine
from servefirst.tabs.rules import TabStatus


@dataclass(frozen=True)
class MethodTakings:
    method: str
    payments: int
    amount: int
    tips: int


@dataclass(frozen=True)
class Sold:
    """What one service, or one person, sold in the window (lines added)."""

    key: str | None
    name: str
    quantity: int
    amount: int


class TodayRepository:
    def __init__(self, session: Session, merchant_id: str) -> None:
        self.session = session
        self.merchant_id = merchant_id

    def takings_by_method(self, start: datetime, end: datetime) -> list[MethodTakings]:
        """Money received in ``[start, end)``, by how it was paid."""
        rows = self.session.execute(
            select(
                Payment.method,
                func.count(),
                func.coalesce(func.sum(Payment.amount), 0),
                func.coalesce(func.sum(Payment.tip), 0),
            )
            .where(
                Payment.merchant_id == self.merchant_id,
                Payment.created_at >= start,
                Payment.created_at < end,
                Payment.status == "succeeded",
            )
            .group_by(Payment.method)
            .order_by(Payment.method)
        )
        return [MethodTakings(m, int(n), int(a), int(t)) for m, n, a, t in rows]

    def refunded(self, start: datetime, end: datetime) -> tuple[int, int]:
        """(from bills, from tips) given back by refunds that went through in
        ``[start, end)``: money out, beside the takings."""
        amount, tip = self.session.execute(
            select(
                func.coalesce(func.sum(Refund.amount), 0), func.coalesce(func.sum(Refund.tip), 0)
            ).where(
                Refund.merchant_id == self.merchant_id,
                Refund.status == "succeeded",
                Refund.settled_at >= start,
                Refund.settled_at < end,
            )
        ).one()
        return int(amount), int(tip)

    def _lines_in(self, start: datetime, end: datetime) -> tuple[ColumnElement[bool], ...]:
        """Lines added in the window, on tabs not voided, less lines voided (a
        line rung up by mistake and taken off was never sold, as the sales
        report and earnings count it)."""
        return (
            TabLine.merchant_id == self.merchant_id,
            TabLine.created_at >= start,
            TabLine.created_at < end,
            TabLine.voided_at.is_(None),
            Tab.status != TabStatus.VOID.value,
        )

    def sold_by_service(self, start: datetime, end: datetime) -> list[Sold]:
        rows = self.session.execute(
            select(
                TabLine.service_id,
                func.max(TabLine.name),
                func.sum(TabLine.quantity),
                func.sum(TabLine.amount),
            )
            .join(Tab, (Tab.merchant_id == TabLine.merchant_id) & (Tab.tab_id == TabLine.tab_id))
            .where(*self._lines_in(start, end))
            .group_by(TabLine.service_id)
        )
        found = [Sold(key, name, int(q), int(a)) for key, name, q, a in rows]
        return sorted(found, key=lambda s: (-s.amount, s.name))

    def sold_by_staff(self, start: datetime, end: datetime) -> list[Sold]:
        """By who served each line; lines nobody was named for come as ``key=None``."""
        rows = self.session.execute(
            select(
                TabLine.staff_id,
                func.max(StaffMember.name),
                func.sum(TabLine.quantity),
                func.sum(TabLine.amount),
            )
            .join(Tab, (Tab.merchant_id == TabLine.merchant_id) & (Tab.tab_id == TabLine.tab_id))
            .outerjoin(
                StaffMember,
                (StaffMember.merchant_id == TabLine.merchant_id)
                & (StaffMember.staff_id == TabLine.staff_id),
            )
            .where(*self._lines_in(start, end))
            .group_by(TabLine.staff_id)
        )
        found = [Sold(key, name or "", int(q), int(a)) for key, name, q, a in rows]
        return sorted(found, key=lambda s: (s.key is None, -s.amount, s.name))

    def sales_total(self, start: datetime, end: datetime) -> int:
        total = self.session.scalar(
            select(func.coalesce(func.sum(TabLine.amount), 0))
            .join(Tab, (Tab.merchant_id == TabLine.merchant_id) & (Tab.tab_id == TabLine.tab_id))
            .where(*self._lines_in(start, end))
        )
        return int(total or 0)

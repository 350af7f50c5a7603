"""Who owes what, and since when: the debtors list (served and overdue tabs,
oldest debt first), in the same age buckets as the cash-flow report. A tab
ages from when it was served; an invoice from its due date (the start of that
day in the merchant's zone), so one not yet due is in the youngest bucket."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from servefirst.customers.models import Customer
from servefirst.db.uow import UnitOfWork
from servefirst.merchants.service import get_merchant
from servefirst.reports.rules import AGE_BUCKETS, bucket_for, days_owed
from servefirst.tabs.models import Tab
from servefirst.tabs.rules import TabStatus

#: The list shows this many; older debt first, so nothing old hides.
SHOWN = 300


@dataclass(frozen=True)
class Debt:
    tab_id: str
    short_code: str
    customer_id: str
    customer_name: str
    status: str
    due: int
    since: datetime
    days: int

    @property
    def bucket(self) -> str:
        return bucket_for(self.days).label

    @property
    def may_mark_overdue(self) -> bool:
        return self.status == TabStatus.SERVED.value


@dataclass(frozen=True)
class Debtors:
    debts: list[Debt]

    def in_bucket(self, label: str) -> list[Debt]:
        return [d for d in self.debts if d.bucket == label]

    @property
    def buckets(self) -> list[tuple[str, int, int]]:
        """(label, tabs, owed) for every bucket, youngest first."""
        return [
            (b.label, len(self.in_bucket(b.label)), sum(d.due for d in self.in_bucket(b.label)))
            for b in AGE_BUCKETS
        ]

    @property
    def total(self) -> int:
        return sum(d.due for d in self.debts)


def debtors(uow: UnitOfWork) -> Debtors:
    """Served and overdue tabs with something still owed, oldest first."""
    now = uow.clock.now()
    zone = ZoneInfo(get_merchant(uow).timezone)
    due = Tab.subtotal - Tab.adjustments - Tab.paid - Tab.deposit_applied
    rows = uow.session.execute(
        select(Tab, Customer.name, due)
        .join(
            Customer,
            (Customer.merchant_id == Tab.merchant_id) & (Customer.customer_id == Tab.customer_id),
        )
        .where(
            Tab.merchant_id == uow.merchant,
            Tab.status.in_([TabStatus.SERVED.value, TabStatus.OVERDUE.value]),
            due > 0,
        )
        .order_by(Tab.served_at, Tab.tab_id)
        .limit(SHOWN)
    ).all()
    debts = []
    for tab, name, owed in rows:
        since = (
            datetime.combine(tab.due_date, time(), zone)
            if tab.due_date is not None
            else tab.served_at or tab.opened_at
        )
        debts.append(
            Debt(
                tab.tab_id,
                tab.short_code,
                tab.customer_id,
                name,
                tab.status,
                int(owed),
                since,
                days_owed(since, now),
            )
        )
    return Debtors(debts)

"""Billing after delivery: a served tab issued as an invoice with a due date.

A consultant serves first and bills after: the tab gets a due date (a date,
or net 7/14/30 or any number of days), which the customer's page and the PDF
show. Payments go on as on any tab, in parts if the customer likes. An invoice
still unpaid turns overdue by itself the day after its due date (the delivery
worker's periodic look, ``messages.overdue_now``), and the debtors list ages it
from its due date, not from when it was served.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.merchants.service import merchant_zone
from servefirst.tabs.models import Tab
from servefirst.tabs.reading import bill_of
from servefirst.tabs.rules import ensure_can_invoice, invoice_due_date


def issue_invoice(
    uow: UnitOfWork, tab_id: str, *, due_date: date | None = None, net_days: int | None = None
) -> Tab:
    """Give the served tab its due date (again, to change it, while unpaid and not overdue)."""
    tab = uow.tabs.lock(tab_id)
    ensure_can_invoice(tab.status, bill_of(tab))
    now = uow.clock.now()
    today = now.astimezone(merchant_zone(uow)).date()
    due = invoice_due_date(today, due_date=due_date, net_days=net_days)
    uow.tabs.write(tab, due_date=due, invoiced_at=now)
    emit(
        uow,
        "tab.invoiced",
        tab.tab_id,
        {"due_date": due.isoformat(), "amount_due": bill_of(tab).due},
    )
    return tab


def overdue_from(due_date: date, zone: ZoneInfo) -> datetime:
    """The moment an invoice unpaid turns overdue: the start of the day after
    its due date, in the merchant's zone (as UTC)."""
    return datetime.combine(due_date + timedelta(days=1), time(), zone).astimezone(UTC)


def chase_anchor(tab: Tab, zone: ZoneInfo) -> datetime | None:
    """Where the reminders of an unpaid tab count from: an invoice's overdue
    moment (it is not chased before it is due), else when it was served."""
    if tab.due_date is not None:
        return overdue_from(tab.due_date, zone)
    return tab.served_at

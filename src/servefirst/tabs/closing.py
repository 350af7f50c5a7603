"""The end of a tab: served, settled (paid), voided, overdue, written off.

Every change of a tab's state goes through ``uow.tabs.write``; closing a tab
counts in its customer's history with the tab itself (``record_tab_closed``).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from servefirst.bookings.holds import release_tab_hold
from servefirst.customers.service import record_tab_closed
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind
from servefirst.tabs.models import Tab
from servefirst.tabs.reading import bill_of
from servefirst.tabs.rules import (
    TabAction,
    TabStatus,
    ensure_can_serve,
    ensure_can_void,
    ensure_no_payment_waiting,
    receipt_number_text,
    transition,
)


def serve(uow: UnitOfWork, tab_id: str) -> Tab:
    tab = uow.tabs.lock(tab_id)
    ensure_can_serve(tab.status, tab.line_count)
    uow.tabs.write(
        tab, status=transition(tab.status, TabAction.SERVE).value, served_at=uow.clock.now()
    )
    emit(uow, "tab.served", tab.tab_id, {"total": bill_of(tab).total})
    if bill_of(tab).due == 0:  # prepaid, or covered by a deposit
        settle(uow, tab)
    return tab


def settle(uow: UnitOfWork, tab: Tab, **also: Any) -> None:
    """The bill is covered: close the tab and let the customer's history show it.
    ``also``: more of the tab's columns to write in the same UPDATE (what a
    payment changed)."""
    # Lock the customer before the tab row changes again. On PostgreSQL a
    # second UPDATE of a row this transaction already updated re-checks its
    # foreign keys, taking a KEY SHARE lock on the customer; two transactions
    # settling one customer's tabs would then each hold that lock and wait to
    # upgrade it to FOR UPDATE when the history is counted: a deadlock.
    merchant = uow.customers.lock(tab.customer_id).merchant
    event = "late_payments" if tab.status == TabStatus.OVERDUE else "paid_visits"
    status = transition(tab.status, TabAction.SETTLE).value
    now = uow.clock.now()
    # The receipt's number is taken here, in the transaction that makes the
    # tab paid: whatever way it gets paid, and never for a payment rolled back.
    year = now.astimezone(ZoneInfo(merchant.timezone or "UTC")).year
    number = receipt_number_text(year, uow.receipt_counters.take_next(year))
    uow.tabs.write(tab, status=status, closed_at=now, receipt_number=number, **also)
    record_tab_closed(uow, tab, event, worth=bill_of(tab).total)
    release_tab_hold(uow, tab)  # paid another way: the card hold is no longer needed
    emit(uow, "tab.paid", tab.tab_id, {"total": bill_of(tab).total, "tips": tab.tips})


def void(uow: UnitOfWork, tab_id: str) -> Tab:
    tab = uow.tabs.lock(tab_id)
    ensure_no_payment_waiting(tab.pending_payment_id)
    ensure_can_void(tab.status, bill_of(tab))
    status = transition(tab.status, TabAction.VOID).value
    uow.tabs.write(tab, status=status, closed_at=uow.clock.now())
    release_tab_hold(uow, tab)
    emit(uow, "tab.voided", tab.tab_id, {})
    return tab


def mark_overdue(uow: UnitOfWork, tab_id: str) -> Tab:
    """A served tab left unpaid past its due time (reminders follow)."""
    tab = uow.tabs.lock(tab_id)
    uow.tabs.write(tab, status=transition(tab.status, TabAction.MARK_OVERDUE).value)
    emit(uow, "tab.overdue", tab.tab_id, {"amount_due": bill_of(tab).due})
    return tab


def write_off(uow: UnitOfWork, tab_id: str, reason: str = "") -> Tab:
    """Give up on what is still owed: the receivable becomes a loss (``reason``
    kept on the entry's memo and the event, when one is given)."""
    tab = uow.tabs.lock(tab_id)
    ensure_no_payment_waiting(tab.pending_payment_id)
    due = bill_of(tab).due
    status = transition(tab.status, TabAction.WRITE_OFF).value
    uow.tabs.write(tab, status=status, closed_at=uow.clock.now())
    record_tab_closed(uow, tab, "write_offs", worth=due)
    if due:
        ledger.post(
            uow,
            EntryBuilder(
                EntryKind.WRITE_OFF,
                tab.currency,
                memo=f"written off: {reason}"[:200] if reason else "written off",
                tab_id=tab.tab_id,
            )
            .debit(Account.WRITE_OFFS, due)
            .credit(Account.RECEIVABLES, due)
            .build(),
        )
    emit(
        uow,
        "tab.written_off",
        tab.tab_id,
        {"amount": due, **({"reason": reason} if reason else {})},
    )
    return tab

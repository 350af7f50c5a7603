"""Posting entries and reading balances."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from servefirst.db.uow import UnitOfWork
from servefirst.ledger.models import AccountBalance, JournalEntryRow, JournalLegRow
from servefirst.ledger.rules import Account, JournalEntry, PostedLeg


def open_accounts(uow: UnitOfWork) -> None:
    """Create the merchant's account plan with zero balances (once, with the merchant)."""
    uow.ledger.open_accounts()


def post(uow: UnitOfWork, entry: JournalEntry) -> str:
    """Append ``entry`` and move the running balances, in the caller's
    transaction; returns the entry's id (``ledger.repository`` has the SQL)."""
    return uow.ledger.post(entry)


def legs_between(
    uow: UnitOfWork, start: datetime, end: datetime, batch: int
) -> Iterator[PostedLeg]:
    """Every leg posted from ``start`` (included) to ``end`` (excluded), in
    posting order, read ``batch`` rows at a time (a server-side cursor on
    PostgreSQL): memory stays flat however long the period."""
    return uow.ledger.legs_between(start, end, batch)


def count_legs(uow: UnitOfWork, start: datetime, end: datetime) -> int:
    """How many legs were posted in the period (a progress bar's total)."""
    return uow.ledger.count_legs(start, end)


def balances_before(uow: UnitOfWork, moment: datetime) -> dict[str, int]:
    """Each account's balance (debits minus credits) from the legs posted
    before ``moment``: a period's opening balances."""
    return uow.ledger.balances_before(moment)


@dataclass(frozen=True)
class Balances:
    currency: str
    accounts: dict[str, AccountBalance]

    @property
    def total(self) -> int:
        return sum(a.balance for a in self.accounts.values())

    def balance(self, account: Account) -> int:
        row = self.accounts.get(account.value)
        return row.balance if row else 0


def balances(uow: UnitOfWork, currency: str) -> Balances:
    return Balances(currency, {row.account: row for row in uow.ledger.running_balances()})


def journal(
    uow: UnitOfWork, *, tab_id: str | None = None, limit: int = 50
) -> list[tuple[JournalEntryRow, list[JournalLegRow]]]:
    """The newest ``limit`` journal entries (of one tab, given ``tab_id``), with their legs."""
    return uow.ledger.journal(tab_id=tab_id, limit=limit)


@dataclass(frozen=True)
class AuditResult:
    accounts_checked: int
    entries_checked: int
    mismatched_accounts: dict[str, tuple[int, int]]  # account -> (running, from legs)
    unbalanced_entries: list[str]

    @property
    def ok(self) -> bool:
        return not self.mismatched_accounts and not self.unbalanced_entries


def audit(uow: UnitOfWork) -> AuditResult:
    """Rebuild every balance from the legs and compare with the running totals."""
    from_legs = uow.ledger.balances_from_legs()
    running = {row.account: row.balance for row in uow.ledger.running_balances()}
    mismatched = {
        account: (running.get(account, 0), from_legs.get(account, 0))
        for account in set(running) | set(from_legs)
        if running.get(account, 0) != from_legs.get(account, 0)
    }
    unbalanced = uow.ledger.unbalanced_entries()
    return AuditResult(len(running), uow.ledger.count_entries(), mismatched, unbalanced)

"""Posting entries and reading balances."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from servefirst.db.uow import UnitOfWork
from servefirst.ledger.models import AccountBalance, JournalEntryRow, JournalLegRow
from servefirst.ledger.rules import Account, JournalEntry, PostedLeg, Side


def open_accounts(uow: UnitOfWork) -> None:
    """Create the merchant's account plan with zero balances (once, with the merchant)."""
    uow.ledger.open_accounts()


def post(uow: UnitOfWork, entry: JournalEntry) -> str:
    """Append ``entry`` and move the running balances, in the caller's
    transaction; returns the entry's id (``ledger.repository`` has the SQL)."""
    return uow.ledger.post(entry)


def legs_between(
    uow: UnitOfWork, start: datetime, end: datetime, batch: int = 2000
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
    rows = uow.session.scalars(
        select(AccountBalance)
        .where(AccountBalance.merchant_id == uow.merchant)
        .order_by(AccountBalance.account)
    )
    return Balances(currency, {row.account: row for row in rows})


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
    merchant = uow.merchant
    signed = func.sum(
        case(
            (JournalLegRow.side == Side.DEBIT.value, JournalLegRow.amount),
            else_=-JournalLegRow.amount,
        )
    )
    from_legs: dict[str, int] = dict(
        uow.session.execute(
            select(JournalLegRow.account, signed)
            .where(JournalLegRow.merchant_id == merchant)
            .group_by(JournalLegRow.account)
        ).all()
    )
    running = {
        row.account: row.balance
        for row in uow.session.scalars(
            select(AccountBalance).where(AccountBalance.merchant_id == merchant)
        )
    }
    mismatched = {
        account: (running.get(account, 0), int(from_legs.get(account) or 0))
        for account in set(running) | set(from_legs)
        if running.get(account, 0) != int(from_legs.get(account) or 0)
    }
    unbalanced = list(
        uow.session.scalars(
            select(JournalLegRow.entry_id)
            .where(JournalLegRow.merchant_id == merchant)
            .group_by(JournalLegRow.entry_id)
            .having(signed != 0)
        )
    )
    entries = uow.session.scalar(
        select(func.count())
        .select_from(JournalEntryRow)
        .where(JournalEntryRow.merchant_id == merchant)
    )
    return AuditResult(len(running), int(entries or 0), mismatched, unbalanced)

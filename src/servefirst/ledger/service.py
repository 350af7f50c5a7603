"""Posting entries and reading balances."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, insert, select, update

from servefirst.db.uow import UnitOfWork
from servefirst.kit.ids import new_id
from servefirst.ledger.models import AccountBalance, JournalEntryRow, JournalLegRow
from servefirst.ledger.rules import Account, JournalEntry, Side


def open_accounts(uow: UnitOfWork) -> None:
    """Create the merchant's account plan with zero balances.

    Done once, when the merchant is created, so posting is always an UPDATE of
    an existing row (no insert race between two first payments).
    """
    uow.session.execute(
        insert(AccountBalance),
        [
            {
                "merchant_id": uow.merchant,
                "account": a.value,
                "debits": 0,
                "credits": 0,
                "balance": 0,
            }
            for a in Account
        ],
    )


def post(uow: UnitOfWork, entry: JournalEntry) -> str:
    """Append ``entry`` and move the running balances, in the caller's transaction."""
    merchant = uow.merchant
    entry_id = new_id("je")
    session = uow.session
    session.execute(
        insert(JournalEntryRow).values(
            merchant_id=merchant,
            entry_id=entry_id,
            kind=entry.kind.value,
            currency=entry.currency,
            memo=entry.memo[:200],
            tab_id=entry.tab_id,
            created_at=uow.clock.now(),
        )
    )
    session.execute(
        insert(JournalLegRow),
        [
            {
                "merchant_id": merchant,
                "entry_id": entry_id,
                "leg_no": i,
                "account": leg.account,
                "side": leg.side.value,
                "amount": leg.amount,
            }
            for i, leg in enumerate(entry.legs, start=1)
        ],
    )
    debits: dict[str, int] = {}
    credits: dict[str, int] = {}
    for leg in entry.legs:
        bucket = debits if leg.side is Side.DEBIT else credits
        bucket[leg.account] = bucket.get(leg.account, 0) + leg.amount
    # Sorted account order: every transaction takes these row locks in the
    # same order, so concurrent postings queue instead of deadlocking.
    for account in sorted(set(debits) | set(credits)):
        d, c = debits.get(account, 0), credits.get(account, 0)
        result = session.execute(
            update(AccountBalance)
            .where(AccountBalance.merchant_id == merchant, AccountBalance.account == account)
            .values(
                debits=AccountBalance.debits + d,
                credits=AccountBalance.credits + c,
                balance=AccountBalance.balance + (d - c),
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ValueError(f"account {account!r} is not in the account plan")
    return entry_id


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

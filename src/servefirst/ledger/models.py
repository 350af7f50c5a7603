from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Amount, Base, UTCDateTime


class JournalEntryRow(Base):
    """One balanced movement of money. Append-only."""

    __tablename__ = "journal_entries"
    __table_args__ = (
        ForeignKeyConstraint(["merchant_id"], ["merchants.merchant_id"]),
        Index("ix_journal_entries_created", "merchant_id", "created_at"),
        Index("ix_journal_entries_tab", "merchant_id", "tab_id"),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), doc="Why it was posted (ledger.rules.EntryKind).")
    currency: Mapped[str] = mapped_column(String(3))
    memo: Mapped[str] = mapped_column(String(200), default="")
    tab_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class JournalLegRow(Base):
    """A positive amount on one side of one account."""

    __tablename__ = "journal_legs"
    __table_args__ = (
        ForeignKeyConstraint(
            ["merchant_id", "entry_id"],
            ["journal_entries.merchant_id", "journal_entries.entry_id"],
        ),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("side IN ('debit', 'credit')", name="side_known"),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    leg_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(40))
    side: Mapped[str] = mapped_column(String(6))
    amount: Mapped[int] = mapped_column(Amount)


class AccountBalance(Base):
    """Running totals per account: O(1) balances, rebuildable from the legs."""

    __tablename__ = "account_balances"
    __table_args__ = (ForeignKeyConstraint(["merchant_id"], ["merchants.merchant_id"]),)

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    account: Mapped[str] = mapped_column(String(40), primary_key=True)
    debits: Mapped[int] = mapped_column(Amount, default=0, doc="All debits ever posted.")
    credits: Mapped[int] = mapped_column(Amount, default=0, doc="All credits ever posted.")
    balance: Mapped[int] = mapped_column(Amount, default=0, doc="debits - credits.")

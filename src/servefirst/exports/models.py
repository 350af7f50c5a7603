"""The merchant's account mapping: our account codes (and tax rates) in the
words of their accountant's chart of accounts, set once, used by every export."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Base


class AccountMappingRow(Base):
    """One of our codes and what the merchant's books call it."""

    __tablename__ = "account_mappings"
    __table_args__ = (
        ForeignKeyConstraint(["merchant_id"], ["merchants.merchant_id"]),
        CheckConstraint("kind IN ('account', 'tax_rate')", name="kind_known"),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(
        String(10), primary_key=True, doc="'account' (a ledger account) or 'tax_rate'."
    )
    source: Mapped[str] = mapped_column(
        String(40), primary_key=True, doc="Our account code or tax rate id."
    )
    target: Mapped[str] = mapped_column(
        String(100), doc="The accountant's account code, or tax type."
    )

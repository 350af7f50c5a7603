from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Amount, Base, UTCDateTime


class TaxRate(Base):
    """A tax rate of the merchant (VAT/IVA standard, reduced; a sales tax).

    Never changed once made: a line keeps the rate it was charged at, so a
    new percent is a new rate, and the tax report keeps the two apart."""

    __tablename__ = "tax_rates"
    __table_args__ = (
        ForeignKeyConstraint(["merchant_id"], ["merchants.merchant_id"]),
        UniqueConstraint("merchant_id", "name"),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    rate_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), doc="As the owner calls it ('IVA 23%').")
    percent: Mapped[str] = mapped_column(
        String(12), doc="A decimal written as text ('23', '5.5'): exact, never a float."
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TaxMovement(Base):
    """What one journal entry moved under one tax rate: net and tax (signed:
    a discount, refund or void moves them back). The tax report sums these
    over the entries of a period (the entry's time is the movement's), and
    their tax always equals the entry's tax-payable leg."""

    __tablename__ = "tax_movements"
    __table_args__ = (
        ForeignKeyConstraint(
            ["merchant_id", "entry_id"],
            ["journal_entries.merchant_id", "journal_entries.entry_id"],
        ),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    rate_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    percent: Mapped[str] = mapped_column(String(12))
    tab_id: Mapped[str] = mapped_column(String(40))
    net: Mapped[int] = mapped_column(Amount)
    tax: Mapped[int] = mapped_column(Amount)

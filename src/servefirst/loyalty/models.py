"""Loyalty's rows: an append-only journal of stamps and points, and the rewards
they (and referrals) turn into."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKeyConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Amount, Base, UTCDateTime
from servefirst.loyalty.take_back_rules import LONGEST_REFERENCE


class LoyaltyTransaction(Base):
    """One movement of a customer's stamps or points. Never updated or deleted:
    a balance is the sum of a customer's rows, and a correction is a new row."""

    __tablename__ = "loyalty_transactions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["merchant_id", "customer_id"], ["customers.merchant_id", "customers.customer_id"]
        ),
        Index("ix_loyalty_transactions_customer", "merchant_id", "customer_id", "created_at"),
        Index("ix_loyalty_transactions_tab", "merchant_id", "tab_id"),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    transaction_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(
        String(16),
        doc="earn (a paid tab), take_back (a refund, or a line voided on a paid tab),"
        " convert (points became a reward),"
        " restore (a voided reward's points back), give_back (a lost dispute's take-back,"
        " the dispute won after all), expire (lapsed without a visit),"
        " redeem (a reward used: 0 points, kept for the day's count).",
    )
    points: Mapped[int] = mapped_column(
        Integer, doc="Stamps or points, signed: what this row adds to the balance."
    )
    tab_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reward_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reference: Mapped[str | None] = mapped_column(
        String(LONGEST_REFERENCE),
        nullable=True,
        doc="What took points back: the refund's id, the voided line ('line 3', of tab_id),"
        " or the lost dispute ('dispute dp_...').",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LoyaltyReward(Base):
    """A reward a customer holds: from the loyalty programme, or a referral's
    welcome (the friend's) or thanks (the referrer's)."""

    __tablename__ = "loyalty_rewards"
    __table_args__ = (
        ForeignKeyConstraint(
            ["merchant_id", "customer_id"], ["customers.merchant_id", "customers.customer_id"]
        ),
        Index("ix_loyalty_rewards_customer", "merchant_id", "customer_id", "status"),
        CheckConstraint("discount IS NULL OR discount > 0", name="discount_positive"),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    reward_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(
        String(20), doc="loyalty, referral_friend (the welcome) or referral_referrer (the thanks)."
    )
    reward: Mapped[dict[str, Any]] = mapped_column(
        JSON, doc="What it takes off: {type, amount?, percent?, service_id?} (loyalty.rules)."
    )
    status: Mapped[str] = mapped_column(
        String(12),
        doc="available, redeemed or void (taken back with the points that made it)."
        " An available reward past expires_at counts as expired.",
    )
    cost: Mapped[int] = mapped_column(
        Integer, default=0, doc="Stamps or points it was made from (0 for a referral's)."
    )
    referred_customer_id: Mapped[str | None] = mapped_column(
        String(40), nullable=True, doc="A referral's: the friend whose first visit it is for."
    )
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    tab_id: Mapped[str | None] = mapped_column(
        String(40), nullable=True, doc="The tab it was taken off."
    )
    discount: Mapped[int | None] = mapped_column(
        Amount, nullable=True, doc="What it took off that tab, in minor units."
    )

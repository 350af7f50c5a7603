from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Base, UTCDateTime


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        ForeignKeyConstraint(["merchant_id", "tab_id"], ["tabs.merchant_id", "tabs.tab_id"]),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    tab_id: Mapped[str] = mapped_column(String(40), primary_key=True, doc="One review per tab.")
    review_id: Mapped[str] = mapped_column(String(40))
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Amount, Base, UTCDateTime


class Concern(Base):
    __tablename__ = "concerns"
    __table_args__ = (
        ForeignKeyConstraint(["merchant_id", "tab_id"], ["tabs.merchant_id", "tabs.tab_id"]),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    concern_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tab_id: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text, doc="The customer's words.")
    remedy: Mapped[str] = mapped_column(String(16), doc="redo, partial or waive.")
    requested_amount: Mapped[int | None] = mapped_column(Amount, nullable=True)
    approved_amount: Mapped[int] = mapped_column(Amount, default=0, doc="Discount granted.")
    status: Mapped[str] = mapped_column(String(16), doc="approved, pending or rejected.")
    decision: Mapped[str] = mapped_column(Text, default="", doc="Why, in plain words.")
    unfounded: Mapped[bool] = mapped_column(default=False, doc="Rejected and counts on trust.")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

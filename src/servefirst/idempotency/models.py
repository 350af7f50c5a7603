from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Base, UTCDateTime


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    scope: Mapped[str] = mapped_column(
        String(80), primary_key=True, doc="Whose key: 'api' or the tab a customer acts on."
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), doc="sha256 of method, path and body.")
    response_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    recovery_point: Mapped[str | None] = mapped_column(
        String(64),
        nullable=True,
        doc="What the first request kept before its answer (a booking or a tab changed"
        " before the card processor was asked, in phases): a retry after a crash lands on"
        " it instead of doing it again.",
    )
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime, doc="When the first request began.")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Base, UTCDateTime


class StaffHours(Base):
    """When a staff member works and what they perform: what online booking offers.

    Kept as the checked document the API takes (``availability.rules.WorkingHours``):
    it is read whole for every availability answer and written whole when changed.
    """

    __tablename__ = "staff_hours"
    __table_args__ = (
        ForeignKeyConstraint(
            ["merchant_id", "staff_id"], ["staff_members.merchant_id", "staff_members.staff_id"]
        ),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    weekly: Mapped[dict[str, Any]] = mapped_column(
        JSON, doc='Wall-clock ranges by day: {"mon": [["09:00", "13:00"], ...]}.'
    )
    exceptions: Mapped[list[Any]] = mapped_column(
        JSON, doc='Dates whose hours replace the week\'s: [{"date", "hours"}]; [] is a day off.'
    )
    services: Mapped[list[str]] = mapped_column(JSON, doc="Ids of the services they perform.")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

"""Request and response shapes of the staff API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import ConfigDict, Field

from servefirst.api.fields import Body, Name, Out
from servefirst.staff.models import StaffAccount, StaffMember


class StaffIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Marta Silva",
                    "role": "barista",
                    "access": "staff",
                    "commission_rate_bps": 1000,
                }
            ]
        }
    )

    name: Name = Field(examples=["Marta Silva"])
    role: str = Field(
        default="staff", max_length=40, description="The job title, free text: 'barista'."
    )
    access: Literal["owner", "manager", "staff"] | None = Field(
        default=None,
        description="What the console allows: 'staff' take orders, serve and record payments;"
        " 'manager' also resolve concerns, void, refund and close the day; 'owner' also money"
        " reports, settings and staff. Default: 'owner' for the role 'owner', else 'staff'.",
    )
    commission_rate_bps: int = Field(
        default=0,
        ge=0,
        le=10_000,
        strict=True,
        description="Commission on what was paid for their lines, in basis points: 1250 is 12.5%.",
    )
    email: str | None = Field(
        default=None, max_length=320, description="With password: the member may sign in."
    )
    password: str | None = Field(default=None, max_length=256)


class StaffUpdateIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"commission_rate_bps": 1250}]})

    name: Name | None = None
    role: str | None = Field(default=None, max_length=40)
    access: Literal["owner", "manager", "staff"] | None = None
    commission_rate_bps: int | None = Field(default=None, ge=0, le=10_000, strict=True)
    active: bool | None = Field(
        default=None,
        strict=True,
        description="false: they left the business (owners only; not oneself, not the last"
        " owner, not while bookings still wait for them); true: they are back.",
    )


class StaffOut(Out):
    id: str
    object: Literal["staff_member"] = "staff_member"
    name: str
    role: str
    access: str
    commission_rate_bps: int
    commission_percent: str = Field(description="The same rate as a percent, e.g. '12.50'.")
    email: str | None = Field(description="The sign-in e-mail, or null if they never sign in.")
    can_sign_in: bool
    active: bool = Field(
        description="false once they left: no sign-in, no new bookings or lines; their past"
        " lines, bookings and earnings stay theirs."
    )
    created_at: datetime

    @classmethod
    def build(cls, member: StaffMember, account: StaffAccount | None) -> StaffOut:
        return cls(
            id=member.staff_id,
            name=member.name,
            role=member.role,
            access=member.access,
            commission_rate_bps=member.commission_bps,
            commission_percent=f"{Decimal(member.commission_bps) / 100:.2f}",
            email=account.email if account else None,
            can_sign_in=account is not None and member.active,
            active=member.active,
            created_at=member.created_at,
        )


class StaffList(Out):
    object: Literal["list"] = "list"
    data: list[StaffOut]

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date as Date
from datetime import datetime
from functools import lru_cache
from time import gmtime, strftime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from servefirst.api.fields import Body, Moment, Name, Out, TermsOut
from servefirst.availability.hours import WorkingHours
from servefirst.bookings.schemas import BookingOut
from servefirst.customers.rules import PHONE_MAX, PHONE_PATTERN

Clock = Annotated[str, Field(max_length=5, examples=["09:00"])]
Ranges = Annotated[
    list[Annotated[list[Clock], Field(min_length=2, max_length=2)]], Field(max_length=24)
]


class HoursException(Body):
    date: Date = Field(description="A date on the merchant's calendar.")
    hours: Ranges = Field(default_factory=list, description="That day's hours; [] is a day off.")


class HoursIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "weekly": {"mon": [["09:00", "13:00"], ["14:00", "18:00"]]},
                    "exceptions": [{"date": "2026-12-24", "hours": []}],
                    "services": ["svc_7hq2m9x4c1v8b3nd"],
                }
            ]
        }
    )

    weekly: dict[str, Ranges] = Field(
        default_factory=dict,
        max_length=7,
        description="By day (mon..sun), ranges [start, end] as HH:MM on the merchant's clock;"
        " a day left out is not worked.",
    )
    exceptions: list[HoursException] = Field(
        default_factory=list,
        max_length=400,
        description="Dates whose hours replace the week's (a day off, changed hours).",
    )
    services: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list, max_length=500, description="Ids of the services they perform."
    )


class HoursOut(Out):
    object: Literal["staff_hours"] = "staff_hours"
    staff_id: str
    weekly: dict[str, list[list[str]]]
    exceptions: list[HoursException]
    services: list[str]

    @classmethod
    def build(cls, staff_id: str, hours: WorkingHours) -> HoursOut:
        data = hours.as_json()
        return cls(
            staff_id=staff_id,
            weekly=data["weekly"],
            exceptions=[HoursException(**e) for e in data["exceptions"]],
            services=data["services"],
        )


class PublicPerformer(Out):
    id: str
    name: str


class PublicService(Out):
    id: str
    object: Literal["service"] = "service"
    name: str
    price: int
    currency: str
    duration_minutes: int
    expected_results: TermsOut
    limits: TermsOut
    staff: list[PublicPerformer] = Field(description="Who performs it (book one, or anyone).")


class PublicServiceList(Out):
    object: Literal["list"] = "list"
    merchant_name: str
    timezone: str
    data: list[PublicService]


class SlotOut(Out):
    starts_at: datetime
    staff_id: str


class AvailabilityOut(Out):
    object: Literal["availability"] = "availability"
    service_id: str
    timezone: str = Field(description="The merchant's zone: the dates asked are its dates.")
    slots: list[SlotOut]

    @staticmethod
    def json_bytes(service_id: str, timezone: str, times: Sequence[tuple[int, str]]) -> bytes:
        """The answer as this model serialises it (``model_dump_json``), built
        without a model per slot: a two-week answer for anyone has hundreds,
        and validating each was a large share of the request. ``times``:
        (seconds since the epoch, staff id); a test holds the two equal.
        Each slot is one formatted string: the strings in it (a handful of
        staff ids) are escaped by ``json`` once each."""
        ids: dict[str, str] = {}
        slots = []
        for at, who in times:
            quoted = ids.get(who) or ids.setdefault(who, _json(who))
            slots.append(f'{{"starts_at":"{_utc_text(at)}","staff_id":{quoted}}}')
        return (
            f'{{"object":"availability","service_id":{_json(service_id)},'
            f'"timezone":{_json(timezone)},"slots":[{",".join(slots)}]}}'
        ).encode()


def _json(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


@lru_cache(maxsize=8192)
def _utc_text(seconds: int) -> str:
    """A moment as pydantic writes an aware UTC datetime of whole seconds;
    kept, as the same times on the step come back answer after answer."""
    return strftime("%Y-%m-%dT%H:%M:%SZ", gmtime(seconds))


class PublicBookingIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "service_id": "svc_7hq2m9x4c1v8b3nd",
                    "starts_at": "2026-12-01T10:30:00+00:00",
                    "name": "Ana Costa",
                    "email": "ana@example.com",
                    "card": "4242424242424242",
                }
            ]
        }
    )

    service_id: str = Field(max_length=40)
    starts_at: Moment = Field(description="One of the offered times, with a time zone.")
    staff_id: str | None = Field(
        default=None, max_length=40, description="A person; left out, anyone free."
    )
    name: Name
    email: str = Field(max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, max_length=PHONE_MAX, pattern=PHONE_PATTERN)
    card: str | None = Field(
        default=None, max_length=32, description="A sandbox test card, when a deposit is asked."
    )
    payment_method: str | None = Field(
        default=None,
        max_length=255,
        description="With a merchant on Stripe: the PaymentMethod (made by Stripe.js) for the"
        " deposit, instead of `card`.",
    )
    email_proof: str | None = Field(
        default=None,
        max_length=40,
        description="The `proof_id` of a confirmed e-mail code for this `email`"
        " (`POST .../email-codes/{code_id}/confirm`): the booking is the returning customer's,"
        " and their history decides the deposit. Left out, the person is booked as new.",
    )


class EmailCodeIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"email": "ana@example.com"}]})

    email: str = Field(
        max_length=320,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        description="Where the one-time code is sent.",
    )


class EmailCodeOut(Out):
    """A code sent: the same answer whoever the e-mail belongs to."""

    id: str
    object: Literal["email_code"] = "email_code"
    email: str
    status: Literal["sent"] = "sent"
    expires_at: datetime = Field(description="The code works until then.")


class EmailCodeConfirmIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "123 456"}]})

    code: str = Field(max_length=20, description="The code from the e-mail, e.g. `123 456`.")


class EmailProofOut(Out):
    """A confirmed e-mail: ``proof_id`` goes in the booking's ``email_proof``."""

    id: str
    object: Literal["email_code"] = "email_code"
    status: Literal["confirmed"] = "confirmed"
    proof_id: str = Field(description="Book with it once, as `email_proof`.")
    proof_expires_at: datetime = Field(description="Book before then.")


class PublicBookingOut(BookingOut):
    manage_url: str = Field(default="", description="The customer's page for this booking.")

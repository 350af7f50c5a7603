"""Field types shared by the features' request schemas."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from servefirst.kit.money import MAX_AMOUNT

#: An amount in minor units: a JSON integer, never a float or a string.
Amount = Annotated[int, Field(strict=True, ge=0, le=MAX_AMOUNT, examples=[450])]
#: A tip in minor units.
Tip = Annotated[int, Field(strict=True, ge=0, le=MAX_AMOUNT, examples=[50])]
#: Text may not carry NUL: PostgreSQL cannot store it, and no person types it.
NO_NUL = r"^[^\x00]*$"
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_NUL)
]
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000, pattern=NO_NUL)
]
#: Terms: a sentence, or a list of short statements (returned as given).
TermsText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=4000, pattern=NO_NUL)
]
Terms = TermsText | Annotated[list[TermsText], Field(max_length=50)]

#: The calendar the API takes dates from: years 2000 to 2100 (UTC). Nothing a
#: business books or reports on falls outside it, and a date near year 1 or
#: 9999 overflows Python's calendar once a duration, a whole day or a time
#: zone is applied to it (a 500 where a typo deserves a 422).
CALENDAR_START = datetime(2000, 1, 1, tzinfo=UTC)
CALENDAR_END = datetime(2101, 1, 1, tzinfo=UTC)  # excluded
CALENDAR_RULE = "must fall in the years 2000 to 2100 (UTC)"


def in_calendar(moment: datetime) -> bool:
    """Whether ``moment`` (naive: UTC) falls in the API's calendar. Aware times
    compare without conversion, so year 1 at +14:00 does not overflow here."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return CALENDAR_START <= aware < CALENDAR_END


def _within_calendar(moment: datetime) -> datetime:
    if not in_calendar(moment):
        raise PydanticCustomError("date_outside_calendar", CALENDAR_RULE)
    return moment


#: A time with a zone, in the API's calendar (a request body's field).
Moment = Annotated[AwareDatetime, AfterValidator(_within_calendar)]
#: A query's time; without a zone it is UTC.
QueryMoment = Annotated[datetime, AfterValidator(_within_calendar)]


class Body(BaseModel):
    """Request bodies: unknown fields are ignored (integrators' forward compatibility)."""

    model_config = ConfigDict(extra="ignore", str_max_length=4000)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


#: A time as the reports write it (``datetime.isoformat()``, ``+00:00``), typed
#: as a date-time in the schema.
IsoTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]

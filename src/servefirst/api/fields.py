"""Field types shared by the features' request schemas."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    StringConstraints,
    Tag,
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
#: Terms (a service's ``expected_results`` and ``limits``), one rule: a sentence
#: (a JSON string) or a list of statements (a JSON array of strings), kept and
#: returned in the form sent, trimmed. A blank sentence or an empty list says
#: nothing; a statement inside a list is text that is not blank (an empty
#: bullet on the customer's page is a mistake, never a promise). Anything else
#: is refused with words that say which. The console reads these refusals by
#: their pydantic kinds (``staff.schema_words``), so the kinds are pydantic's.
TERMS_MAX_LENGTH = 4000
TERMS_MAX_STATEMENTS = 50
TermsText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=TERMS_MAX_LENGTH, pattern=NO_NUL)
]


def _statement(value: object) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError(
            "string_type",
            "each statement is text (a string), not {kind}",
            {"kind": _json_kind(value)},
        )
    text = value.strip()
    if not text:
        raise PydanticCustomError(
            "string_too_short",
            "a statement cannot be blank: leave it out of the list",
            {"min_length": 1},
        )
    if len(text) > TERMS_MAX_LENGTH:
        raise PydanticCustomError(
            "string_too_long",
            "a statement takes at most {max_length} characters",
            {"max_length": TERMS_MAX_LENGTH},
        )
    if "\x00" in text:
        raise PydanticCustomError(
            "string_pattern_mismatch", "a statement cannot hold a NUL character", {}
        )
    return text


def _json_kind(value: object) -> str:
    """What a JSON value is, in an integrator's words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "a " + type(value).__name__


Statement = Annotated[
    str,
    PlainValidator(_statement),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": TERMS_MAX_LENGTH,
            "pattern": r"^\s*[^\s\x00][^\x00]*$",  # not blank, no NUL
        }
    ),
]


def _form_of_terms(value: object) -> str | None:
    """Which of the two forms ``value`` is; None: neither (refused as such)."""
    if isinstance(value, str):
        return "(sentence)"
    if isinstance(value, list):
        return "(statements)"
    return None


#: The tags are in parentheses so that no error's ``param`` names them.
Terms = Annotated[
    Annotated[TermsText, Tag("(sentence)")]
    | Annotated[list[Statement], Field(max_length=TERMS_MAX_STATEMENTS), Tag("(statements)")],
    Discriminator(
        _form_of_terms,
        custom_error_type="terms_type",
        custom_error_message="give a sentence (a string) or a list of statements (strings)",
    ),
]
#: Terms as kept: read back as they were saved, whatever rule held then.
TermsOut = Annotated[
    str | list[str],
    Field(description="As sent: a sentence (a string) or a list of statements (strings)."),
]
#: What an integrator reads about ``Terms`` on each field that takes them.
TERMS_RULE = (
    " One sentence (a string) or a list of statements (an array of at most 50 strings),"
    " returned in the form sent, trimmed. Each statement of a list is text that is not blank,"
    " at most 4000 characters; a blank sentence or `[]` says nothing. Anything else (a"
    " number, a nested list, a blank statement in a list) is refused with 422"
    " `parameter_invalid`, `param` naming the field and, for a statement, its place"
    " (`expected_results.1` is the second)."
)

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

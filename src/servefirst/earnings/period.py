"""Reading a report's period from ``?from=&to=``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from pydantic import WithJsonSchema

from servefirst.api.fields import CALENDAR_RULE, in_calendar
from servefirst.kit.errors import InvalidRequest

#: A period's edge as a query parameter: a date (2026-11-01) or an ISO 8601
#: time. Kept as text until ``period_of`` reads it, because a bare date means
#: the whole day (as ``to``), which a parsed time could no longer tell; the
#: schema still types it, so generated clients send dates and times.
PeriodEdge = Annotated[
    str,
    WithJsonSchema(
        {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}
    ),
]


@dataclass(frozen=True)
class Period:
    start: datetime  # included
    end: datetime  # excluded


def _parse(text: str, param: str) -> tuple[datetime, bool]:
    """(the moment, whether only a date was given)."""
    try:
        if len(text) == 10:
            moment, whole_day = datetime.combine(date.fromisoformat(text), time(), UTC), True
        else:
            moment, whole_day = datetime.fromisoformat(text.replace("Z", "+00:00")), False
    except ValueError:
        raise InvalidRequest(
            f"'{text}' is not a date (2026-11-01) or an ISO 8601 time.", param=param
        ) from None
    if not in_calendar(moment):  # before any arithmetic: no overflow at the calendar's ends
        raise InvalidRequest(f"'{param}' {CALENDAR_RULE}.", param=param)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC), whole_day


def period_of(start: str | None, end: str | None, now: datetime) -> Period:
    """``from`` is included; ``to`` is excluded, except that a bare date ``to``
    includes that whole day. Defaults: the start of this month (UTC) to now."""
    begin = (
        _parse(start, "from")[0]
        if start
        else now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    )
    if end:
        finish, whole_day = _parse(end, "to")
        if whole_day:
            finish += timedelta(days=1)
    else:
        finish = now + timedelta(microseconds=1)
    if finish <= begin:
        raise InvalidRequest("'to' must come after 'from'.", param="to")
    return Period(begin, finish)

"""When someone can be booked: pure functions, no database, no web.

A staff member's working hours are weekly ranges on the merchant's wall clock
(several a day, so a lunch break is two ranges), replaced on a given date by
an exception (``[]`` is a day off). Free time is those hours minus bookings,
each booking followed by its service's buffer. Every range is turned into UTC
on its own date, so a day across a daylight-saving change is as long as it
really is: 09:00-18:00 is nine hours either way; 00:00-06:00 on the night the
clocks go forward is five.

A slot is offered on the merchant's step (every 15 minutes from the start of
each range) and also the moment a gap opens after a booking and its buffer,
so every gap long enough for the service offers something even when it does
not start on the step.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Any

from servefirst.kit.errors import Conflict, InvalidRequest

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_A_DAY = 24 * 60
#: The longest window one availability request answers.
MAX_WINDOW_DAYS = 14
_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")

#: A range of a day as minutes after midnight on the wall clock, end excluded.
Range = tuple[int, int]


@dataclass(frozen=True)
class BookingSettings:
    """How customers may book: the step between offered times, how long before
    a slot booking closes, and how far ahead one may book."""

    slot_minutes: int = 15
    min_notice_minutes: int = 120
    max_days_ahead: int = 60


SETTING_LIMITS = {
    "slot_minutes": (5, 240),
    "min_notice_minutes": (0, 30 * MINUTES_A_DAY),
    "max_days_ahead": (1, 365),
}


def check_setting(name: str, value: int) -> int:
    low, high = SETTING_LIMITS[name]
    if not low <= value <= high:
        raise InvalidRequest(
            f"{name} must be between {low} and {high}.", code="parameter_invalid", param=name
        )
    return value


@dataclass(frozen=True)
class WorkingHours:
    """One staff member's week, their dated exceptions and what they perform."""

    weekly: Mapping[int, tuple[Range, ...]] = field(default_factory=dict)
    exceptions: Mapping[date, tuple[Range, ...]] = field(default_factory=dict)
    services: frozenset[str] = frozenset()

    def ranges_on(self, day: date) -> tuple[Range, ...]:
        if day in self.exceptions:
            return self.exceptions[day]
        return self.weekly.get(day.weekday(), ())

    def as_json(self) -> dict[str, Any]:
        return {
            "weekly": {
                DAYS[d]: [[_clock(a), _clock(b)] for a, b in self.weekly[d]]
                for d in sorted(self.weekly)
                if self.weekly[d]
            },
            "exceptions": [
                {"date": day.isoformat(), "hours": [[_clock(a), _clock(b)] for a, b in hours]}
                for day, hours in sorted(self.exceptions.items())
            ],
            "services": sorted(self.services),
        }


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(text: Any, param: str) -> int:
    found = _CLOCK.match(text) if isinstance(text, str) else None
    value = int(found.group(1)) * 60 + int(found.group(2)) if found else -1
    if not 0 <= value <= MINUTES_A_DAY:
        raise InvalidRequest(
            f"'{text}' is not a time of day; write it as HH:MM, from 00:00 to 24:00.",
            code="hours_invalid",
            param=param,
        )
    return value


def _day_ranges(pairs: Any, param: str) -> tuple[Range, ...]:
    if not isinstance(pairs, list):
        raise InvalidRequest(
            "Give a list of [start, end] ranges.", code="hours_invalid", param=param
        )
    ranges: list[Range] = []
    for i, pair in enumerate(pairs):
        where = f"{param}[{i}]"
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise InvalidRequest(
                "A range is [start, end], e.g. ['09:00', '13:00'].",
                code="hours_invalid",
                param=where,
            )
        start, end = _minutes(pair[0], where), _minutes(pair[1], where)
        if end <= start:
            raise InvalidRequest(
                f"{pair[1]} is not after {pair[0]}: a range ends after it starts"
                " (a range past midnight is two, one on each day).",
                code="hours_invalid",
                param=where,
            )
        ranges.append((start, end))
    ranges.sort()
    for (a_start, a_end), (b_start, b_end) in zip(ranges, ranges[1:], strict=False):
        if b_start < a_end:
            raise InvalidRequest(
                f"{_clock(a_start)}-{_clock(a_end)} and {_clock(b_start)}-{_clock(b_end)}"
                " overlap; give each time once.",
                code="hours_overlap",
                param=param,
            )
    return tuple(ranges)


def parse_hours(
    weekly: Mapping[str, Any],
    exceptions: Sequence[Mapping[str, Any]],
    services: Iterable[str],
    known_services: Iterable[str],
) -> WorkingHours:
    """Working hours as sent, checked whole: one mistake refuses all of it."""
    week: dict[int, tuple[Range, ...]] = {}
    for name, pairs in weekly.items():
        if name not in DAYS:
            raise InvalidRequest(
                f"'{name}' is not a day; use {', '.join(DAYS)}.",
                code="hours_invalid",
                param="weekly",
            )
        week[DAYS.index(name)] = _day_ranges(pairs, f"weekly.{name}")
    dated: dict[date, tuple[Range, ...]] = {}
    for i, exception in enumerate(exceptions):
        where = f"exceptions[{i}]"
        try:
            day = date.fromisoformat(str(exception.get("date")))
        except ValueError:
            raise InvalidRequest(
                f"'{exception.get('date')}' is not a date (YYYY-MM-DD).",
                code="hours_invalid",
                param=where,
            ) from None
        if day in dated:
            raise InvalidRequest(f"{day} is given twice.", code="hours_invalid", param=where)
        dated[day] = _day_ranges(exception.get("hours", []), f"{where}.hours")
    chosen = frozenset(services)
    unknown = sorted(chosen - set(known_services))
    if unknown:
        raise InvalidRequest(
            f"No such service: {', '.join(unknown)}.", code="service_unknown", param="services"
        )
    return WorkingHours(week, dated, chosen)


def hours_from_json(data: Mapping[str, Any]) -> WorkingHours:
    """Hours as stored, read without checking again: they were checked whole
    when set (``parse_hours``) and written sorted (``WorkingHours.as_json``).
    Every availability answer reads everyone's."""

    def ranges(pairs: Iterable[Sequence[str]]) -> tuple[Range, ...]:
        return tuple((_stored(a), _stored(b)) for a, b in pairs)

    return WorkingHours(
        {DAYS.index(day): ranges(pairs) for day, pairs in data.get("weekly", {}).items()},
        {
            date.fromisoformat(e["date"]): ranges(e.get("hours", []))
            for e in data.get("exceptions", [])
        },
        frozenset(data.get("services", [])),
    )


def _stored(clock: str) -> int:
    return int(clock[:2]) * 60 + int(clock[3:5])


@dataclass(frozen=True)
class Booked:
    """Time a staff member is already taken: a booking and its buffer after."""

    start: datetime
    end: datetime
    buffer: timedelta = timedelta()


@dataclass(frozen=True)
class Ask:
    """What a slot is for: the service's length and buffer, the merchant's
    settings and clock, and the moments booking opens and closes."""

    duration: timedelta
    buffer: timedelta
    settings: BookingSettings
    zone: tzinfo
    now: datetime

    @property
    def earliest(self) -> datetime:
        return self.now + timedelta(minutes=self.settings.min_notice_minutes)

    @property
    def last_day(self) -> date:
        return self.now.astimezone(self.zone).date() + timedelta(days=self.settings.max_days_ahead)


def _utc(day: date, minutes: int, zone: tzinfo) -> datetime:
    # Each end on its own date and wall clock: how long a range really is on a
    # day the clocks change is the difference of the two UTC instants.
    day = day + timedelta(days=minutes // MINUTES_A_DAY)
    minutes %= MINUTES_A_DAY
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    return wall.astimezone(UTC)


def working_spans(hours: WorkingHours, day: date, zone: tzinfo) -> list[tuple[datetime, datetime]]:
    """The day's working ranges in UTC, touching ranges joined."""
    return list(_spans(hours.ranges_on(day), day, zone))


@lru_cache(maxsize=4096)
def _spans(
    ranges: tuple[Range, ...], day: date, zone: tzinfo
) -> tuple[tuple[datetime, datetime], ...]:
    # Kept: colleagues share their hours, and every answer turns each of the
    # window's days into UTC for each of them.
    spans: list[tuple[datetime, datetime]] = []
    for start, end in ranges:
        span = (_utc(day, start, zone), _utc(day, end, zone))
        if spans and spans[-1][1] >= span[0]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], span[1]))
        else:
            spans.append(span)
    return tuple(spans)


def clashes(start: datetime, ask: Ask, booked: Iterable[Booked]) -> Booked | None:
    """The booking a slot at ``start`` would collide with: the service may not
    run into a booking or its buffer, nor its own buffer into a booking."""
    end = start + ask.duration
    for other in booked:
        if start < other.end + other.buffer and other.start < end:
            return other
        if start < other.end and other.start < end + ask.buffer:
            return other
    return None


def free_slots(
    hours: WorkingHours, day: date, ask: Ask, booked: Sequence[Booked]
) -> list[datetime]:
    """The times (UTC) one staff member can start the service on ``day``.

    Worked out per working range as the starts left once every booking has
    ruled out its own: a booking from ``b.start`` to ``b.end`` plus its buffer
    rules out every start in the open interval (``b.start`` - duration - this
    service's buffer, ``b.end`` + ``b.buffer``), exactly the starts ``clashes``
    refuses. What is left are closed intervals; each offers the steps inside
    it, and its first moment when a booking's buffer just ended there. One pass
    over the sorted bookings, instead of every step checked against every
    booking: an availability answer for anyone is many such days.
    """
    if day > ask.last_day:
        return []
    step = timedelta(minutes=ask.settings.slot_minutes)
    earliest = ask.earliest
    before = ask.duration + ask.buffer
    found: list[datetime] = []
    for span_start, span_end in _spans(hours.ranges_on(day), day, ask.zone):
        first, last = max(span_start, earliest), span_end - ask.duration
        if last < first:
            continue
        # A buffer may run past closing time, but not into a booking there.
        blocks = sorted(
            (b.start - before, b.end + b.buffer)
            for b in booked
            if b.start - before < last and b.end + b.buffer > first
        )
        opens, after_booking = first, False
        for low, high in blocks:
            if low >= opens:  # free from ``opens`` up to this block, both included
                found.extend(_starts(span_start, step, opens, min(low, last), after_booking))
            if high > opens:
                opens, after_booking = high, True
        found.extend(_starts(span_start, step, opens, last, after_booking))
    return found


def _starts(
    origin: datetime, step: timedelta, low: datetime, high: datetime, at_low: bool
) -> list[datetime]:
    """The starts offered in the free stretch [low, high]: the steps from
    ``origin`` inside it, and ``low`` itself when a booking's buffer ends there."""
    if high < low:
        return []
    k = -((origin - low) // step)  # the first step at or after low
    times = []
    moment = origin + step * k
    if at_low and moment != low:
        times.append(low)
    while moment <= high:
        times.append(moment)
        moment += step
    return times


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    staff_id: str


def days_between(first: date, last: date) -> list[date]:
    if last < first:
        raise InvalidRequest("'to' is before 'from'.", code="parameter_invalid", param="to")
    if (last - first).days + 1 > MAX_WINDOW_DAYS:
        raise InvalidRequest(
            f"Ask for at most {MAX_WINDOW_DAYS} days at a time (from {first} to {last} is"
            f" {(last - first).days + 1}).",
            code="window_too_long",
            param="to",
        )
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def offer(
    days: Sequence[date],
    ask: Ask,
    staff: Mapping[str, WorkingHours],
    booked: Mapping[str, Sequence[Booked]],
) -> list[Slot]:
    """Each free time once; for "anyone", the staff member with the fewest
    bookings in the window takes it (ties by id), so work is spread."""
    load = {staff_id: len(booked.get(staff_id, ())) for staff_id in staff}
    order = sorted(staff, key=lambda s: (load[s], s))
    chosen: dict[datetime, str] = {}
    bounds = [
        (day, _utc(day, 0, ask.zone), _utc(day, MINUTES_A_DAY, ask.zone) + ask.buffer)
        for day in days
    ]
    for staff_id in order:
        near = _Near(booked.get(staff_id, ()))
        for day, start_of_day, reach in bounds:
            for start in free_slots(staff[staff_id], day, ask, near.between(start_of_day, reach)):
                chosen.setdefault(start, staff_id)
    return [Slot(start, chosen[start]) for start in sorted(chosen)]


class _Near:
    """One person's bookings sorted by start, to take those that can touch a
    day without looking at the whole window's for each day."""

    def __init__(self, booked: Sequence[Booked]) -> None:
        self.booked = sorted(booked, key=lambda b: b.start)
        self.starts = [b.start for b in self.booked]
        self.longest = max((b.end + b.buffer - b.start for b in self.booked), default=timedelta())

    def between(self, start: datetime, end: datetime) -> Sequence[Booked]:
        """Every booking whose time and buffer may meet [start, end) (and a few more)."""
        low = bisect_left(self.starts, start - self.longest)
        return self.booked[low : bisect_left(self.starts, end, lo=low)]


def check_bookable(
    start: datetime, ask: Ask, hours: WorkingHours, booked: Sequence[Booked], staff_id: str
) -> None:
    """Why ``staff_id`` cannot be booked at ``start``, as a clear refusal; or nothing."""
    start = start.astimezone(UTC)
    if start <= ask.now:
        raise InvalidRequest("That time has passed.", code="slot_in_past", param="starts_at")
    if start < ask.earliest:
        raise InvalidRequest(
            f"Book at least {ask.settings.min_notice_minutes} minutes ahead.",
            code="slot_too_soon",
            param="starts_at",
        )
    day = start.astimezone(ask.zone).date()
    if day > ask.last_day:
        raise InvalidRequest(
            f"Book at most {ask.settings.max_days_ahead} days ahead.",
            code="slot_too_far_ahead",
            param="starts_at",
        )
    end = start + ask.duration
    inside = any(a <= start and end <= b for a, b in working_spans(hours, day, ask.zone))
    if not inside:
        raise InvalidRequest(
            "That time is outside the working hours; choose one of the offered times.",
            code="slot_outside_hours",
            param="starts_at",
        )
    other = clashes(start, ask, booked)
    if other is not None:
        raise Conflict(
            f"{staff_id} is already booked then; choose one of the offered times.",
            code="booking_overlaps",
            param="starts_at",
        )

"""When someone can be booked: pure functions, no database, no web.

Free time is a staff member's working hours (``availability.hours``) minus
bookings, each booking followed by its service's buffer. Every range is turned
into UTC on its own date, so a day across a daylight-saving change is as long
as it really is: 09:00-18:00 is nine hours either way; 00:00-06:00 on the
night the clocks go forward is five.

A slot is offered on the merchant's step (every 15 minutes from the start of
each range) and also the moment a gap opens after a booking and its buffer,
so every gap long enough for the service offers something even when it does
not start on the step.

The free times themselves are worked out in whole seconds since the epoch
(``free_times``): an answer for anyone over two weeks is some hundred and
forty person-days, and integer arithmetic on them costs a fraction of the same
steps on ``datetime`` and ``timedelta``. Times come in and go out as aware
datetimes; a booking's sub-second edges are rounded outwards, never into it.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache

from servefirst.availability.hours import MINUTES_A_DAY, BookingSettings, Range, WorkingHours
from servefirst.kit.errors import Conflict, InvalidRequest

#: The longest window one availability request answers.
MAX_WINDOW_DAYS = 14

#: A stretch of time as seconds since the epoch, [start, end).
Seconds = tuple[int, int]
#: A booking as whole seconds since the epoch: its start and the end of the
#: buffer after it, each rounded away from the booking.
Taken = tuple[int, int]


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


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    staff_id: str


def _utc(day: date, minutes: int, zone: tzinfo) -> datetime:
    # Each end on its own date and wall clock: how long a range really is on a
    # day the clocks change is the difference of the two UTC instants.
    day = day + timedelta(days=minutes // MINUTES_A_DAY)
    minutes %= MINUTES_A_DAY
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    return wall.astimezone(UTC)


def working_spans(hours: WorkingHours, day: date, zone: tzinfo) -> list[tuple[datetime, datetime]]:
    """The day's working ranges in UTC, touching ranges joined."""
    return [(_moment(a), _moment(b)) for a, b in _spans(hours.ranges_on(day), day, zone)]


@lru_cache(maxsize=4096)
def _spans(ranges: tuple[Range, ...], day: date, zone: tzinfo) -> tuple[Seconds, ...]:
    # Kept: colleagues share their hours, and every answer turns each of the
    # window's days into UTC for each of them.
    spans: list[list[int]] = []
    for start, end in ranges:
        a, b = int(_utc(day, start, zone).timestamp()), int(_utc(day, end, zone).timestamp())
        if spans and spans[-1][1] >= a:
            spans[-1][1] = max(spans[-1][1], b)
        else:
            spans.append([a, b])
    return tuple((a, b) for a, b in spans)


def _moment(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _floor(moment: datetime) -> int:
    return math.floor(moment.timestamp())


def _ceil(moment: datetime) -> int:
    return math.ceil(moment.timestamp())


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


class Blocks:
    """One person's bookings as the starts each rules out for a service: a
    booking from ``b.start`` to ``b.end`` plus its buffer rules out every
    start in the open interval (``b.start`` - duration - this service's
    buffer, ``b.end`` + ``b.buffer``), exactly the starts ``clashes`` refuses.
    Sorted, so the few that can touch a working range are found by bisection."""

    def __init__(self, taken: Iterable[Taken], ask: Ask) -> None:
        before = int((ask.duration + ask.buffer).total_seconds())
        self.blocks = sorted((start - before, until) for start, until in taken)
        self.lows = [low for low, _ in self.blocks]
        self.longest = max((high - low for low, high in self.blocks), default=0)

    def meeting(self, first: int, last: int) -> list[Seconds]:
        """The blocks that rule out some start in [first, last], in order."""
        low = bisect_left(self.lows, first - self.longest)
        high = bisect_left(self.lows, last, lo=low)
        return [b for b in self.blocks[low:high] if b[1] > first]


@dataclass(frozen=True)
class Grid:
    """An ask's numbers in whole seconds, worked out once per answer."""

    step: int
    duration: int
    earliest: int

    @classmethod
    def of(cls, ask: Ask) -> Grid:
        return cls(
            ask.settings.slot_minutes * 60, int(ask.duration.total_seconds()), _ceil(ask.earliest)
        )


def free_times(spans: Iterable[Seconds], grid: Grid, blocks: Blocks) -> list[int]:
    """The starts (seconds since the epoch) one person can be booked at in
    their working ``spans`` of a day, as the stretches the bookings leave in
    each, in one pass over the sorted blocks. Each stretch offers the steps
    inside it, and its first moment when a booking's buffer just ended there."""
    step = grid.step
    found: list[int] = []
    for span_start, span_end in spans:
        first, last = max(span_start, grid.earliest), span_end - grid.duration
        if last < first:
            continue
        # A buffer may run past closing time, but not into a booking there.
        opens, after_booking = first, False
        for low, high in blocks.meeting(first, last):
            if low >= opens:  # free from ``opens`` up to this block, both included
                _starts(found, span_start, step, opens, min(low, last), after_booking)
            if high > opens:
                opens, after_booking = high, True
        _starts(found, span_start, step, opens, last, after_booking)
    return found


def _starts(found: list[int], origin: int, step: int, low: int, high: int, at_low: bool) -> None:
    """Add the starts offered in the free stretch [low, high]: the steps from
    ``origin`` inside it, and ``low`` itself when a booking's buffer ends there."""
    if high < low:
        return
    moment = origin - ((origin - low) // step) * step  # the first step at or after low
    if at_low and moment != low:
        found.append(low)
    found.extend(range(moment, high + 1, step))


def taken(booked: Iterable[Booked]) -> list[Taken]:
    return [(_floor(b.start), _ceil(b.end + b.buffer)) for b in booked]


def free_slots(
    hours: WorkingHours, day: date, ask: Ask, booked: Sequence[Booked]
) -> list[datetime]:
    """The times (UTC) one staff member can start the service on ``day``."""
    if day > ask.last_day:
        return []
    spans = _spans(hours.ranges_on(day), day, ask.zone)
    return [_moment(s) for s in free_times(spans, Grid.of(ask), Blocks(taken(booked), ask))]


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


def offer_times(
    days: Sequence[date],
    ask: Ask,
    staff: Mapping[str, WorkingHours],
    booked: Mapping[str, Sequence[Taken]],
) -> list[tuple[int, str]]:
    """Each free time once, as (seconds since the epoch, staff id), in order;
    for "anyone", the staff member with the fewest bookings in the window
    takes it (ties by id), so work is spread."""
    load = {staff_id: len(booked.get(staff_id, ())) for staff_id in staff}
    order = sorted(staff, key=lambda s: (load[s], s))
    days = [day for day in days if day <= ask.last_day]
    grid = Grid.of(ask)
    chosen: dict[int, str] = {}
    # The least busy last, so their claim on a time overwrites the others'.
    for staff_id in reversed(order):
        hours, blocks = staff[staff_id], Blocks(booked.get(staff_id, ()), ask)
        for day in days:
            found = free_times(_spans(hours.ranges_on(day), day, ask.zone), grid, blocks)
            chosen.update(dict.fromkeys(found, staff_id))
    return sorted(chosen.items())


def offer(
    days: Sequence[date],
    ask: Ask,
    staff: Mapping[str, WorkingHours],
    booked: Mapping[str, Sequence[Booked]],
) -> list[Slot]:
    """``offer_times`` for bookings as datetimes, as slots."""
    seconds = {staff_id: taken(their) for staff_id, their in booked.items()}
    return [Slot(_moment(s), staff_id) for s, staff_id in offer_times(days, ask, staff, seconds)]


def check_window(start: datetime, ask: Ask) -> datetime:
    """``start`` in UTC, or why it is not within the days booked online: past,
    too soon, too far ahead. Asked first, before any sum on ``start``: a time
    in the year 9999 typed into a page would overflow a date counted from it."""
    start = start.astimezone(UTC)
    if start <= ask.now:
        raise InvalidRequest("That time has passed.", code="slot_in_past", param="starts_at")
    if start < ask.earliest:
        raise InvalidRequest(
            f"Book at least {ask.settings.min_notice_minutes} minutes ahead.",
            code="slot_too_soon",
            param="starts_at",
        )
    if start.astimezone(ask.zone).date() > ask.last_day:
        raise InvalidRequest(
            f"Book at most {ask.settings.max_days_ahead} days ahead.",
            code="slot_too_far_ahead",
            param="starts_at",
        )
    return start


def on_offer(start: datetime, opens: int, ask: Ask, booked: Iterable[Booked]) -> bool:
    """Whether a free ``start`` in the working span that ``opens`` (seconds
    since the epoch) is one ``free_times`` offers: a step of the merchant's
    grid from the span's start, or the moment a booking's buffer ends after
    the span's start (and after booking opens). ``booked`` must include a
    booking whose buffer ends right at ``start``."""
    at = start.timestamp()
    if at != int(at):
        return False
    seconds = int(at)
    if (seconds - opens) % (ask.settings.slot_minutes * 60) == 0:
        return True
    return seconds > max(opens, _ceil(ask.earliest)) and seconds in {
        until for _, until in taken(booked)
    }


def check_bookable(
    start: datetime,
    ask: Ask,
    hours: WorkingHours,
    booked: Sequence[Booked],
    staff_id: str,
    *,
    any_start: bool = False,
) -> None:
    """Why ``staff_id`` cannot be booked at ``start``, as a clear refusal; or
    nothing. A start between the offered ones (09:31 on a 15-minute grid) is
    refused unless ``any_start`` (staff, who may book any minute)."""
    start = check_window(start, ask)
    day = start.astimezone(ask.zone).date()
    end = start + ask.duration
    spans = _spans(hours.ranges_on(day), day, ask.zone)
    opens = next((a for a, b in spans if _moment(a) <= start and end <= _moment(b)), None)
    if opens is None:
        raise InvalidRequest(
            "That time is outside the working hours; choose one of the offered times.",
            code="slot_outside_hours",
            param="starts_at",
        )
    if not any_start and not on_offer(start, opens, ask, booked):
        step, local = ask.settings.slot_minutes, start.astimezone(ask.zone)
        first = _moment(opens).astimezone(ask.zone)
        asked = f"{local:%H:%M:%S}" if local.second or local.microsecond else f"{local:%H:%M}"
        raise InvalidRequest(
            f"Bookings start every {step} minutes from {first:%H:%M} (or as a booking"
            f" before ends), and {asked} is not one of those times; choose one of the"
            " offered times.",
            code="slot_off_grid",
            param="starts_at",
            details={"slot_minutes": step},
            figures={"step": step, "opens": f"{first:%H:%M}", "asked": asked},
        )
    other = clashes(start, ask, booked)
    if other is not None:
        raise Conflict(
            f"{staff_id} is already booked then; choose one of the offered times.",
            code="booking_overlaps",
            param="starts_at",
        )

"""Where a merchant's day begins and ends, and what it is compared with. Pure.

Days follow the merchant's clock, not UTC: a café in Lisbon opens its day at
local midnight, and on the day the clocks change that day is 23 or 25 hours
long. Times are kept in UTC; the zone only says where the boundaries fall.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Window:
    """``[start, end)`` in UTC, and the merchant's date it belongs to."""

    day: date
    start: datetime
    end: datetime


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant (UTC) the merchant's ``day`` begins."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def day_of(now: datetime, zone: ZoneInfo) -> Window:
    """The merchant's whole day around ``now``."""
    day = now.astimezone(zone).date()
    return Window(day, local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone))


def so_far(now: datetime, zone: ZoneInfo) -> Window:
    """From the merchant's midnight to ``now``."""
    whole = day_of(now, zone)
    return Window(whole.day, whole.start, now.astimezone(UTC))


def same_time_last_week(now: datetime, zone: ZoneInfo) -> Window:
    """The same weekday a week ago, from its midnight to the same time on the
    wall clock (a fair comparison of a day still running: 11:00 against 11:00)."""
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=7)
    at = datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=zone).astimezone(UTC)
    return Window(day, local_midnight(day, zone), at)


@dataclass(frozen=True)
class Change:
    """Today against last week: up, down or level, and by how much (whole percent)."""

    now: int
    before: int

    @property
    def direction(self) -> str:
        if self.now > self.before:
            return "up"
        return "down" if self.now < self.before else "level"

    @property
    def percent(self) -> int | None:
        """Rounded half away from zero; none when last week had nothing to compare with."""
        if self.before == 0:
            return None
        numerator = abs(self.now - self.before) * 100
        return (2 * numerator + self.before) // (2 * self.before)

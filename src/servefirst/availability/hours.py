"""Working hours as a staff member keeps them: pure values, no database, no web.

A week of ranges on the merchant's wall clock (several a day, so a lunch break
is two ranges), replaced on a given date by an exception (``[]`` is a day
off), and the services the person performs; checked whole when set
(``parse_hours``), read back unchecked (``hours_from_json``). The merchant's
booking settings and their limits live here too. When those hours leave a
slot free is ``availability.rules``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from servefirst.kit.errors import InvalidRequest

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_A_DAY = 24 * 60
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


@lru_cache(maxsize=1024)
def hours_from_text(weekly: str, exceptions: str, services: str) -> WorkingHours:
    """``hours_from_json`` of the stored JSON texts, remembered by those texts:
    every availability answer reads everyone's hours, which seldom change, and
    the same text always makes the same hours (never stale: changed hours are
    other text)."""
    return hours_from_json(
        {
            "weekly": json.loads(weekly),
            "exceptions": json.loads(exceptions),
            "services": json.loads(services),
        }
    )

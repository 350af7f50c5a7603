"""Working hours as the console's form writes them, and back.

A day's hours are one line of text, "09:00-13:00, 14:00-18:00" (empty: not
working), which a phone keyboard types as easily as anything; a dated
exception is a line of its own, "2026-12-24" (a day off) or
"2026-12-31 09:00-13:00", its day written as the reader writes days
("31/12/2026 09:00-13:00" in Portuguese, ``kit.typed_days``). These
functions only split the text into the ``[start, end]`` pairs the hours
API takes; ``availability.hours.parse_hours`` checks the times themselves
(format, order, overlaps), once, for both.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextlib import suppress
from datetime import date
from typing import Any

from servefirst.kit.errors import InvalidRequest
from servefirst.kit.typed_days import read_day, shown_day

#: Between two ranges: a comma, a semicolon or spaces.
_BETWEEN = re.compile(r"[,;\s]+")
#: Within a range: a hyphen or a dash, spaces allowed around it.
_RANGE = re.compile(r"^(\S+?)\s*[-–—]\s*(\S+)$")


def ranges_of(text: str, *, param: str) -> list[list[str]]:
    """'09:00-13:00, 14:00-18:00' -> [['09:00', '13:00'], ['14:00', '18:00']]."""
    pairs: list[list[str]] = []
    for part in _BETWEEN.split(_tight(text)):
        if not part:
            continue
        found = _RANGE.match(part)
        if found is None:
            raise InvalidRequest(
                f"'{part}' is not a range of hours, like 09:00-13:00.",
                code="hours_invalid",
                param=param,
            )
        pairs.append([found.group(1), found.group(2)])
    return pairs


def exceptions_of(text: str, language: str = "en") -> list[dict[str, Any]]:
    """One dated exception a line: the date, then its hours (none: a day off).
    A day written the reader's way goes on in ISO; one that is no day goes on
    as typed, for the hours' own check to refuse with the line's number."""
    found: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines()):
        line = line.strip()
        if not line:
            continue
        day, _, hours = line.partition(" ")
        with suppress(InvalidRequest):
            day = read_day(day, language, param=f"exceptions[{number}]").isoformat()
        found.append({"date": day, "hours": ranges_of(hours, param=f"exceptions[{number}]")})
    return found


def text_of_ranges(pairs: list[list[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in pairs)


def text_of_exceptions(exceptions: list[Mapping[str, Any]], language: str = "en") -> str:
    return "\n".join(
        f"{_shown(str(e['date']), language)} {text_of_ranges(e['hours'])}".rstrip()
        for e in exceptions
    )


def _shown(day: str, language: str) -> str:
    """A stored ISO day as the reader writes it (anything else as it is)."""
    try:
        return shown_day(date.fromisoformat(day), language)
    except ValueError:
        return day


def _tight(text: str) -> str:
    """Spaces around a range's dash removed, so spaces can also part ranges."""
    return re.sub(r"\s*([-–—])\s*", r"\1", text.strip())

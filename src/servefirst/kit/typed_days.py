"""A day typed in a form field, read the way the page's reader writes it.

A Portuguese owner types 05/12/2026 (day first); an English page shows and
reads 2026-12-05. Both languages also take the ISO form, which is what every
link and ``<input type="date">`` sends. The order of the fields comes from
Babel's locale data and the reading from ``babel.dates.parse_date``; around it
the text must have the form's shape first (Babel reads the first three numbers
it finds in anything, and ``05/12`` makes it fail with an IndexError), and the
day read must write back to the numbers typed (Babel swaps the day and the
month when the month is over 12: 05/13/2026 is a slip, not the 13th of May).

Pure: the language is an argument (pages pass the request's).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from babel import dates as babel_dates

from servefirst.kit.errors import InvalidRequest
from servefirst.kit.i18n import N_, language_of

#: How every page also takes a day: what links and date pickers send.
ISO_PATTERN = "yyyy-MM-dd"
#: The day a hint shows: its day over 12, so the order of the fields is plain.
EXAMPLE_DAY = date(2026, 11, 25)


@dataclass(frozen=True)
class DayForm:
    """How a language writes a day in a form field."""

    locale: str  # whose order Babel reads the typed numbers in
    pattern: str  # the Babel pattern a field shows a day in
    letters: str  # that pattern as the reader spells it, for the field's hint


#: European Portuguese writes dd/MM/y (CLDR's pt_PT medium date); English pages
#: keep the ISO form they always showed.
FORMS = {
    "en": DayForm("en_GB", ISO_PATTERN, "YYYY-MM-DD"),
    "pt": DayForm("pt_PT", "dd/MM/yyyy", "dd/mm/aaaa"),
}

#: Between the fields of a day-first date, people write /, - or . alike.
_SEPARATORS = "/.-"


def form_of(language: str) -> DayForm:
    return FORMS[language_of(language)]


@cache
def _shape(pattern: str) -> re.Pattern[str]:
    """The text a pattern accepts: one or two digits for the day and the month,
    four for the year (a two-digit year would need today's century)."""
    parts = []
    for token in re.findall(r"d+|M+|y+|[^dMy]+", pattern):
        if token[0] in "dM":
            parts.append(r"(\d{1,2})")
        elif token[0] == "y":
            parts.append(r"(\d{4})")
        elif token == "-" and pattern == ISO_PATTERN:
            parts.append("-")
        else:
            parts.append(f"[{re.escape(_SEPARATORS)}]")
    return re.compile("".join(parts), re.ASCII)


def shown_day(day: date, language: str) -> str:
    """``day`` as the field shows it: '25/11/2026' (pt), '2026-11-25' (en)."""
    form = form_of(language)
    return str(babel_dates.format_date(day, form.pattern, locale=form.locale))


def day_example(language: str) -> str:
    return shown_day(EXAMPLE_DAY, language)


def read_day(text: str, language: str, *, param: str) -> date:
    """The day ``text`` names in ``language``'s form or in ISO; else a refusal
    (``InvalidRequest``, code ``date_invalid``) that a page says in words."""
    typed = text.strip()
    form = form_of(language)
    for pattern in dict.fromkeys((form.pattern, ISO_PATTERN)):
        found = _shape(pattern).fullmatch(typed)
        if found is None:
            continue
        numbers = [int(n) for n in found.groups()]
        try:
            day = babel_dates.parse_date(typed, locale=form.locale, format=pattern)
        except babel_dates.ParseError:
            raise _impossible(typed, pattern, numbers, form, param) from None
        written = re.findall(r"\d+", str(babel_dates.format_date(day, pattern, locale=form.locale)))
        if [int(n) for n in written] != numbers:
            raise _impossible(typed, pattern, numbers, form, param)
        return day
    raise InvalidRequest(
        f"Write the day as {form.letters}, e.g. {day_example(language)}.",
        code="date_invalid",
        param=param,
        figures={
            "words": N_("Write the day as %(form)s, e.g. %(example)s."),
            "form": form.letters,
            "example": day_example(language),
        },
    )


def _impossible(
    typed: str, pattern: str, numbers: list[int], form: DayForm, param: str
) -> InvalidRequest:
    """A day the calendar does not have: the month's length when that is the slip."""
    fields = dict(
        zip(re.findall(r"[dMy]", re.sub(r"(.)\1+", r"\1", pattern)), numbers, strict=True)
    )
    year, month, day = fields["y"], fields["M"], fields["d"]
    if 1 <= month <= 12 and year >= 1 and day > 0:
        days = calendar.monthrange(year, month)[1]
        named = babel_dates.format_skeleton("yMMMM", date(year, month, 1), locale=form.locale)
        return InvalidRequest(
            f"There is no {typed}: {named} has {days} days.",
            code="date_invalid",
            param=param,
            figures={
                "words": N_("There is no %(typed)s: %(month)s has %(days)s days."),
                "typed": typed,
                "month": str(named),
                "days": days,
            },
        )
    return InvalidRequest(
        f"There is no {typed} on the calendar.",
        code="date_invalid",
        param=param,
        figures={"words": N_("There is no %(typed)s on the calendar."), "typed": typed},
    )

"""The owner's message settings form in the console: its text read as settings,
shown back as typed after a refusal, and the refusal said again for the field
it names, in the page's language (the API's words name fields, not a form's
labels, and are English).

The payment reminders' days are whole days typed in one field. Where the
member's language writes decimals with a comma (Portuguese: "1,5" is one and a
half), a comma between two digits is a decimal comma, so it is refused, never
read as two days; days are separated there by semicolons, spaces, or a comma
and a space (a decimal comma is never followed by a space). "1,3,7" is refused
too: "1,5,7" could be days 1, 5 and 7 or days 1.5 and 7, and which a bare comma
means is not guessed. In English a comma only separates, and a point is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from babel.numbers import get_decimal_symbol

from servefirst.kit.errors import InvalidRequest, ServefirstError
from servefirst.kit.i18n import N_, gettext
from servefirst.kit.refusals import in_words
from servefirst.kit.typed import NUL_CODE
from servefirst.messages.rules import SWITCHABLE, WHOLE_DAYS

#: Each field's words when what was typed does not fit.
FIELD_WORDS = {
    "sender": N_("Write an e-mail address, or leave it empty to send from the server's."),
    "booking_reminder_hours": N_("Give from 1 to 336 hours (two weeks) before the booking."),
    "quiet_start": N_("Give a time of day, such as 21:00."),
    "quiet_end": N_("Give a time of day, such as 21:00."),
    "overdue_day": N_("Give a day from 1 to 365 after serving."),
    "final_notice_days_before": N_("Give more than 0 days, and fewer than the overdue day."),
    "reminder_days": N_(
        "Give the days in increasing order, each more than 0 and before the final notice"
        " (the overdue day less the final notice's days before)."
    ),
}
NOT_A_NUMBER = "not_a_number"
#: Reminder days that are not whole numbers, or not separated as the field
#: says: ``WHOLE_DAYS``, the code the API refuses fractional days with too.
WHOLE_DAYS_WORDS = N_(
    "Reminder days are whole days: write 2, not 1.5."
    " Separate the days with commas or spaces, such as 1, 3, 7."
)
_DECIMAL_COMMA = re.compile(r"\d,\d")
_DAY = re.compile(r"[+-]?\d+")


def writes_decimal_comma(language: str) -> bool:
    """Whether ``language`` writes one and a half as "1,5"."""
    return str(get_decimal_symbol(language)) == ","


def reminder_days_from(text: str, *, decimal_comma: bool) -> list[int]:
    """The days typed, in the order typed (the settings' own check wants them
    increasing); anything but whole days is refused on the field."""
    words = [w for w in re.split(r"[\s,;]+", text) if w]
    if (decimal_comma and _DECIMAL_COMMA.search(text)) or not all(_DAY.fullmatch(w) for w in words):
        raise InvalidRequest(WHOLE_DAYS_WORDS, code=WHOLE_DAYS, param="reminder_days")
    return [int(w) for w in words]


def days_shown(days: Iterable[float], *, decimal_comma: bool) -> str:
    """The days as the field reads them back: "1, 3, 7", or "1; 3; 7" where a
    comma is a decimal comma (a fractional day set through the API is written
    that language's way, and refused if saved as it is)."""
    written = [f"{d:g}".replace(".", ",") if decimal_comma else f"{d:g}" for d in days]
    return ("; " if decimal_comma else ", ").join(written)


def _number(name: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InvalidRequest("Write a number here.", code=NOT_A_NUMBER, param=name) from None


def settings_from_form(fields: dict[str, str], *, decimal_comma: bool) -> dict[str, Any]:
    """The form's text as settings; a number that is not one is a 422 on its
    field. ``decimal_comma``: the member's language writes decimals with a comma."""
    days = reminder_days_from(fields.get("reminder_days", ""), decimal_comma=decimal_comma)
    return {
        "sender": fields.get("sender", "").strip() or None,
        "booking_reminder_hours": _number(
            "booking_reminder_hours", fields.get("booking_reminder_hours", "")
        ),
        "quiet_start": fields.get("quiet_start", ""),
        "quiet_end": fields.get("quiet_end", ""),
        "reminder_days": days,
        "overdue_day": _number("overdue_day", fields.get("overdue_day", "")),
        "final_notice_days_before": _number(
            "final_notice_days_before", fields.get("final_notice_days_before", "")
        ),
        "kinds": {k.value: f"kind_{k.value}" in fields for k in SWITCHABLE},
    }


def as_typed(fields: dict[str, str]) -> dict[str, Any]:
    """The form filled in again with what the owner typed (a refusal keeps it)."""
    shown: dict[str, Any] = {name: fields.get(name, "") for name in FIELD_WORDS}
    shown["kinds"] = {k.value: f"kind_{k.value}" in fields for k in SWITCHABLE}
    return shown


def refusal_words(error: ServefirstError) -> str:
    """The refusal in the page's language, for the field it names."""
    if error.code == NUL_CODE:  # said the same on every form
        return in_words(error)
    if error.code == NOT_A_NUMBER:
        return gettext("Write a number here.")
    if error.code == WHOLE_DAYS:
        return gettext(WHOLE_DAYS_WORDS)
    words = FIELD_WORDS.get(error.param or "")
    return gettext(words) if words else gettext(error.message)

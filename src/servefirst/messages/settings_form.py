"""The owner's message settings form in the console: its text read as settings,
shown back as typed after a refusal, and the refusal said again for the field
it names, in the page's language (the API's words name fields, not a form's
labels, and are English)."""

from __future__ import annotations

import re
from typing import Any

from servefirst.kit.errors import InvalidRequest, ServefirstError
from servefirst.kit.i18n import N_, gettext
from servefirst.messages.rules import SWITCHABLE

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


def _number(name: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InvalidRequest("Write a number here.", code=NOT_A_NUMBER, param=name) from None


def settings_from_form(fields: dict[str, str]) -> dict[str, Any]:
    """The form's text as settings; a number that is not one is a 422 on its field."""
    days = [d for d in re.split(r"[\s,;]+", fields.get("reminder_days", "")) if d]
    return {
        "sender": fields.get("sender", "").strip() or None,
        "booking_reminder_hours": _number(
            "booking_reminder_hours", fields.get("booking_reminder_hours", "")
        ),
        "quiet_start": fields.get("quiet_start", ""),
        "quiet_end": fields.get("quiet_end", ""),
        "reminder_days": [_number("reminder_days", d) for d in days],
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
    if error.code == NOT_A_NUMBER:
        return gettext("Write a number here.")
    words = FIELD_WORDS.get(error.param or "")
    return gettext(words) if words else gettext(error.message)

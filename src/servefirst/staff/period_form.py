"""The period picker of the owner's report pages (reports, the accountant's
files): two days typed as the reader writes them, read into ISO days, and a
refused day said beside its field (``web/templates/staff/_period.html``)."""

from __future__ import annotations

from datetime import date

from servefirst.kit import i18n
from servefirst.kit.errors import InvalidRequest
from servefirst.kit.refusals import in_words
from servefirst.kit.typed_days import read_day, shown_day


def iso_period(first: str, last: str) -> tuple[str, str]:
    """The days typed (05/12/2026 in Portuguese) or linked (ISO), as ISO; a
    blank day stays blank (the page's default)."""

    def iso(text: str, param: str) -> str:
        if not text.strip():
            return ""
        return read_day(text, i18n.current_language(), param=param).isoformat()

    return iso(first, "from"), iso(last, "to")


def typed_day(day: date) -> str:
    """A day as the field shows it to this reader."""
    return shown_day(day, i18n.current_language())


def said_beside_period(refusal: InvalidRequest | None) -> dict[str, str | None]:
    """A refusal naming a day beside its field (``from_refusal``,
    ``to_refusal``); any other at the top of the page (``error``)."""
    said = in_words(refusal) if refusal else None
    beside = refusal.param if refusal and refusal.param in {"from", "to"} else None
    return {
        "from_refusal": said if beside == "from" else None,
        "to_refusal": said if beside == "to" else None,
        "error": said if not beside else None,
    }

"""Why a booking asks a deposit, in the customer's language; what its note
tells staff of a deposit the processor would not refund, in theirs.

The deposit rules give their reason in English (kept so, and so in the API);
pages say it in the reader's language (``deposit_reason_words``).
"""

from __future__ import annotations

from datetime import date

from servefirst.bookings import refund_notes
from servefirst.kit import formats
from servefirst.kit.i18n import gettext
from servefirst.web.deposit_reason_words import deposit_reason_words
from servefirst.web.outcome_words import outcome_words


def deposit_words(reason: str) -> str:
    """Why the deposit was or was not asked, in the reader's language."""
    return deposit_reason_words(reason)


def note_words(note: str | None, currency: str) -> str:
    """A booking's note for the console in the reader's language: how the
    booking ended (``outcome_words``, amounts in ``currency``) and what it says
    of a deposit the card processor would not refund (staff act on it);
    anything else as written."""
    if not note:
        return ""
    known = {
        refund_notes.RETURNED: gettext(
            "The bank returned the deposit to the customer (dispute lost):"
            " nothing left to give back."
        ),
        refund_notes.OWED_AGAIN: gettext(
            "The bank took the deposit back from the customer (dispute won):"
            " give it back another way."
        ),
    }
    for said, words in known.items():
        note = note.replace(said, words)
    note = outcome_words(note, currency)  # how the booking ended, before what became of the refund
    return refund_notes.REFUSED_SAID.sub(
        lambda said: (
            gettext(
                "The card processor refused to refund the deposit (%(code)s):"
                " give it back another way."
            )
            % {"code": said["code"]}
        ),
        note,
    )


def day_label(day: date) -> str:
    """'Saturday 05/12', 'sábado 05/12': the weekday as the reader's language
    writes it (Babel's names: Portuguese keeps them lower-case), then day and month."""
    return f"{formats.format_weekday(day)} {day:%d/%m}"

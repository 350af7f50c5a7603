"""Why a booking asks a deposit, in the customer's language; what its note
tells staff of a deposit the processor would not refund, in theirs.

The deposit rules give their reason in English; the customer's pages and
the console's booking rows say the known reasons in the reader's language and
any other (the no-show model's) as the rules wrote it.
"""

from __future__ import annotations

from datetime import date

from servefirst.bookings import refund_notes
from servefirst.kit import formats
from servefirst.kit.i18n import gettext


def deposit_words(reason: str) -> str:
    known = {
        "This business does not take deposits.": gettext("This business does not take deposits."),
        "The deposit policy asks for nothing here.": gettext(
            "The deposit policy asks for nothing here."
        ),
        "New customer: a small deposit holds the slot.": gettext(
            "New customer: a small deposit holds the slot."
        ),
        "Past unpaid or missed visits: a deposit holds the slot.": gettext(
            "Past unpaid or missed visits: a deposit holds the slot."
        ),
        "A deposit holds the slot until trust is earned.": gettext(
            "A deposit holds the slot until trust is earned."
        ),
        "This business asks every customer for a deposit.": gettext(
            "This business asks every customer for a deposit."
        ),
        "New customer: no deposit needed.": gettext("New customer: no deposit needed."),
    }
    return known.get(reason, reason)


def note_words(note: str | None) -> str:
    """A booking's note for the console: what it says of a deposit the card
    processor would not refund in the reader's language (staff act on it);
    the rest as the rules wrote it."""
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

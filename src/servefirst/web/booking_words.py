"""Why a booking asks a deposit, in the customer's language.

The deposit rules give their reason in English (the staff see it as is);
the customer's pages say the known reasons in the reader's language and any
other (the no-show model's) as the rules wrote it.
"""

from __future__ import annotations

from datetime import date

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


def day_label(day: date) -> str:
    """'Saturday 05/12', 'sábado 05/12': the weekday as the reader's language
    writes it (Babel's names: Portuguese keeps them lower-case), then day and month."""
    return f"{formats.format_weekday(day)} {day:%d/%m}"

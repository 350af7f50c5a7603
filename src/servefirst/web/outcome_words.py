"""How a booking ended, as its note (``bookings.outcome_reason``) says it, in
the reader's language: the sentences the cancellation, no-show and move rules
write (``bookings.rules.settle_cancellation``, ``settle_no_show``,
``rescheduling``, ``hold_fees``), their numbers kept. Kept in English in the
database and the API; anything else in a note stays as written."""

from __future__ import annotations

import re
from collections.abc import Callable

from servefirst.kit import formats
from servefirst.kit.i18n import gettext


def _hours(found: re.Match[str]) -> dict[str, str]:
    return {"hours": formats.count(int(found["hours"]))}


#: Each sentence the rules write of a booking's end, and its words.
_SAID: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(re.escape("Cancelled by the business: the deposit goes back in full.")),
        lambda _: gettext("Cancelled by the business: the deposit goes back in full."),
    ),
    (
        re.compile(r"Cancelled (?P<hours>\d+) h or more ahead\."),
        lambda found: gettext("Cancelled %(hours)s h or more ahead.") % _hours(found),
    ),
    (
        re.compile(re.escape("Late cancellation, but the policy is free.")),
        lambda _: gettext("Late cancellation, but the policy is free."),
    ),
    (
        re.compile(
            r"Cancelled less than (?P<hours>\d+) h ahead: the late-cancellation fee applies\."
        ),
        lambda found: (
            gettext("Cancelled less than %(hours)s h ahead: the late-cancellation fee applies.")
            % _hours(found)
        ),
    ),
    (
        re.compile(r"More than (?P<days>\d+) days after the slot: closed without charge\."),
        lambda found: (
            gettext("More than %(days)s days after the slot: closed without charge.")
            % {"days": formats.count(int(found["days"]))}
        ),
    ),
    (
        re.compile(re.escape("No-show: the no-show fee applies.")),
        lambda _: gettext("No-show: the no-show fee applies."),
    ),
    (
        re.compile(
            r"The card hold had lapsed and the card was declined \((?P<code>\w*)\):"
            r" nothing was charged\."
        ),
        lambda found: (
            gettext(
                "The card hold had lapsed and the card was declined (%(code)s):"
                " nothing was charged."
            )
            % {"code": found["code"]}
        ),
    ),
]


#: A late move's sentence: its fee is stored in minor units, and read as money.
_LATE_MOVE = re.compile(
    r"Moved less than (?P<hours>\d+) h ahead: the late-cancellation fee"
    r" \((?P<fee>\d+) in minor units\) was kept from the deposit\."
)


def outcome_words(note: str, currency: str) -> str:
    """``note`` with each sentence of the rules said in the reader's language,
    amounts as money in ``currency`` (the booking's)."""
    note = _LATE_MOVE.sub(
        lambda found: (
            gettext(
                "Moved less than %(hours)s h ahead: the late-cancellation fee of %(fee)s was"
                " kept from the deposit."
            )
            % {**_hours(found), "fee": formats.money(int(found["fee"]), currency)}
        ),
        note,
    )
    for pattern, say in _SAID:
        note = pattern.sub(say, note)
    return note

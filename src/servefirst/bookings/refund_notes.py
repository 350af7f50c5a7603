"""What a booking's note tells staff of a deposit the card processor would
not refund, as the money moves after: it is the customer's to give back
another way; a lost dispute's bank gave it to them (nothing left to give,
or staff would pay twice); Stripe's won afterwards took it back from them
(owed again). One sentence of these at a time, the latest true one; the
rest of the note stays as it was written. Pure: no database."""

from __future__ import annotations

import re

#: The processor refused the refund: the deposit stays in ``deposits_held``.
REFUSED = "The card processor refused to refund the deposit ({code}): give it back another way."
#: The dispute lost: the bank gave the customer the deposit still owed.
RETURNED = (
    "The bank returned the deposit to the customer (dispute lost): nothing left to give back."
)
#: Stripe's won after the loss: the bank took it back, owed to the customer again.
OWED_AGAIN = (
    "The bank took the deposit back from the customer (dispute won): give it back another way."
)
#: ``bookings.outcome_reason``'s length.
LIMIT = 200

REFUSED_SAID = re.compile(
    re.escape(REFUSED).replace(re.escape("{code}"), r"(?P<code>[A-Za-z0-9_]*)")
)
_ANY_SAID = re.compile("|".join([REFUSED_SAID.pattern, re.escape(RETURNED), re.escape(OWED_AGAIN)]))


def refused(note: str | None, code: str | None) -> str:
    """``note`` with the refusal added, as staff have always read it."""
    return f"{note or ''} {REFUSED.format(code=code)}".strip()[:LIMIT]


def retold(note: str | None, sentence: str) -> str:
    """``note`` with what it said of the deposit owed replaced by
    ``sentence``, kept whole within the column's length (what came before
    is cut instead: a note cut short before said it, cut short still)."""
    rest = " ".join(_ANY_SAID.sub("", note or "").split())
    room = LIMIT - len(sentence) - 1
    return f"{rest[: max(room, 0)].rstrip()} {sentence}".strip()

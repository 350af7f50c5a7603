"""The online booking form books once, however often it is sent.

A confirm tapped twice, or sent again after the back button, would make a
second booking (with "anyone", someone else at the same time) and take a second
deposit. Each review page carries a one-time ``attempt`` key; confirming
claims it in the idempotency store (scope ``online_booking``, as an API
``Idempotency-Key``), so a second send finds the first answer and goes to the
booking already made, a send while the first is still running is told to wait,
and a refusal (a declined card) frees the key for the corrected form. The key
is the browser's own: only whoever had the review page can replay it.

The answer (the booking's page) is written by the use case in the booking's
own transaction (``bookings.deposit_phases.book_in_turn``): with a deposit, in
phase 1, which keeps the booking with its deposit pending, so a send while the
card processor answers, or after a crash there, goes to that booking (whose
page says it is being made until its deposit is held) and never books or
charges again; a declined deposit takes the booking back and frees the key in
one transaction. No crash point leaves a booking kept and its key unanswered:
a key claimed without an answer had nothing committed, and a send after the
idempotency lock has passed may book afresh. (A deposit that recovery finds
never taken takes its booking back but not its key: a send after that lands on
the booking's page, now not found, rather than booking again.)
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from servefirst.bookings.deposit_phases import FormKey
from servefirst.idempotency import forms
from servefirst.idempotency import service as keys
from servefirst.idempotency.forms import Attempt
from servefirst.runtime import Runtime

SCOPE = "online_booking"


def new_attempt() -> str:
    """The review page's key for the booking it offers (128 random bits)."""
    return secrets.token_urlsafe(16)


def begin(
    rt: Runtime, merchant_id: str, attempt: str, *, service: str, starts_at: str, email: str
) -> Attempt:
    """Claim ``attempt`` for this booking; ``done_at``: where the first send went.
    No key (a form from before keys were given): nothing is claimed."""
    if not attempt:
        return Attempt()
    what = "\0".join((service, starts_at, email.strip().lower())).encode()
    return forms.claim(
        rt,
        merchant_id=merchant_id,
        scope=SCOPE,
        key=attempt[: keys.MAX_KEY_LENGTH],
        fingerprint=hashlib.sha256(what).hexdigest(),
    )


def key_of(attempt: Attempt, page_of: Callable[[str], str]) -> FormKey | None:
    """The claimed key for the booking's use case, answered there with
    ``page_of`` the booking's token; None when nothing was claimed."""
    return FormKey(attempt.claim, page_of) if attempt.claim is not None else None


def refused(rt: Runtime, attempt: Attempt) -> None:
    """Nothing was booked: the key is free for the form sent again, corrected."""
    forms.free(rt, attempt)

"""The online booking form books once, however often it is sent.

A confirm tapped twice, or sent again after the back button, would make a
second booking (with "anyone", someone else at the same time) and take a second
deposit. Each review page carries a one-time ``attempt`` key; confirming
claims it in the idempotency store (scope ``online_booking``, as an API
``Idempotency-Key``), so a second send finds the first answer and goes to the
booking already made, a send while the first is still running is told to wait,
and a refusal (a declined card) frees the key for the corrected form. The key
is the browser's own: only whoever had the review page can replay it.

The answer is stored just after the booking commits (the booking and its
deposit commit in phases of their own): a crash between the two leaves the key
claimed without an answer, and a send after the idempotency lock has passed
may then book again, as before there were keys.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from servefirst.db.uow import new_session
from servefirst.idempotency import service as keys
from servefirst.runtime import Runtime

SCOPE = "online_booking"


def new_attempt() -> str:
    """The review page's key for the booking it offers (128 random bits)."""
    return secrets.token_urlsafe(16)


@dataclass(frozen=True)
class Attempt:
    """One confirm of the form: claimed, or answered already (``done_at``)."""

    claim: keys.Claim | None = None
    done_at: str | None = None


def begin(
    rt: Runtime, merchant_id: str, attempt: str, *, service: str, starts_at: str, email: str
) -> Attempt:
    """Claim ``attempt`` for this booking; ``done_at``: where the first send went.
    No key (a form from before keys were given): nothing is claimed."""
    if not attempt:
        return Attempt()
    what = "\0".join((service, starts_at, email.strip().lower())).encode()
    session = new_session(rt.engine, write=True)
    try:
        got = keys.claim(
            session,
            rt.clock,
            merchant_id=merchant_id,
            scope=SCOPE,
            key=attempt[: keys.MAX_KEY_LENGTH],
            fingerprint=hashlib.sha256(what).hexdigest(),
            lock_seconds=rt.settings.idempotency_lock_seconds,
            ttl_hours=rt.settings.idempotency_ttl_hours,
        )
    finally:
        session.close()
    if isinstance(got, keys.Replay):
        return Attempt(done_at=got.body)
    return Attempt(claim=got)


def done(rt: Runtime, attempt: Attempt, where: str) -> None:
    """The booking is made: a send of the same form again goes to ``where``."""
    if attempt.claim is None:
        return
    session = new_session(rt.engine, write=True)
    try:
        keys.store(session, attempt.claim, 303, where.encode())
        session.commit()
    finally:
        session.close()


def refused(rt: Runtime, attempt: Attempt) -> None:
    """Nothing was booked: the key is free for the form sent again, corrected."""
    if attempt.claim is None:
        return
    session = new_session(rt.engine, write=True)
    try:
        keys.release(session, attempt.claim)
    finally:
        session.close()

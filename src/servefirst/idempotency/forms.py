"""A page form's one-time key in the idempotency store, as an API request's
``Idempotency-Key`` is kept: claimed in a short transaction of its own before
the form's work, answered in the work's own transaction (by the use case),
and freed when nothing was done, so the form sent again, corrected, is
another try. The online booking form (``web.booking_once``) and the
console's new-customer form (``staff.customer_once``) use it."""

from __future__ import annotations

from dataclasses import dataclass

from servefirst.db.uow import new_session
from servefirst.idempotency import service as keys
from servefirst.runtime import Runtime


@dataclass(frozen=True)
class Attempt:
    """One send of a form: claimed, or answered already (``done_at``: where
    the first send went)."""

    claim: keys.Claim | None = None
    done_at: str | None = None


def claim(rt: Runtime, *, merchant_id: str, scope: str, key: str, fingerprint: str) -> Attempt:
    """Claim ``key`` for the form's work. A send while the first is still
    running: ``IdempotencyError`` (409); one after it: its answer."""
    session = new_session(rt.engine, write=True)
    try:
        got = keys.claim(
            session,
            rt.clock,
            merchant_id=merchant_id,
            scope=scope,
            key=key,
            fingerprint=fingerprint,
            lock_seconds=rt.settings.idempotency_lock_seconds,
            ttl_hours=rt.settings.idempotency_ttl_hours,
        )
    finally:
        session.close()
    if isinstance(got, keys.Replay):
        return Attempt(done_at=got.body)
    return Attempt(claim=got)


def free(rt: Runtime, attempt: Attempt) -> None:
    """Nothing was done: the key, left unanswered, is free for the form sent again."""
    if attempt.claim is None:
        return
    session = new_session(rt.engine, write=True)
    try:
        keys.release(session, attempt.claim)
    finally:
        session.close()

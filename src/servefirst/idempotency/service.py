"""Claiming an idempotency key, storing the answer, replaying it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from servefirst.db.upsert import insert_for
from servefirst.idempotency.models import IdempotencyKey
from servefirst.kit.clock import Clock
from servefirst.kit.errors import IdempotencyError, InvalidRequest

MAX_KEY_LENGTH = 255


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), b"\0", path.encode(), b"\0", body):
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True)
class Claim:
    """This request owns the key; its answer will be stored with its work."""

    merchant_id: str
    scope: str
    key: str
    #: What the key's first request kept before it could answer (phase 1 of a
    #: booking's deposit) and then died: this request lands on it, never
    #: doing the work again.
    recovery_point: str | None = None


@dataclass(frozen=True)
class Replay:
    """The key was used before with the same request: here is the first answer."""

    status: int
    body: str


def claim(
    session: Session,
    clock: Clock,
    *,
    merchant_id: str,
    scope: str,
    key: str,
    fingerprint: str,
    lock_seconds: int,
    ttl_hours: int,
) -> Claim | Replay:
    """Take the key in a short transaction of its own (committed here)."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidRequest(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.",
            code="idempotency_key_invalid",
            param="Idempotency-Key",
        )
    now = clock.now()
    inserted = session.execute(
        insert_for(session.get_bind().dialect.name, IdempotencyKey)
        .values(
            merchant_id=merchant_id,
            scope=scope,
            key=key,
            fingerprint=fingerprint,
            locked_at=now,
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(IdempotencyKey.key)
    ).first()
    if inserted is not None:
        session.commit()
        return Claim(merchant_id, scope, key)
    row = session.scalar(
        select(IdempotencyKey)
        .where(
            IdempotencyKey.merchant_id == merchant_id,
            IdempotencyKey.scope == scope,
            IdempotencyKey.key == key,
        )
        .with_for_update()
    )
    assert row is not None
    if row.created_at < now - timedelta(hours=ttl_hours):
        # Forgotten: a key may be used afresh after its time is up.
        row.fingerprint, row.response_status, row.response_body = fingerprint, None, None
        row.recovery_point = None
        row.locked_at = row.created_at = now
        session.commit()
        return Claim(merchant_id, scope, key)
    if row.fingerprint != fingerprint:
        session.rollback()
        raise IdempotencyError(
            "This Idempotency-Key was already used with a different request; use a new key "
            "for a new request.",
            code="idempotency_key_reused",
            status=422,
            param="Idempotency-Key",
        )
    if row.response_status is None:
        if row.locked_at > now - timedelta(seconds=lock_seconds):
            session.rollback()
            raise IdempotencyError(
                "A request with this Idempotency-Key is still being processed; retry shortly.",
                code="idempotency_key_in_use",
                status=409,
                param="Idempotency-Key",
            )
        # The first request died before committing anything (its answer and its
        # work commit together): this one may do the work. Or it died between a
        # payment's phases, after keeping its recovery point: this one starts there.
        row.locked_at = now
        recovery_point = row.recovery_point
        session.commit()
        return Claim(merchant_id, scope, key, recovery_point)
    replay = Replay(row.response_status, row.response_body or "")
    session.rollback()
    return replay


def still_waiting(made: str, details: dict[str, str]) -> IdempotencyError:
    """The refusal a retry hears while what its key's first request ``made``
    (kept before a crash between a payment's phases) waits for the card
    processor's answer: the key's in-progress 409, naming what was made."""
    return IdempotencyError(
        f"A request with this Idempotency-Key {made}; the card processor's answer is"
        " still awaited. Retry shortly.",
        code="idempotency_key_in_use",
        status=409,
        param="Idempotency-Key",
        details=details,
    )


def store(session: Session, claim: Claim, status: int, body: bytes) -> None:
    """Save the answer; called in the request's own transaction, so it commits
    with the work it describes (or, for a refused request, on its own)."""
    session.execute(
        update(IdempotencyKey)
        .where(
            IdempotencyKey.merchant_id == claim.merchant_id,
            IdempotencyKey.scope == claim.scope,
            IdempotencyKey.key == claim.key,
        )
        .values(response_status=status, response_body=body.decode())
    )


def release(session: Session, claim: Claim) -> None:
    """Forget a claim whose request did nothing (bad input, a crash): the key is free.
    Not one with a recovery point: its request kept something (a booking whose
    deposit the processor may have taken), which a retry must land on."""
    session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.merchant_id == claim.merchant_id,
            IdempotencyKey.scope == claim.scope,
            IdempotencyKey.key == claim.key,
            IdempotencyKey.response_status.is_(None),
            IdempotencyKey.recovery_point.is_(None),
        )
    )
    session.commit()

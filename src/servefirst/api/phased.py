"""A request that asks the card processor in phases answers its
``Idempotency-Key`` across a crash between them.

Its first phase commits work (a booking cancelled, its fee asked of the card
hold) before the request's answer exists, so the key is answered only with
the last phase. A server that dies in between would leave the key free and
the work done: a retry would do the work again, or be refused for it (a
booking cancelled twice). So the first phase keeps, beside its work, the key's
recovery point (``idempotency_keys.recover_at``; released never, once
committed: ``api.commit``). A retry with the same body, once the key's lock
has passed, lands there instead of doing anything: 409
``idempotency_key_in_use`` naming what was changed while the processor's
answer is still awaited (by the first request, or by ``servefirst payments
recover``), then the resource as it stands, which is what the first request
would have answered, stored as the key's answer as any other.

A booking's deposit asked at booking keeps its own point the same way
(``bookings.deposit_phases.book_off_the_loop``); a card payment and a refund
of one need none: their rows carry ids made from the key, and a retry finishes
the very attempt it began (``payments.phases``, ``payments.refunds``), or, for
a card payment the processor never charged, makes the next one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request

from servefirst.api.context import run_sync
from servefirst.db.uow import UnitOfWork
from servefirst.idempotency import service as idempotency


@dataclass(frozen=True)
class Kept:
    """What a phased request changes, as its key's retry is told of it."""

    #: What the request does, for the retry's refusal ("cancelled this booking").
    made: str
    #: The field that names it in the refusal (``booking_id``, ``tab_id``).
    name: str
    id: str
    #: Whether the processor's part of it is still unanswered.
    waits: Callable[[], bool]


async def once_per_key(
    request: Request,
    uow: UnitOfWork,
    kept: Kept,
    begin: Callable[[], bool],
    then: Callable[[], Awaitable[None]],
) -> None:
    """``begin`` (phase 1; True when the processor is to be asked, and so the
    key keeps its recovery point), then, if so, ``then`` (the processor's
    phases); or, for the retry of a request that died between them, neither:
    the caller answers with the resource as it stands."""
    claim: idempotency.Claim | None = getattr(request.state, "claim", None)
    if claim is not None and claim.recovery_point is not None:
        if await run_sync(request, kept.waits):
            raise idempotency.still_waiting(kept.made, {kept.name: kept.id})
        return

    def phase_one() -> bool:
        asks = begin()
        if asks and claim is not None:
            uow.idempotency_keys.recover_at(claim, kept.id)
        return asks

    if await run_sync(request, phase_one):
        await then()

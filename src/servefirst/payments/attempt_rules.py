"""Pure rules of a card payment request's attempts: which processor key each
carries, and what a retry of the request (same ``Idempotency-Key``) meets.

A request's ``Idempotency-Key`` gives the processor key of its first attempt
(``api.context.processor_key``). As at Stripe, only a request the processor
decided is answered for good: a charge, or a decline (``card_declined``...),
replays under the same key. An attempt the processor never decided, because
the server died before or while asking it and recovery then heard that
nothing was charged under the attempt's key (``not_charged``), answers
nothing: the same request sent again makes a new attempt, as a booking whose
deposit was never taken books again (``bookings.deposit_phases``).

The new attempt carries a processor key of its own, the request's key and the
attempt's number (``idem_..._2``): never the failed attempt's, so the
processor can never answer it with what it keeps (or, late, comes to keep)
under the first. The failed attempt stays in the records as it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

#: Why recovery failed an attempt the processor never charged.
NOT_CHARGED = "not_charged"


class Attempted(Protocol):
    """What these rules read of a payment attempt."""

    @property
    def processor_key(self) -> str | None: ...

    @property
    def status(self) -> str: ...

    @property
    def failure_code(self) -> str | None: ...


A = TypeVar("A", bound=Attempted)


def attempt_key(request_key: str, number: int) -> str:
    """The processor key of the request's ``number``-th attempt (the first
    carries the request's own)."""
    if number < 1:
        raise ValueError(f"attempts are counted from 1, not {number}")
    return request_key if number == 1 else f"{request_key}_{number}"


def attempt_number(request_key: str, processor_key: str | None) -> int | None:
    """Which attempt of the request ``processor_key`` is (``attempt_key``
    read back); None for an attempt of another request."""
    if processor_key == request_key:
        return 1
    if processor_key is None or not processor_key.startswith(f"{request_key}_"):
        return None
    tail = processor_key[len(request_key) + 1 :]
    if not (tail.isascii() and tail.isdigit()) or tail.startswith("0"):
        return None
    number = int(tail)
    return number if number >= 2 else None


def never_decided(attempt: Attempted) -> bool:
    """An attempt the processor charged nothing for and declined nothing:
    no answer to its request, which may try again under the same key."""
    return attempt.status == "failed" and attempt.failure_code == NOT_CHARGED


def retry_meets(request_key: str, attempts: Iterable[A]) -> A | str:
    """What a retry of the request meets among the tab's ``attempts``: its
    latest attempt, to be answered with (succeeded, declined, pending); or,
    with none yet or the latest never decided, the processor key of the
    attempt to make now."""
    numbered = [
        (number, attempt)
        for attempt in attempts
        if (number := attempt_number(request_key, attempt.processor_key)) is not None
    ]
    if not numbered:
        return attempt_key(request_key, 1)
    number, latest = max(numbered, key=lambda pair: pair[0])
    if never_decided(latest):
        return attempt_key(request_key, number + 1)
    return latest

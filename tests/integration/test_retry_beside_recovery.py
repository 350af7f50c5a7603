"""A retried card payment and recovery never decide the same attempt apart.

A crash leaves a card payment attempt pending. The client's retry (same
``Idempotency-Key``) carries it on and asks the processor again under the
attempt's key; recovery, once the attempt's grace has passed, asks the
processor what became of it. Were recovery to ask while the retry's charge
is on its way, it would hear "not charged", fail the attempt, and the charge
landing a moment later would be money taken with no payment booked. A retry
marks when it asked (``payments.asked_at``): recovery counts its grace from
then, and leaves alone an attempt asked about again since it read it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from servefirst.payments.recovery import Recovered, recover
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration.test_booking_steps_retried_after_a_crash import (
    KEY,
    dies_asking,
    processor_did,
)
from tests.integration.test_bookings_api import GOOD, nonzero


@contextmanager
def before_the_processor_answers(runtime: Runtime, name: str, step: Any) -> Iterator[list[Any]]:
    """Run ``step`` each time the sandbox is asked ``name``, just before it
    does it; what ``step`` gave back is listed."""
    sandbox = runtime.gateways.sandbox
    real = getattr(sandbox, name)
    seen: list[Any] = []

    def first_the_step(*args: Any, **kwargs: Any) -> Any:
        seen.append(step())
        return real(*args, **kwargs)

    setattr(sandbox, name, first_the_step)
    try:
        yield seen
    finally:
        setattr(sandbox, name, real)


def crashed_attempt(runtime: Runtime, merchant: Merchant) -> tuple[str, str, dict[str, Any]]:
    tab = merchant.served_tab(1200)
    path, body = f"/v1/tabs/{tab['id']}/payments", {"method": "card", "card": GOOD}
    with dies_asking(runtime, "charge", after_the_processor=False):
        assert merchant.post(path, body, headers=KEY).status_code == 500
    (pending,) = merchant.get(f"{path}?status=all").json()["data"]
    assert pending["status"] == "pending"
    return path, pending["id"], body


def test_recovery_running_while_a_retry_charges_leaves_the_attempt_to_the_retry(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    path, attempt_id, body = crashed_attempt(runtime, merchant)
    # Long after the crash: past the key's lock and past recovery's grace.
    clock.advance(seconds=runtime.settings.payment_recovery_grace_seconds + 1)
    with before_the_processor_answers(runtime, "charge", lambda: recover(runtime)) as rounds:
        again = merchant.post(path, body, headers=KEY)
    [round_] = rounds
    assert isinstance(round_, Recovered)
    assert attempt_id not in round_.failed + round_.succeeded  # the retry's to finish
    assert again.status_code == 201, again.text
    assert (again.json()["id"], again.json()["status"]) == (attempt_id, "succeeded")
    with runtime.uow(merchant.id, write=False) as uow:
        key = uow.tabs.payment(attempt_id).processor_key
    assert processor_did(runtime, key) == 1
    assert nonzero(merchant.balances())["card_clearing"] == 1200


def test_an_attempt_asked_about_again_while_recovery_asked_waits_for_a_later_round(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    path, attempt_id, body = crashed_attempt(runtime, merchant)
    clock.advance(seconds=runtime.settings.payment_recovery_grace_seconds + 1)

    def a_retry_dies_asking() -> int:
        # The retry asks the processor again, and dies before its answer.
        with dies_asking(runtime, "charge", after_the_processor=False):
            return int(merchant.post(path, body, headers=KEY).status_code)

    with before_the_processor_answers(runtime, "find_charge", a_retry_dies_asking) as retries:
        first = recover(runtime)
    assert retries == [500]
    # Recovery heard "not charged" before the retry asked: it cannot know
    # whether that ask charged, so it leaves the attempt pending.
    assert attempt_id not in first.failed + first.succeeded
    statuses = [p["status"] for p in merchant.get(f"{path}?status=all").json()["data"]]
    assert statuses == ["pending"]
    # Within the grace counted from the retry's ask: still left alone.
    assert attempt_id not in recover(runtime).failed
    clock.advance(seconds=runtime.settings.payment_recovery_grace_seconds + 1)
    assert attempt_id in recover(runtime).failed  # never charged: failed, not charged again
    assert nonzero(merchant.balances()).get("card_clearing", 0) == 0

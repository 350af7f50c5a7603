"""A payment from a card hold on Stripe that a crash left pending: recovery
finds the capture if Stripe made it, and the same ``Idempotency-Key`` then
gets that payment; if Stripe never captured, the same key captures once.

A capture, unlike a charge, makes no PaymentIntent that carries our key:
the gateway names the hold by the capture's key before capturing it, which
is what recovery asks Stripe by (``StripeGateway.find_charge``). Without it,
recovery heard "not charged" of a hold Stripe had captured: money taken and
booked nowhere, and a retry that would try again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from servefirst.payments.recovery import recover
from servefirst.payments.stripe_gateway import StripeGateway
from servefirst.runtime import Runtime
from tests import stripe_double as double
from tests.conftest import Merchant, TestClock
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_booking_steps_retried_after_a_crash import KEY, past_the_lock
from tests.integration.test_bookings_api import at, nonzero
from tests.integration.test_bookings_holds import hold_policy
from tests.integration.test_stripe_bookings import book, captured_at
from tests.stripe_double import StripeDouble

localstripe_port = double.localstripe_port
stripe_double = double.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe


class ServerDied(Exception):
    """Where the server's process would have died."""


@contextmanager
def dies_capturing(monkeypatch: pytest.MonkeyPatch, *, after_stripe: bool) -> Iterator[None]:
    real = StripeGateway.capture

    def dies(self: StripeGateway, *args: Any, **kwargs: Any) -> Any:
        if after_stripe:
            real(self, *args, **kwargs)
        raise ServerDied

    with monkeypatch.context() as patched:
        patched.setattr(StripeGateway, "capture", dies)
        yield


def served_tab_on_a_hold(cafe: Merchant, stripe_double: StripeDouble, clock: TestClock) -> str:
    hold_policy(cafe)
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, hours=1))
    assert made.status_code == 201, made.text
    checked = cafe.post(f"/v1/bookings/{made.json()['id']}/check-in")
    assert checked.status_code == 200, checked.text
    tab_id = str(checked.json()["tab_id"])
    assert cafe.post(f"/v1/tabs/{tab_id}/serve").status_code == 200
    return tab_id


def statuses(cafe: Merchant, tab_id: str) -> list[tuple[str, str | None]]:
    listed = cafe.get(f"/v1/tabs/{tab_id}/payments?status=all").json()["data"]
    return [(p["status"], p["failure_code"]) for p in listed]


def test_a_hold_stripe_captured_before_the_crash_is_booked_by_recovery_and_answers_the_key(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    clock: TestClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tab_id = served_tab_on_a_hold(cafe, stripe_double, clock)
    path, body = f"/v1/tabs/{tab_id}/payments", {"method": "card_hold", "tip": 0}
    with dies_capturing(monkeypatch, after_stripe=True):
        assert cafe.post(path, body, headers=KEY).status_code == 500
    ((pending, _),) = statuses(cafe, tab_id)
    assert pending == "pending"

    done = recover(stripe_runtime, grace_seconds=0)
    assert len(done.succeeded) == 1 and done.failed == []
    past_the_lock(stripe_runtime, clock)
    again = cafe.post(path, body, headers=KEY)
    assert again.status_code == 201, again.text
    assert again.json()["id"] == done.succeeded[0]
    assert again.json()["tab"]["status"] == "paid"
    assert statuses(cafe, tab_id) == [("succeeded", None)]
    total = again.json()["tab"]["total"]
    assert nonzero(cafe.balances()) == {"card_clearing": total, "revenue": -total}


def test_a_hold_stripe_never_captured_is_captured_once_by_the_same_key(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    clock: TestClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tab_id = served_tab_on_a_hold(cafe, stripe_double, clock)
    path, body = f"/v1/tabs/{tab_id}/payments", {"method": "card_hold", "tip": 0}
    with dies_capturing(monkeypatch, after_stripe=False):
        assert cafe.post(path, body, headers=KEY).status_code == 500
    assert len(recover(stripe_runtime, grace_seconds=0).failed) == 1

    past_the_lock(stripe_runtime, clock)
    again = cafe.post(path, body, headers=KEY)
    assert again.status_code == 201, again.text
    assert again.json()["tab"]["hold"]["status"] == "captured"
    assert statuses(cafe, tab_id) == [("failed", "not_charged"), ("succeeded", None)]
    total = again.json()["tab"]["total"]
    with stripe_runtime.uow(cafe.id, write=False) as uow:
        first, paid = (p.processor_key for p in uow.tabs.payments(tab_id))
    assert paid == f"{first}_2"  # never the failed attempt's key
    intents = stripe_double.client().v1.payment_intents.list(params={"limit": 100}).data
    named = [(i, (i.metadata or {}).to_dict().get("servefirst_capture")) for i in intents]
    captured = [
        (key, captured_at(stripe_double, i))
        for i, key in named
        if i.status == "succeeded" and key in (first, paid)
    ]
    assert captured == [(paid, total)]  # captured once, under the new attempt's key
    assert nonzero(cafe.balances()) == {"card_clearing": total, "revenue": -total}

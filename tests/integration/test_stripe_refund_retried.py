"""A card refund request sent again with the same ``Idempotency-Key`` after
the first died between its phases: the refund it began is first looked for
at Stripe under its key, as ``servefirst payments recover`` does, and sent
again only when Stripe holds none. Sent again blindly, it would count on
Stripe still keeping the key (it forgets it after 24 hours, and would then
make a second refund).

Against localstripe behind the test double (tests/stripe_double.py), whose
``forget_keys`` lets Stripe's 24 hours pass."""

from __future__ import annotations

from typing import Any

import pytest

from servefirst.payments import refunds as refund_phases
from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_stripe_gateway import pay
from tests.integration.test_stripe_refunds_recovered import books_agree, made_at_stripe
from tests.stripe_double import StripeDouble

# The Stripe merchant and the double in front of localstripe (fixtures).
localstripe_port = on_stripe.localstripe_port
stripe_double = on_stripe.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe

SOUP = {"amount": 300, "reason": "Cold soup"}
KEY = {"Idempotency-Key": "refund-cold-soup-table-4"}


def lunch_paid_by_card(cafe: Merchant, double: StripeDouble, runtime: Runtime) -> tuple[str, str]:
    """A 9.00 lunch paid by card through Stripe: (the payment, its PaymentIntent)."""
    tab = cafe.served_tab(900)
    paid = pay(cafe, tab["id"], double.payment_method())
    assert paid.status_code == 201, paid.text
    payment_id = paid.json()["id"]
    return payment_id, on_stripe.reference_of(runtime, cafe, payment_id)


def dies_once(monkeypatch: pytest.MonkeyPatch, phase: str, module: Any = refund_phases) -> None:
    """The server dies once at ``phase`` (a function of ``module``: by default
    the refund request's phases; the refund already committed pending), then
    runs as it should."""
    real = getattr(module, phase)
    died: list[bool] = []

    def crash(*args: Any, **kwargs: Any) -> Any:
        if not died:
            died.append(True)
            raise RuntimeError(f"the server died at {phase}")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, phase, crash)


def refunds_listed(cafe: Merchant, payment_id: str) -> list[tuple[str, int, str]]:
    data = cafe.get(f"/v1/payments/{payment_id}/refunds").json()["data"]
    return [(r["id"], r["amount"], r["status"]) for r in data]


def test_a_refund_retried_a_day_after_stripe_made_it_is_found_and_never_made_twice(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    payment_id, intent_id = lunch_paid_by_card(cafe, stripe_double, stripe_runtime)
    # Stripe made the refund; the server died before keeping its answer.
    dies_once(monkeypatch, "finish_refund")
    died = cafe.post(f"/v1/payments/{payment_id}/refunds", SOUP, headers=KEY)
    assert died.status_code == 500
    [(refund_id, _, status)] = refunds_listed(cafe, payment_id)
    assert status == "pending"
    assert made_at_stripe(stripe_double, intent_id, refund_id) == [300]

    stripe_double.forget_keys()  # the client retries the next day: Stripe forgot the key
    again = cafe.post(f"/v1/payments/{payment_id}/refunds", SOUP, headers=KEY)
    assert again.status_code == 201, again.text
    assert (again.json()["id"], again.json()["status"]) == (refund_id, "succeeded")
    assert made_at_stripe(stripe_double, intent_id, refund_id) == [300]  # not a second one
    assert stripe_double.keys_sent("/v1/refunds") == [refund_id]  # the first call only
    assert refunds_listed(cafe, payment_id) == [(refund_id, 300, "succeeded")]
    assert cafe.balances()["refunds"] == 300
    books_agree(stripe_runtime, cafe)


def test_a_refund_retried_before_stripe_was_asked_is_sent_once(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    payment_id, intent_id = lunch_paid_by_card(cafe, stripe_double, stripe_runtime)
    # The server died with the refund pending, before Stripe was asked.
    dies_once(monkeypatch, "ask_processor")
    died = cafe.post(f"/v1/payments/{payment_id}/refunds", SOUP, headers=KEY)
    assert died.status_code == 500
    [(refund_id, _, _)] = refunds_listed(cafe, payment_id)
    assert stripe_double.keys_sent("/v1/refunds") == []

    again = cafe.post(f"/v1/payments/{payment_id}/refunds", SOUP, headers=KEY)
    assert again.status_code == 201, again.text
    assert (again.json()["id"], again.json()["status"]) == (refund_id, "succeeded")
    assert stripe_double.keys_sent("/v1/refunds") == [refund_id]
    assert made_at_stripe(stripe_double, intent_id, refund_id) == [300]
    assert cafe.balances()["refunds"] == 300
    books_agree(stripe_runtime, cafe)

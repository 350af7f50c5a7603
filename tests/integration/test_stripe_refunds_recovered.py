"""A refund left pending (the process died between its phases, or Stripe did
not answer) is finished by ``servefirst payments recover``: it is first
looked for at Stripe under its own key (our refund's id, kept in the
Refund's metadata), and sent again under that key only when Stripe holds no
refund made under it. So a retry never hangs on its parameters being built as
they first were (a deploy may cut the reason another way): Stripe refuses a
key used again with other parameters, for 24 hours. If it refuses anyway,
the refund stays pending, nothing booked, and recovery says so.

Against localstripe behind the test double (tests/stripe_double.py). The
double's own: it refuses a POST whose Idempotency-Key it saw with other
parameters (400 ``idempotency_error``, as Stripe does), and
``key_first_used_with_other_parameters`` / ``forget_keys`` have it seen a
key so, then let Stripe's 24 hours pass."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import select

from servefirst.bookings.models import DepositRefund
from servefirst.ledger.service import audit
from servefirst.payments import refunds as refund_phases
from servefirst.payments.recovery import recover, summary
from servefirst.payments.refund_models import Refund
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_bookings_api import at, nonzero, salon
from tests.integration.test_stripe_bookings import book
from tests.integration.test_stripe_deposit_refunds import _cheaper, deposit_intent
from tests.integration.test_stripe_gateway import pay
from tests.integration.test_stripe_switched_back import keys_gone, keys_set_again
from tests.stripe_double import StripeDouble

# The Stripe merchant and the double in front of localstripe (fixtures).
localstripe_port = on_stripe.localstripe_port
stripe_double = on_stripe.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe

#: A long reason, as a manager types one: Stripe's metadata keeps 500 characters.
LONG_REASON = "The soup came cold twice and the second bowl was the wrong one. " * 6


def left_pending(cafe: Merchant, double: StripeDouble, runtime: Runtime) -> tuple[Refund, str]:
    """A 3.00 refund of a 9.00 card payment, kept pending (phase 1), then the
    crash: (the refund, the PaymentIntent it refunds)."""
    tab = cafe.served_tab(900)
    paid = pay(cafe, tab["id"], double.payment_method())
    assert paid.status_code == 201, paid.text
    with runtime.uow(cafe.id) as uow:
        refund = refund_phases.begin_refund(
            uow, paid.json()["id"], amount=300, tip=None, reason=LONG_REASON
        )
        charge, _ = refund_phases.charge_of(uow, refund)
        uow.commit()
    return refund, charge


def listed(cafe: Merchant, refund: Refund) -> list[tuple[int, str]]:
    data = cafe.get(f"/v1/payments/{refund.payment_id}/refunds").json()["data"]
    return [(r["amount"], r["status"]) for r in data]


def made_at_stripe(double: StripeDouble, intent_id: str, key: str) -> list[int]:
    refunds = double.client().v1.refunds.list(params={"payment_intent": intent_id}).data
    return [r.amount for r in refunds if r.metadata.to_dict().get("servefirst_refund") == key]


def books_agree(runtime: Runtime, cafe: Merchant) -> None:
    with runtime.uow(cafe.id, write=False) as uow:
        assert audit(uow).ok


def test_a_refund_asked_before_a_deploy_is_found_at_stripe_and_never_sent_again(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    refund, intent_id = left_pending(cafe, stripe_double, stripe_runtime)
    # Phase 2, by the code before a deploy (it kept 200 characters of the
    # reason in Stripe's metadata), under our key: Stripe refunded. Then the crash.
    stripe_double.client().v1.refunds.create(
        params={
            "payment_intent": intent_id,
            "amount": 300,
            "metadata": {
                "servefirst_reason": refund.reason[:200],
                "servefirst_refund": refund.refund_id,
            },
        },
        options={"idempotency_key": refund.refund_id},
    )

    done = recover(stripe_runtime, grace_seconds=0)
    assert listed(cafe, refund) == [(300, "succeeded")]
    assert refund.refund_id in done.refunds
    assert cafe.balances()["refunds"] == 300
    books_agree(stripe_runtime, cafe)
    assert stripe_double.keys_sent("/v1/refunds") == [refund.refund_id]  # the first call only
    assert made_at_stripe(stripe_double, intent_id, refund.refund_id) == [300]


def test_a_refund_never_made_is_sent_again_under_its_key_once(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    refund, intent_id = left_pending(cafe, stripe_double, stripe_runtime)
    assert refund.refund_id in recover(stripe_runtime, grace_seconds=0).refunds
    assert refund.refund_id not in recover(stripe_runtime, grace_seconds=0).refunds
    assert listed(cafe, refund) == [(300, "succeeded")]
    assert stripe_double.keys_sent("/v1/refunds") == [refund.refund_id]
    assert made_at_stripe(stripe_double, intent_id, refund.refund_id) == [300]
    books_agree(stripe_runtime, cafe)


def test_a_key_stripe_saw_with_other_parameters_leaves_the_refund_pending_and_says_so(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    refund, intent_id = left_pending(cafe, stripe_double, stripe_runtime)
    before = cafe.balances()
    stripe_double.key_first_used_with_other_parameters(refund.refund_id)

    with caplog.at_level(logging.WARNING, logger="servefirst.payments"):
        done = recover(stripe_runtime, grace_seconds=0)
    assert listed(cafe, refund) == [(300, "pending")]
    assert refund.refund_id not in done.refunds
    assert refund.refund_id in done.keys_refused
    said = summary(done)
    assert "1 refund(s) left pending: Stripe refused their idempotency key" in said
    assert refund.refund_id in said
    assert any(
        refund.refund_id in r.getMessage() and "other parameters" in r.getMessage()
        for r in caplog.records
    )
    assert cafe.balances() == before
    books_agree(stripe_runtime, cafe)
    assert made_at_stripe(stripe_double, intent_id, refund.refund_id) == []

    stripe_double.forget_keys()  # 24 hours later: Stripe holds no refund under the key
    done = recover(stripe_runtime, grace_seconds=0)
    assert refund.refund_id in done.refunds and refund.refund_id not in done.keys_refused
    assert listed(cafe, refund) == [(300, "succeeded")]
    assert made_at_stripe(stripe_double, intent_id, refund.refund_id) == [300]
    books_agree(stripe_runtime, cafe)


def test_a_deposit_refund_asked_before_a_deploy_is_found_at_stripe_and_never_sent_again(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    salon(cafe)
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, hours=5))
    assert made.status_code == 201, made.text
    booking_id = made.json()["id"]
    _cheaper(cafe, made.json())
    keys_gone(stripe_runtime, cafe)  # the extra's refund waits, pending
    assert cafe.post(f"/v1/bookings/{booking_id}/check-in").status_code == 200
    keys_set_again(cafe)
    with stripe_runtime.uow(cafe.id, write=False) as uow:
        [pending] = uow.session.scalars(
            select(DepositRefund).where(
                DepositRefund.merchant_id == cafe.id, DepositRefund.booking_id == booking_id
            )
        ).all()
    intent: Any = deposit_intent(stripe_double, booking_id)
    # Asked by the code before a deploy, with the reason it said then.
    stripe_double.client().v1.refunds.create(
        params={
            "payment_intent": intent.id,
            "amount": pending.amount,
            "metadata": {
                "servefirst_reason": "The deposit, given back.",
                "servefirst_refund": pending.refund_id,
            },
        },
        options={"idempotency_key": pending.refund_id},
    )

    done = recover(stripe_runtime, grace_seconds=0)
    assert "deposits_held" not in nonzero(cafe.balances())
    assert pending.refund_id in done.deposit_refunds
    assert made_at_stripe(stripe_double, intent.id, pending.refund_id) == [pending.amount]
    assert stripe_double.keys_sent("/v1/refunds") == [pending.refund_id]

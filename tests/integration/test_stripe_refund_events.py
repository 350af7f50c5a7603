"""``charge.refunded``: a refund made in Stripe's dashboard is booked (a refund
and its journal entry) once; a refund servefirst made itself is not booked
again. Against localstripe behind the test double (tests/stripe_double.py:
the event is built from what localstripe holds and signed by the double, as
localstripe 1.15 sends no ``charge.refunded``)."""

from __future__ import annotations

import uuid
from typing import Any

from servefirst.payments.processor_refunds import MADE_AT_PROCESSOR
from tests.conftest import Merchant
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_stripe_gateway import WEBHOOK_SECRET, pay, post_event, reference_of
from tests.stripe_double import StripeDouble

# The Stripe merchant and the double in front of localstripe (fixtures).
localstripe_port = on_stripe.localstripe_port
stripe_double = on_stripe.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe


def paid_at_stripe(cafe: Merchant, double: StripeDouble, amount: int) -> tuple[dict[str, Any], str]:
    tab = cafe.served_tab(amount)
    paid = pay(cafe, tab["id"], double.payment_method())
    assert paid.status_code == 201, paid.text
    return paid.json(), str(paid.json()["id"])


def refund_in_dashboard(double: StripeDouble, intent_id: str, amount: int) -> str:
    """What the merchant does in Stripe's dashboard (no key of ours)."""
    made = double.client().v1.refunds.create(params={"payment_intent": intent_id, "amount": amount})
    return str(made.id)


def charge_refunded(
    double: StripeDouble, intent_id: str, refunded: int, refund_ids: list[str]
) -> tuple[bytes, str]:
    """The event Stripe sends: the charge, with all refunded of it so far."""
    charge = {
        "id": "ch_" + intent_id.removeprefix("pi_")[:20],
        "object": "charge",
        "payment_intent": intent_id,
        "amount_refunded": refunded,
        "refunded": False,
        "refunds": {
            "object": "list",
            "data": [
                {"id": rid, "object": "refund", "created": n} for n, rid in enumerate(refund_ids)
            ],
        },
    }
    return double.signed_event("charge.refunded", charge, WEBHOOK_SECRET)


def refunds_of(cafe: Merchant, payment_id: str) -> list[tuple[int, int, str, str]]:
    listed = cafe.get(f"/v1/payments/{payment_id}/refunds").json()["data"]
    return [(r["amount"], r["tip"], r["status"], r["reason"]) for r in listed]


def test_a_refund_made_in_the_dashboard_is_booked_once(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Any
) -> None:
    payment, payment_id = paid_at_stripe(cafe, stripe_double, 900)
    intent_id = reference_of(stripe_runtime, cafe, payment_id)
    refund_id = refund_in_dashboard(stripe_double, intent_id, 300)

    event = charge_refunded(stripe_double, intent_id, 300, [refund_id])
    assert post_event(cafe, *event).json()["outcome"] == "handled"
    assert post_event(cafe, *event).json()["outcome"] == "seen"
    # Stripe may tell it again under another event: still one refund.
    again = charge_refunded(stripe_double, intent_id, 300, [refund_id])
    assert post_event(cafe, *again).json()["outcome"] == "handled"

    assert refunds_of(cafe, payment_id) == [
        (300, 0, "succeeded", "Refunded in Stripe's dashboard.")
    ]
    assert cafe.balances()["refunds"] == 300
    tab = cafe.get(f"/v1/tabs/{payment['tab']['id']}").json()
    assert (tab["status"], tab["refunded"]) == ("paid", 300)


def test_a_refund_servefirst_made_is_not_booked_again_and_a_later_dashboard_one_is(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Any
) -> None:
    payment, payment_id = paid_at_stripe(cafe, stripe_double, 900)
    intent_id = reference_of(stripe_runtime, cafe, payment_id)
    ours = cafe.post(
        f"/v1/payments/{payment_id}/refunds",
        {"amount": 400, "reason": "Cold soup"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert ours.status_code == 201, ours.text
    assert ours.json()["status"] == "succeeded"
    stripe_refunds = [str(r.id) for r in stripe_double.client().v1.refunds.list().data]
    ours_at_stripe = charge_refunded(stripe_double, intent_id, 400, stripe_refunds)
    assert post_event(cafe, *ours_at_stripe).json()["outcome"] == "handled"
    assert refunds_of(cafe, payment_id) == [(400, 0, "succeeded", "Cold soup")]

    theirs = refund_in_dashboard(stripe_double, intent_id, 500)
    both = charge_refunded(stripe_double, intent_id, 900, [*stripe_refunds, theirs])
    assert post_event(cafe, *both).json()["outcome"] == "handled"
    assert sorted(refunds_of(cafe, payment_id)) == [
        (400, 0, "succeeded", "Cold soup"),
        (500, 0, "succeeded", MADE_AT_PROCESSOR),
    ]
    assert cafe.balances()["refunds"] == 900

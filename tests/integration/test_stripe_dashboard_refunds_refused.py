"""A refund made in Stripe's dashboard that the card's bank refused: whatever
order Stripe's events come in (``charge.refund.updated`` saying failed before
or after ``charge.refunded``), and however often, the books never say the
money went back. An event is a snapshot of one moment; servefirst books a
dashboard refund by what Stripe's API says of it now, and keeps a refusal of
a refund it has not booked yet, so the ``charge.refunded`` that comes later
finds it refused.

Against localstripe behind the test double (tests/stripe_double.py). The
double's own: ``refund_refused_later`` (and ``refund_failed_at_once``) makes
a Refund localstripe holds read ``failed`` from then on, through the API and
in the ``charge.refund.updated`` it signs, as localstripe never fails a
refund; ``charge.refunded`` is built by the test and signed by the double."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from servefirst.events.models import Event
from servefirst.ledger.service import audit
from servefirst.payments.processor_refunds import MADE_AT_PROCESSOR
from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_stripe_gateway import post_event, reference_of
from tests.integration.test_stripe_refund_events import (
    charge_refunded,
    paid_at_stripe,
    refund_in_dashboard,
)
from tests.stripe_double import StripeDouble

# The Stripe merchant and the double in front of localstripe (fixtures).
localstripe_port = on_stripe.localstripe_port
stripe_double = on_stripe.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe

WEBHOOK_SECRET = on_stripe.WEBHOOK_SECRET


def refunds_of(cafe: Merchant, payment_id: str) -> list[tuple[int, int, str, str, str | None]]:
    listed = cafe.get(f"/v1/payments/{payment_id}/refunds").json()["data"]
    return [(r["amount"], r["tip"], r["status"], r["reason"], r["failure_code"]) for r in listed]


def books_agree(runtime: Runtime, cafe: Merchant) -> None:
    """What ``servefirst ledger audit`` checks: running totals as the legs say."""
    with runtime.uow(cafe.id, write=False) as uow:
        assert audit(uow).ok


def told(runtime: Runtime, cafe: Merchant, type_: str) -> int:
    with runtime.uow(cafe.id, write=False) as uow:
        return len(
            uow.session.scalars(
                select(Event).where(Event.merchant_id == cafe.id, Event.type == type_)
            ).all()
        )


def delivered(cafe: Merchant, event: tuple[bytes, str]) -> None:
    """Stripe delivers an event, and again (it retries on any doubt)."""
    for _ in range(2):
        assert post_event(cafe, *event).status_code == 200


@pytest.mark.parametrize(
    "order",
    [
        "refusal first",  # charge.refunded delivered late (a retry after an outage)
        "charge.refunded first, Stripe already said failed",
        "charge.refunded first, while it had not failed yet",
    ],
)
def test_a_dashboard_refund_the_bank_refused_is_never_booked_as_given_back(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, order: str
) -> None:
    payment, payment_id = paid_at_stripe(cafe, stripe_double, 900)
    before = cafe.balances()
    intent_id = reference_of(stripe_runtime, cafe, payment_id)
    refund_id = refund_in_dashboard(stripe_double, intent_id, 300)
    # The snapshot Stripe took when the refund was made: 3.00 refunded.
    made = charge_refunded(stripe_double, intent_id, 300, [refund_id])

    if order == "charge.refunded first, while it had not failed yet":
        delivered(cafe, made)
        assert cafe.balances()["refunds"] == 300
    refusal = stripe_double.refund_refused_later(refund_id, WEBHOOK_SECRET)
    if order == "refusal first":
        delivered(cafe, refusal)
        delivered(cafe, made)
        # Told again under another event id: nothing moves.
        delivered(cafe, charge_refunded(stripe_double, intent_id, 300, [refund_id]))
    else:
        delivered(cafe, made)
        delivered(cafe, refusal)
        delivered(cafe, stripe_double.refund_refused_later(refund_id, WEBHOOK_SECRET))

    assert refunds_of(cafe, payment_id) == [
        (300, 0, "failed", MADE_AT_PROCESSOR, "expired_or_canceled_card")
    ]
    assert cafe.balances() == before
    books_agree(stripe_runtime, cafe)
    tab = cafe.get(f"/v1/tabs/{payment['tab']['id']}").json()
    assert (tab["status"], tab["refunded"]) == ("paid", 0)
    assert told(stripe_runtime, cafe, "refund.failed") == 1
    # The 9.00 is still the business's to refund.
    refunded = cafe.post(
        f"/v1/payments/{payment_id}/refunds",
        {"amount": 900, "reason": "Refunded here instead"},
        headers={"Idempotency-Key": f"again-{payment_id}"},
    )
    assert refunded.status_code == 201, refunded.text


def test_a_dashboard_refund_is_booked_as_stripe_holds_it_beside_one_refused(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    """Two dashboard refunds, one refused at once: the event lists both and
    says 7.00 refunded; only the 4.00 that went through is booked."""
    _, payment_id = paid_at_stripe(cafe, stripe_double, 900)
    intent_id = reference_of(stripe_runtime, cafe, payment_id)
    refused = refund_in_dashboard(stripe_double, intent_id, 300)
    stripe_double.refund_failed_at_once(refused, failure_reason="declined")
    kept = refund_in_dashboard(stripe_double, intent_id, 400)

    delivered(cafe, charge_refunded(stripe_double, intent_id, 700, [refused, kept]))

    assert sorted(refunds_of(cafe, payment_id)) == [
        (300, 0, "failed", MADE_AT_PROCESSOR, "declined"),
        (400, 0, "succeeded", MADE_AT_PROCESSOR, None),
    ]
    assert cafe.balances()["refunds"] == 400
    books_agree(stripe_runtime, cafe)


def test_stripe_is_asked_with_no_transaction_open_and_an_unanswered_ask_is_retried(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, monkeypatch: Any
) -> None:
    """While Stripe is asked for the refunds, another writer gets the database
    at once (no transaction of the event's holds it). Stripe not answering:
    502, nothing kept, not even the event's id, so Stripe's retry books it."""
    from servefirst.payments.stripe_calls import ProcessorUnavailable
    from servefirst.payments.stripe_gateway import StripeGateway

    _, payment_id = paid_at_stripe(cafe, stripe_double, 900)
    intent_id = reference_of(stripe_runtime, cafe, payment_id)
    refund_id = refund_in_dashboard(stripe_double, intent_id, 300)
    event = charge_refunded(stripe_double, intent_id, 300, [refund_id])
    asked = StripeGateway.refunds_of

    def down(self: StripeGateway, reference: str) -> Any:
        raise ProcessorUnavailable("The card processor could not be reached.")

    monkeypatch.setattr(StripeGateway, "refunds_of", down)
    assert post_event(cafe, *event).status_code == 502
    assert refunds_of(cafe, payment_id) == []

    def while_others_write(self: StripeGateway, reference: str) -> Any:
        with stripe_runtime.uow(cafe.id) as other:  # would wait for a writer's lock
            other.connection.exec_driver_sql("SELECT 1")
            if other.dialect == "postgresql":
                other.connection.exec_driver_sql("SET LOCAL lock_timeout = '500ms'")
            other.tabs.lock(other.tabs.payment(payment_id).tab_id)
            other.commit()
        return asked(self, reference)

    monkeypatch.setattr(StripeGateway, "refunds_of", while_others_write)
    assert post_event(cafe, *event).json()["outcome"] == "handled"
    assert refunds_of(cafe, payment_id) == [(300, 0, "succeeded", MADE_AT_PROCESSOR, None)]

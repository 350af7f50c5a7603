"""A refund Stripe made and then saw fail (the customer's card was closed, the
bank returned the money): Stripe sends ``charge.refund.updated`` with the
Refund ``failed``, and the money is back with the business. The refund reads
failed with Stripe's reason, the books get one reversing entry, the tab and
the reports stop counting it, and a booking's deposit is owed to the customer
again (and they are told, once). Handled once per event id, in any order.

Against localstripe behind the test double (tests/stripe_double.py): the
double's own is the event itself, ``StripeDouble.refund_refused_later``, which
takes the Refund localstripe holds (succeeded) and makes it ``failed``, as
localstripe never fails a refund and sends no events."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from servefirst.events.models import Event
from servefirst.ledger.service import audit
from servefirst.payments import refunds as refund_phases
from servefirst.payments.models import ProcessorEvent
from servefirst.payments.refund_repository import RefundRepository
from servefirst.payments.refund_reversals import refused_at_processor
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_bookings_api import at, nonzero, salon
from tests.integration.test_loyalty_disputes import in_words
from tests.integration.test_pages_staff import Staff
from tests.integration.test_receipt_refunds import _lunch_paid_by_card, _refund
from tests.integration.test_refund_pages import _portuguese
from tests.integration.test_stripe_bookings import book
from tests.integration.test_stripe_gateway import WEBHOOK_SECRET, pay, post_event
from tests.stripe_double import StripeDouble, sign

# The Stripe merchant and the double in front of localstripe (fixtures).
localstripe_port = on_stripe.localstripe_port
stripe_double = on_stripe.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe


@pytest.fixture
def app(stripe_client: Any) -> Any:
    """The console on the Stripe merchant's server, which can read its keys."""
    return stripe_client.app


def paid_with_a_tip(cafe: Merchant, double: StripeDouble) -> tuple[str, str]:
    """Rita's 9.00 lunch and a 1.00 tip, paid by card through Stripe."""
    tab = cafe.served_tab(900)
    paid = pay(cafe, tab["id"], double.payment_method(), amount=900, tip=100)
    assert paid.status_code == 201, paid.text
    return tab["id"], paid.json()["id"]


def refunded(cafe: Merchant, payment_id: str, **body: Any) -> dict[str, Any]:
    made = cafe.post(
        f"/v1/payments/{payment_id}/refunds",
        {"reason": "Cold soup", **body},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "succeeded"
    return made.json()  # type: ignore[no-any-return]


def stripe_refund_of(double: StripeDouble, intent_id: str) -> str:
    [made] = double.client().v1.refunds.list(params={"payment_intent": intent_id}).data
    return str(made.id)


def intent_of(runtime: Runtime, cafe: Merchant, payment_id: str) -> str:
    return on_stripe.reference_of(runtime, cafe, payment_id)


def refunds_listed(cafe: Merchant, payment_id: str) -> list[tuple[int, int, str, str | None]]:
    listed = cafe.get(f"/v1/payments/{payment_id}/refunds").json()["data"]
    return [(r["amount"], r["tip"], r["status"], r["failure_code"]) for r in listed]


def books_agree(runtime: Runtime, cafe: Merchant) -> None:
    """What ``servefirst ledger audit`` checks: running totals as the legs say."""
    with runtime.uow(cafe.id, write=False) as uow:
        assert audit(uow).ok


def events_of(runtime: Runtime, cafe: Merchant, type_: str) -> list[Event]:
    with runtime.uow(cafe.id, write=False) as uow:
        return list(
            uow.session.scalars(
                select(Event).where(Event.merchant_id == cafe.id, Event.type == type_)
            )
        )


def test_a_refund_the_card_s_bank_returned_is_back_in_the_books_once(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    tab_id, payment_id = paid_with_a_tip(cafe, stripe_double)
    before = cafe.balances()
    refunded(cafe, payment_id, amount=400, tip=100)
    assert cafe.balances()["refunds"] == 400
    stripe_id = stripe_refund_of(stripe_double, intent_of(stripe_runtime, cafe, payment_id))

    event = stripe_double.refund_refused_later(stripe_id, WEBHOOK_SECRET)
    assert post_event(cafe, *event).json()["outcome"] == "handled"
    assert post_event(cafe, *event).json()["outcome"] == "seen"
    # Stripe may tell it again under another event id: still one reversal.
    again = stripe_double.refund_refused_later(stripe_id, WEBHOOK_SECRET)
    assert post_event(cafe, *again).json()["outcome"] == "handled"

    assert refunds_listed(cafe, payment_id) == [(400, 100, "failed", "expired_or_canceled_card")]
    assert cafe.balances() == before  # the refund and the tip's part, both reversed
    books_agree(stripe_runtime, cafe)
    tab = cafe.get(f"/v1/tabs/{tab_id}").json()
    # What staff earnings follow (the money kept): the bill and the tip, whole again.
    assert (tab["status"], tab["refunded"], tab["tips_refunded"]) == ("paid", 0, 0)
    flow = cafe.get("/v1/reports/cash-flow").json()
    assert flow["refunds"]["total"] == 0
    assert (flow["collected"]["by_method"]["card"], flow["collected"]["tips"]) == (1000, 100)
    assert len(events_of(stripe_runtime, cafe, "refund.failed")) == 1
    # The money is the business's again: it can be refunded another way.
    again_refunded = refunded(cafe, payment_id, amount=400)
    assert again_refunded["amount"] == 400


def test_a_refusal_told_before_our_own_record_of_the_refund_is_kept(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    """Stripe refunded, then the refund failed and its event came while our
    record still said pending (the request that asked had not written the
    answer yet, or a crash left it for recovery): the answer written late
    changes nothing, and nothing was ever booked."""
    tab_id, payment_id = paid_with_a_tip(cafe, stripe_double)
    before = cafe.balances()
    with stripe_runtime.uow(cafe.id) as uow:
        refund = refund_phases.begin_refund(
            uow, payment_id, amount=300, tip=None, reason="Wrong order"
        )
        charge, currency = refund_phases.charge_of(uow, refund)
        uow.commit()
    answer = refund_phases.ask_processor(stripe_runtime.gateways, refund, charge, currency)
    assert answer.status == "succeeded"

    event = stripe_double.refund_refused_later(answer.reference, WEBHOOK_SECRET)
    for _ in range(2):
        assert post_event(cafe, *event).status_code == 200
    with stripe_runtime.uow(cafe.id) as uow:  # our own record of Stripe's first answer
        refund_phases.finish_refund(uow, refund.refund_id, answer)
        uow.commit()

    assert refunds_listed(cafe, payment_id) == [(300, 0, "failed", "expired_or_canceled_card")]
    assert cafe.balances() == before
    books_agree(stripe_runtime, cafe)
    assert cafe.get(f"/v1/tabs/{tab_id}").json()["refunded"] == 0
    assert events_of(stripe_runtime, cafe, "refund.succeeded") == []


def test_a_refund_already_refused_stays_as_it_was(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    tab_id, payment_id = paid_with_a_tip(cafe, stripe_double)
    refunded(cafe, payment_id, amount=200)
    stripe_id = stripe_refund_of(stripe_double, intent_of(stripe_runtime, cafe, payment_id))
    first = stripe_double.refund_refused_later(stripe_id, WEBHOOK_SECRET, failure_reason="declined")
    assert post_event(cafe, *first).status_code == 200
    after_first = cafe.balances()
    later = stripe_double.refund_refused_later(stripe_id, WEBHOOK_SECRET)
    assert post_event(cafe, *later).json()["outcome"] == "handled"
    assert refunds_listed(cafe, payment_id) == [(200, 0, "failed", "declined")]
    assert cafe.balances() == after_first
    assert len(events_of(stripe_runtime, cafe, "refund.failed")) == 1


def test_a_badly_signed_refusal_is_400_and_changes_nothing(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    _, payment_id = paid_with_a_tip(cafe, stripe_double)
    refunded(cafe, payment_id, amount=400)
    before = cafe.balances()
    stripe_id = stripe_refund_of(stripe_double, intent_of(stripe_runtime, cafe, payment_id))
    payload, _ = stripe_double.refund_refused_later(stripe_id, WEBHOOK_SECRET)
    refused = post_event(cafe, payload, sign(payload, "whsec_someone_else"))
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "signature_invalid"
    assert refunds_listed(cafe, payment_id) == [(400, 0, "succeeded", None)]
    assert cafe.balances() == before
    with stripe_runtime.uow(cafe.id, write=False) as uow:
        seen = uow.session.scalars(
            select(ProcessorEvent).where(
                ProcessorEvent.merchant_id == cafe.id,
                ProcessorEvent.type == "charge.refund.updated",
            )
        ).all()
        assert seen == []


REFUSED = {
    "en": "Refused after it went through: the card was closed or has expired. The money came"
    " back to the business.",
    "pt": "Recusado depois de feito: o cartão foi cancelado ou expirou. O dinheiro voltou para"
    " o negócio.",
}


@pytest.mark.parametrize("language", ["en", "pt"])
def test_the_tab_page_says_the_refund_was_refused_and_why(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    signed_in: Callable[..., Staff],
    language: str,
) -> None:
    manager = signed_in(cafe, "manager")
    if language == "pt":
        _portuguese(cafe, manager)
    tab_id, payment_id = paid_with_a_tip(cafe, stripe_double)
    refunded(cafe, payment_id, amount=400)
    stripe_id = stripe_refund_of(stripe_double, intent_of(stripe_runtime, cafe, payment_id))
    assert REFUSED[language] not in in_words(manager.get(f"/staff/tabs/{tab_id}").text)
    event = stripe_double.refund_refused_later(stripe_id, WEBHOOK_SECRET)
    assert post_event(cafe, *event).status_code == 200
    page = in_words(manager.get(f"/staff/tabs/{tab_id}").text)
    assert REFUSED[language] in page


def test_a_deposit_refund_the_bank_returned_is_held_again_and_the_customer_told_once(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    salon(cafe)  # a captured deposit: 15% of 40.00
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, hours=5))
    assert made.status_code == 201, made.text
    booking_id = made.json()["id"]
    cancelled = cafe.post(f"/v1/bookings/{booking_id}/cancel", {"by": "business"})
    assert cancelled.json()["deposit"]["refund"] == 600
    assert nonzero(cafe.balances()) == {}
    [stripe_id] = [
        str(r.id)
        for r in stripe_double.client().v1.refunds.list(params={"limit": 100}).data
        if r.amount == 600
    ]

    event = stripe_double.refund_refused_later(stripe_id, WEBHOOK_SECRET)
    for _ in range(2):
        assert post_event(cafe, *event).status_code == 200
    again = stripe_double.refund_refused_later(stripe_id, WEBHOOK_SECRET)
    assert post_event(cafe, *again).json()["outcome"] == "handled"

    # Still the customer's money, held by the business, which owes it back.
    assert nonzero(cafe.balances()) == {"card_clearing": 600, "deposits_held": -600}
    books_agree(stripe_runtime, cafe)
    told = events_of(stripe_runtime, cafe, "booking.deposit_refund_failed")
    assert [(e.object_id, e.data["amount"], e.data["code"]) for e in told] == [
        (booking_id, 600, "expired_or_canceled_card")
    ]
    booking = cafe.get(f"/v1/bookings/{booking_id}").json()
    assert booking["deposit"]["refund_status"] == "failed"


def test_a_taxed_refund_returned_by_the_bank_gives_its_tax_back_as_it_was_booked(
    merchant: Merchant, runtime: Runtime
) -> None:
    """The 12.30 lunch at 23 %, 3.33 refunded (0.62 of it tax), then the
    refund failed: the tax report and tax payable are as before the refund.
    The processor's refusal is applied as the webhook applies it (the
    sandbox sends no events)."""
    tab = _lunch_paid_by_card(merchant)
    before = merchant.balances()
    made = _refund(merchant, tab, amount=333, reason="Short a side")
    with runtime.uow(merchant.id) as uow:
        refund = RefundRepository(uow).get(made["id"])
        assert refund is not None and refund.gateway_reference
        for _ in range(2):
            refused_at_processor(
                uow, reference=refund.gateway_reference, key=None, failure="lost_or_stolen_card"
            )
        uow.commit()

    assert merchant.balances() == before
    books_agree(runtime, merchant)
    report = merchant.get("/v1/reports/tax", params={"from": "2000-01-01", "to": "2100-12-31"})
    [rate] = report.json()["rates"]
    assert (rate["net"], rate["tax"], report.json()["ledger_tax_payable"]) == (1000, 230, 230)
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["refunded"] == 0

"""What the console's tab page tells staff of a deposit's extra the card
processor would not refund at check-in because the deposit was disputed, as
the dispute ends (SQLite and PostgreSQL), driven as the product is: the
booking through Stripe (localstripe behind the double), the check-in, Stripe's
signed dispute events.

Beatriz disputes her 6.00 deposit at the bank. The cut's price is lowered to
4.00 before she comes, so at check-in the 2.00 the bill does not use goes back
to her card; Stripe refuses (``charge_disputed``) and the tab page asks staff
to give it back another way. Then the bank decides for her and gives her the
deposit: a page still asking staff to give the 2.00 back would have them pay
her twice (the booking's note already says so: ``refund_answers``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from servefirst.bookings import deposit_refunds
from servefirst.payments.gateways import RefundResult
from tests.conftest import Merchant, TestClock
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_booking_disputes import booked, opened_at_the_bank
from tests.integration.test_bookings_api import salon
from tests.integration.test_checkin_deposit_refunds import cheaper
from tests.integration.test_disputes_closed_at_stripe import closed_at_stripe
from tests.integration.test_loyalty_disputes import in_words
from tests.integration.test_pages_staff import Staff
from tests.integration.test_stripe_deposit_refunds import deposit_intent
from tests.stripe_double import StripeDouble

localstripe_port = on_stripe.localstripe_port
stripe_double = on_stripe.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe

GIVE_IT_BACK = "give it back another way"


def test_an_extra_the_bank_returned_in_a_lost_dispute_is_no_longer_to_give_back_on_the_tab(
    cafe: Merchant,
    stripe_double: StripeDouble,
    clock: TestClock,
    monkeypatch: pytest.MonkeyPatch,
    signed_in: Callable[..., Staff],
) -> None:
    salon(cafe)
    booking = booked(cafe, stripe_double, clock, days=0.01)
    intent = str(deposit_intent(stripe_double, booking["id"]).id)
    dispute_id = opened_at_the_bank(cafe, stripe_double, intent, 600)
    cheaper(cafe, booking)
    refused = RefundResult("", status="failed", failure_code="charge_disputed")
    monkeypatch.setattr(deposit_refunds, "refund_at", lambda *_a, **_k: refused)
    checked = cafe.post(f"/v1/bookings/{booking['id']}/check-in")
    assert checked.status_code == 200, checked.text
    tab_id = checked.json()["tab_id"]
    owner = signed_in(cafe, "owner")
    page = in_words(owner.get(f"/staff/tabs/{tab_id}").text)
    assert "The card processor refused to refund €2.00 of the deposit: " + GIVE_IT_BACK in page

    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 600, "lost")
    page = in_words(owner.get(f"/staff/tabs/{tab_id}").text)
    assert GIVE_IT_BACK not in page
    assert "The bank returned the deposit to the customer (dispute lost)" in page
    assert owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    page = in_words(owner.get(f"/staff/tabs/{tab_id}").text)
    assert "O banco devolveu o sinal ao cliente (disputa perdida): não há nada a devolver." in page

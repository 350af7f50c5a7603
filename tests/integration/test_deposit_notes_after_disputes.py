"""What a booking's note tells staff of a deposit Stripe would not refund
because it was disputed, as the dispute ends (SQLite and PostgreSQL), driven
as the product is: the booking through Stripe (localstripe behind the
double), the cancellation, Stripe's signed dispute events.

Beatriz disputes her 6.00 deposit at the bank, then cancels in time. Stripe
refuses the refund (``charge_disputed``), so the note asks staff to give it
back another way. The bank decides for her: it gave her the 6.00, and a note
still asking staff to give it back would have them pay her twice. Stripe's
won afterwards takes it back from her: the note asks again."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from servefirst.bookings import deposit_refunds
from servefirst.payments.gateways import RefundResult
from tests.conftest import Merchant, TestClock
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_booking_disputes import booked, opened_at_the_bank
from tests.integration.test_bookings_api import salon
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


def note_of(cafe: Merchant, booking_id: str) -> str:
    answer = cafe.get(f"/v1/bookings/{booking_id}")
    assert answer.status_code == 200, answer.text
    return str(answer.json()["outcome_reason"])


def test_a_deposit_the_bank_returned_in_a_lost_dispute_is_no_longer_to_give_back(
    cafe: Merchant,
    stripe_double: StripeDouble,
    clock: TestClock,
    monkeypatch: pytest.MonkeyPatch,
    signed_in: Callable[..., Staff],
) -> None:
    salon(cafe)
    booking = booked(cafe, stripe_double, clock, days=3)
    intent = str(deposit_intent(stripe_double, booking["id"]).id)
    dispute_id = opened_at_the_bank(cafe, stripe_double, intent, 600)
    refused = RefundResult("", status="failed", failure_code="charge_disputed")
    monkeypatch.setattr(deposit_refunds, "refund_at", lambda *_a, **_k: refused)
    assert cafe.post(f"/v1/bookings/{booking['id']}/cancel").status_code == 200
    assert GIVE_IT_BACK in note_of(cafe, booking["id"])

    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 600, "lost")
    note = note_of(cafe, booking["id"])
    assert GIVE_IT_BACK not in note
    assert "The bank returned the deposit to the customer (dispute lost)" in note
    assert "nothing left to give back" in note
    owner = signed_in(cafe, "owner")
    page = in_words(owner.get("/staff").text)
    assert "nothing left to give back" in page and GIVE_IT_BACK not in page
    assert owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    page = in_words(owner.get("/staff").text)
    assert "O banco devolveu o sinal ao cliente (disputa perdida): não há nada a devolver." in page

    # Stripe's won afterwards: the bank took the 6.00 back from her, owed to her again.
    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 600, "won")
    note = note_of(cafe, booking["id"])
    assert "The bank took the deposit back from the customer (dispute won)" in note
    assert GIVE_IT_BACK in note and "nothing left to give back" not in note
    page = in_words(owner.get("/staff").text)
    assert "O banco voltou a retirar o sinal ao cliente (disputa ganha): devolva-o" in page


def test_a_refused_deposit_refund_is_told_in_the_staff_s_language(
    cafe: Merchant,
    stripe_double: StripeDouble,
    clock: TestClock,
    monkeypatch: pytest.MonkeyPatch,
    signed_in: Callable[..., Staff],
) -> None:
    salon(cafe)
    booking = booked(cafe, stripe_double, clock, days=3)
    refused = RefundResult("", status="failed", failure_code="charge_disputed")
    monkeypatch.setattr(deposit_refunds, "refund_at", lambda *_a, **_k: refused)
    assert cafe.post(f"/v1/bookings/{booking['id']}/cancel").status_code == 200
    owner = signed_in(cafe, "owner")
    assert owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    page = in_words(owner.get("/staff").text)
    assert "recusou devolver o sinal (charge_disputed): devolva-o de outra forma." in page

"""Stripe's verdict on a card dispute reaches the books (SQLite and PostgreSQL),
driven as the product is: a card payment (or a booking's deposit) through
Stripe, then Stripe's signed ``charge.dispute.created`` and
``charge.dispute.closed`` on the webhook, and the owner's buttons.

Ana pays 25.00 and a 5.00 tip by card at Café Azul, Marta serving her, then
disputes the charge with her bank. When Stripe says the bank decided for her
(``lost``) the money is gone at the processor: it leaves the books at once,
as the owner's mark would take it, once whatever comes first and however
often either comes. Stripe's word says where the money went, not whether Ana
acted in bad faith: only the owner's own mark counts it against her. A status
still being decided takes nothing (closing ones: test_disputes_won_back). A dispute of a booking's
deposit names the booking; while the deposit is still held for it, its loss is not booked (409
``dispute_of_deposit``; the other states: test_booking_disputes)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_bookings_api import salon
from tests.integration.test_disputes_in_the_books import (
    books_balance,
    chargebacks,
    earnings_of,
    served_by_marta,
)
from tests.integration.test_html_valid import install_vnu, vnu_errors
from tests.integration.test_loyalty_api import card
from tests.integration.test_loyalty_disputes import disputed_at_the_bank, events, in_words
from tests.integration.test_loyalty_voids import points
from tests.integration.test_pages_staff import Staff
from tests.integration.test_pages_staff_disputes import write_offs
from tests.integration.test_refunds_disputed import cash_flow, marked, refund
from tests.integration.test_stripe_bookings import book
from tests.integration.test_stripe_deposit_refunds import deposit_intent
from tests.integration.test_stripe_gateway import WEBHOOK_SECRET, post_event, reference_of
from tests.stripe_double import StripeDouble, sign

# The Stripe merchant and the double in front of localstripe (fixtures).
localstripe_port = on_stripe.localstripe_port
stripe_double = on_stripe.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe


def told(cafe: Merchant, double: StripeDouble, type_: str, dispute: dict[str, Any]) -> bytes:
    """Stripe's event about ``dispute``, signed and posted; its payload (to deliver again)."""
    payload, signature = double.signed_event(type_, dispute, WEBHOOK_SECRET)
    answer = post_event(cafe, payload, signature)
    assert answer.status_code == 200, answer.text
    assert answer.json()["outcome"] == "handled", answer.text
    return payload


def closed_at_stripe(
    cafe: Merchant, double: StripeDouble, intent: str, dispute_id: str, amount: int, status: str
) -> bytes:
    """Stripe's ``charge.dispute.closed`` with the bank's ``status``."""
    dispute = {"id": dispute_id, "object": "dispute", "charge": "ch_" + uuid.uuid4().hex[:24]}
    dispute |= {"payment_intent": intent, "amount": amount, "currency": "eur"}
    dispute |= {"reason": "fraudulent", "status": status}
    return told(cafe, double, "charge.dispute.closed", dispute)


def dispute_of(cafe: Merchant, dispute_id: str) -> dict[str, Any]:
    [found] = [d for d in cafe.get("/v1/disputes").json()["data"] if d["id"] == dispute_id]
    return found  # type: ignore[no-any-return]


def test_stripe_closing_it_lost_books_it_once_and_the_owner_s_mark_then_only_counts_it(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    points(cafe)
    tab, paid, marta = served_by_marta(cafe, stripe_double, 2500, tip=500)
    ana = tab["customer_id"]
    intent = reference_of(stripe_runtime, cafe, paid["id"])
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 3000)
    before = cafe.balances()

    payload = closed_at_stripe(cafe, stripe_double, intent, dispute_id, 3000, "lost")
    # The same event delivered again, and Stripe's verdict again under another event id.
    again = post_event(cafe, payload, sign(payload, WEBHOOK_SECRET))
    assert again.json()["outcome"] == "seen", again.text
    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 3000, "lost")

    lost = dispute_of(cafe, dispute_id)
    assert (lost["status"], lost["bill_lost"], lost["tip_lost"]) == ("lost", 2500, 500)
    assert lost["entry_id"] is not None and lost["marked_lost_at"] is None
    after = cafe.balances()
    assert after["card_clearing"] == before["card_clearing"] - 3000
    assert after["disputes_lost"] == before["disputes_lost"] + 2500
    assert after["tips_payable"] == before["tips_payable"] + 500
    assert [e["id"] for e in chargebacks(cafe)] == [lost["entry_id"]]
    [said] = events(cafe, "dispute.lost")
    assert (said["data"]["lost_by"], said["data"]["entry_id"]) == ("stripe", lost["entry_id"])
    assert books_balance(stripe_runtime, cafe)
    # What marking it lost does, besides the count: loyalty, commission, the report.
    assert card(cafe, ana)["balance"] == 0
    assert earnings_of(cafe, clock, marta)["commission"] == 0
    assert cash_flow(cafe)["disputes_lost"]["total"] == 3000
    # Stripe's word is not the owner's: nothing counted against Ana yet.
    assert write_offs(cafe, ana) == 0
    refused = refund(cafe, paid["id"])
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "payment_disputed")

    # The owner marks it lost afterwards, twice: counted once, the books as they were.
    for _ in range(2):
        mine = marked(cafe, dispute_id, "lost")
        assert mine.status_code == 200, mine.text
    assert mine.json()["marked_lost_at"] is not None
    assert mine.json()["entry_id"] == lost["entry_id"]
    assert write_offs(cafe, ana) == 1
    assert cafe.balances() == after
    assert len(chargebacks(cafe)) == 1 and len(events(cafe, "dispute.lost")) == 1
    # Stripe telling it again after the owner changes nothing either.
    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 3000, "lost")
    assert cafe.balances() == after and write_offs(cafe, ana) == 1


def test_the_owner_marks_it_lost_first_and_stripe_s_verdict_then_changes_nothing(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    tab, paid, _ = served_by_marta(cafe, stripe_double, 2500, tip=500)
    intent = reference_of(stripe_runtime, cafe, paid["id"])
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 3000)
    mine = marked(cafe, dispute_id, "lost").json()
    after = cafe.balances()
    for _ in range(2):
        closed_at_stripe(cafe, stripe_double, intent, dispute_id, 3000, "lost")
    now = dispute_of(cafe, dispute_id)
    assert (now["entry_id"], now["marked_lost_at"], now["lost_at"]) == (
        mine["entry_id"],
        mine["marked_lost_at"],
        mine["lost_at"],
    )
    assert cafe.balances() == after
    assert (after["disputes_lost"], after["card_clearing"]) == (2500, 0)
    assert len(chargebacks(cafe)) == 1 and len(events(cafe, "dispute.lost")) == 1
    assert write_offs(cafe, tab["customer_id"]) == 1
    assert books_balance(stripe_runtime, cafe)


#: Stripe's statuses of a dispute still being decided: an inquiry or a chargeback.
NOT_LOST = [
    "warning_needs_response",
    "warning_under_review",
    "needs_response",
    "under_review",
]


def test_only_stripe_s_lost_status_books_the_loss(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    tab, paid, _ = served_by_marta(cafe, stripe_double, 2500, tip=0)
    intent = reference_of(stripe_runtime, cafe, paid["id"])
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 2500)
    before, report = cafe.balances(), cash_flow(cafe)
    for status in NOT_LOST:
        closed_at_stripe(cafe, stripe_double, intent, dispute_id, 2500, status)
        still = dispute_of(cafe, dispute_id)
        assert (still["status"], still["entry_id"], still["bill_lost"]) == ("open", None, 0)
        assert cafe.balances() == before and cash_flow(cafe) == report, status
    assert chargebacks(cafe) == [] and events(cafe, "dispute.lost") == []
    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 2500, "lost")
    assert dispute_of(cafe, dispute_id)["bill_lost"] == 2500
    assert len(chargebacks(cafe)) == 1
    assert write_offs(cafe, tab["customer_id"]) == 0


def test_stripe_s_lost_verdict_books_a_dispute_the_owner_had_marked_won(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    """The owner marked it won too soon; the bank gave the money back all the
    same: the books follow the money, and Ana is not counted against."""
    tab, paid, _ = served_by_marta(cafe, stripe_double, 2500, tip=0)
    intent = reference_of(stripe_runtime, cafe, paid["id"])
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 2500)
    assert marked(cafe, dispute_id, "won").status_code == 200
    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 2500, "lost")
    lost = dispute_of(cafe, dispute_id)
    assert (lost["status"], lost["bill_lost"], lost["marked_lost_at"]) == ("lost", 2500, None)
    assert (cafe.balances()["card_clearing"], cafe.balances()["disputes_lost"]) == (0, 2500)
    assert write_offs(cafe, tab["customer_id"]) == 0
    assert books_balance(stripe_runtime, cafe)


def test_the_console_shows_what_the_loss_took_in_english_and_portuguese(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    signed_in: Callable[..., Staff],
) -> None:
    tab, paid, _ = served_by_marta(cafe, stripe_double, 2500, tip=500)
    intent = reference_of(stripe_runtime, cafe, paid["id"])
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 3000)
    owner = signed_in(cafe, "owner")
    assert "Taken out of the books" not in owner.get("/staff/disputes").text  # open: nothing
    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 3000, "lost")

    page = in_words(owner.get("/staff/disputes").text)
    assert "Taken out of the books: €25.00 of the bill and €5.00 of the tip." in page
    assert 'data-booked="2500 500"' in page
    assert "Stripe closed it lost. It counts against the customer only if you mark it lost." in page
    assert "Mark lost" in page
    assert owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    page = in_words(owner.get("/staff/disputes").text)
    assert "Retirado da contabilidade: €25.00 da conta e €5.00 da gorjeta." in page
    assert "A Stripe encerrou-a como perdida." in page
    assert owner.post("/staff/settings/language", {"language": "en"}).status_code == 200

    marked_now = owner.post(f"/staff/disputes/{dispute_id}/lost", follow_redirects=False)
    assert marked_now.status_code == 303, marked_now.text
    assert write_offs(cafe, tab["customer_id"]) == 1
    page = in_words(owner.get("/staff/disputes").text)
    assert "Taken out of the books: €25.00 of the bill and €5.00 of the tip." in page
    assert "Stripe closed it lost" not in page and "Mark lost" not in page
    assert len(chargebacks(cafe)) == 1


# --- a booking's deposit --------------------------------------------------------------------


def test_a_dispute_of_a_deposit_still_held_names_its_booking_and_its_loss_is_refused_not_guessed(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    clock: TestClock,
    signed_in: Callable[..., Staff],
    tmp_path: Path,
) -> None:
    salon(cafe)  # a captured deposit: 15% of 40.00
    bea = cafe.customer("Beatriz Lopes")
    made = book(cafe, clock, stripe_double.payment_method(), customer_id=bea["id"])
    assert made.status_code == 201, made.text
    booking_id = made.json()["id"]
    intent = str(deposit_intent(stripe_double, booking_id).id)
    dispute = {"id": "dp_" + uuid.uuid4().hex[:24], "object": "dispute", "charge": "ch_x"}
    dispute |= {"payment_intent": intent, "amount": 600, "currency": "eur"}
    dispute |= {"reason": "product_not_received", "status": "needs_response"}
    told(cafe, stripe_double, "charge.dispute.created", dispute)
    listed = dispute_of(cafe, dispute["id"])
    assert (listed["booking_id"], listed["payment_id"], listed["tab_id"]) == (
        booking_id,
        None,
        None,
    )
    [created] = events(cafe, "dispute.created")
    assert created["data"]["booking_id"] == booking_id
    before = cafe.balances()
    assert (before["card_clearing"], before["deposits_held"]) == (600, -600)

    refused = marked(cafe, dispute["id"], "lost")
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["booking_id"]) == ("dispute_of_deposit", booking_id)
    assert booking_id in error["message"] and "still expects it" in error["message"]
    assert error["deposit_status"] == "held"
    assert dispute_of(cafe, dispute["id"])["status"] == "open"

    owner = signed_in(cafe, "owner")
    page = in_words(owner.get("/staff/disputes").text)
    assert f'data-deposit="{booking_id}"' in page and "Beatriz Lopes" in page
    assert f'href="/staff/customers/{bea["id"]}"' in page
    said = owner.post(f"/staff/disputes/{dispute['id']}/lost")
    assert said.status_code == 409
    assert "a booking's deposit that is still held" in in_words(said.text)

    # Stripe's verdict is shown, and nothing is booked by guess.
    closed_at_stripe(cafe, stripe_double, intent, dispute["id"], 600, "lost")
    lost = dispute_of(cafe, dispute["id"])
    assert (lost["status"], lost["entry_id"], lost["bill_lost"]) == ("lost", None, 0)
    assert cafe.balances() == before and chargebacks(cafe) == []
    assert write_offs(cafe, bea["id"]) == 0
    served = owner.get("/staff/disputes").text
    page = in_words(served)
    assert "Not in the books: the deposit is still held for the booking" in page
    install_vnu()
    assert vnu_errors({"disputes": served}, tmp_path) == []
    assert cafe.get(f"/v1/bookings/{booking_id}").json()["deposit"]["status"] == "held"

"""A captured deposit a late move took a fee from, then disputed (SQLite and
PostgreSQL), driven as the product is: the booking through Stripe
(localstripe behind the double), the move, the no-show or the cancellation,
Stripe's signed dispute events and the owner's mark.

Beatriz books a cut at the salon with a 6.00 deposit taken on her card. She
moves it inside the cancellation window: the salon keeps 4.00 of it as the
late-cancellation fee, the other 2.00 follows the booking. Then she does not
come: the salon keeps those 2.00 too. Her bank takes the whole 6.00 back: the
salon loses all it kept, not only the last fee. Moved late and then cancelled
in time instead, the 2.00 goes back to her card, and the 4.00 the move kept is
still the salon's to lose; moved late and then checked in, the 2.00 paid her
tab's bill, and only that part is the tab's loss."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from servefirst.bookings import deposit_refunds
from servefirst.payments.dispute_books import lost_of_the_bill
from servefirst.payments.gateways import RefundResult
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_booking_disputes import bean_check, booked, missed, opened_at_the_bank
from tests.integration.test_bookings_api import at, salon
from tests.integration.test_disputes_closed_at_stripe import closed_at_stripe, dispute_of
from tests.integration.test_disputes_in_the_books import books_balance
from tests.integration.test_loyalty_disputes import in_words
from tests.integration.test_pages_staff import Staff
from tests.integration.test_refunds_disputed import cash_flow, marked
from tests.integration.test_stripe_deposit_refunds import deposit_intent, refunded_at_stripe
from tests.stripe_double import StripeDouble

localstripe_port = on_stripe.localstripe_port
stripe_double = on_stripe.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe


def moved_late(cafe: Merchant, booking_id: str, starts_at: str) -> dict[str, object]:
    answer = cafe.post(f"/v1/bookings/{booking_id}/reschedule", {"starts_at": starts_at})
    assert answer.status_code == 200, answer.text
    deposit: dict[str, object] = answer.json()["deposit"]
    # fair: a late move costs 10% of 40.00 from the 6.00 deposit
    assert (deposit["status"], deposit["amount"], deposit["move_fee"]) == ("held", 200, 400)
    return deposit


def test_a_deposit_moved_late_then_missed_loses_both_fees_when_its_dispute_is_lost(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    clock: TestClock,
    tmp_path: Path,
) -> None:
    salon(cafe)
    booking = booked(cafe, stripe_double, clock, hours=2)
    moved_late(cafe, booking["id"], at(clock, hours=3))
    clock.advance(hours=4)
    deposit = missed(cafe, booking["id"])["deposit"]
    # What the booking says happened to the 6.00: 4.00 kept by the move, 2.00 at the no-show.
    assert (deposit["status"], deposit["move_fee"], deposit["fee"], deposit["refund"]) == (
        "forfeited",
        400,
        200,
        0,
    )
    assert cafe.balances()["no_show_fees"] == -600
    intent = str(deposit_intent(stripe_double, booking["id"]).id)
    before = cafe.balances()
    dispute_id = opened_at_the_bank(cafe, stripe_double, intent, 600)

    lost = marked(cafe, dispute_id, "lost")
    assert lost.status_code == 200, lost.text
    assert (lost.json()["bill_lost"], lost.json()["tab_id"]) == (600, None)
    after = cafe.balances()
    assert after["card_clearing"] == before["card_clearing"] - 600
    assert after["disputes_lost"] == 600
    assert cash_flow(cafe)["disputes_lost"]["total"] == 600
    assert books_balance(stripe_runtime, cafe)
    bean_check(stripe_runtime, cafe, tmp_path)
    # Stripe's won afterwards gives all of it back, once.
    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 600, "won")
    assert cafe.balances()["disputes_lost"] == 0
    assert cafe.balances()["card_clearing"] == before["card_clearing"]
    assert books_balance(stripe_runtime, cafe)


def test_stripe_s_lost_on_a_deposit_moved_late_then_missed_books_all_that_was_kept(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    salon(cafe)
    booking = booked(cafe, stripe_double, clock, hours=2)
    moved_late(cafe, booking["id"], at(clock, hours=3))
    clock.advance(hours=4)
    missed(cafe, booking["id"])
    intent = str(deposit_intent(stripe_double, booking["id"]).id)
    dispute_id = opened_at_the_bank(cafe, stripe_double, intent, 600)

    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 600, "lost")
    assert dispute_of(cafe, dispute_id)["bill_lost"] == 600
    assert cafe.balances()["disputes_lost"] == 600
    assert books_balance(stripe_runtime, cafe)


def test_a_deposit_moved_late_then_cancelled_in_time_loses_the_move_s_fee_in_its_dispute(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    clock: TestClock,
    tmp_path: Path,
) -> None:
    salon(cafe)
    booking = booked(cafe, stripe_double, clock, hours=2)
    moved_late(cafe, booking["id"], at(clock, days=3))
    cancelled = cafe.post(f"/v1/bookings/{booking['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    deposit = cancelled.json()["deposit"]
    assert (deposit["status"], deposit["move_fee"], deposit["fee"], deposit["refund"]) == (
        "refunded",
        400,
        0,
        200,
    )
    intent = deposit_intent(stripe_double, booking["id"])
    assert refunded_at_stripe(stripe_double, intent) == 200
    before = cafe.balances()
    # The bank can take back only what was not refunded: the 4.00 the move kept.
    dispute_id = opened_at_the_bank(cafe, stripe_double, str(intent.id), 400)

    lost = marked(cafe, dispute_id, "lost")
    assert lost.status_code == 200, lost.text
    assert lost.json()["bill_lost"] == 400
    after = cafe.balances()
    assert after["card_clearing"] == before["card_clearing"] - 400
    assert after["disputes_lost"] == 400
    assert books_balance(stripe_runtime, cafe)
    bean_check(stripe_runtime, cafe, tmp_path)


def test_a_deposit_moved_late_then_applied_to_the_tab_loses_the_fee_and_the_tab_s_part(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    clock: TestClock,
    tmp_path: Path,
) -> None:
    salon(cafe)
    booking = booked(cafe, stripe_double, clock, hours=2)
    moved_late(cafe, booking["id"], at(clock, hours=3))
    clock.advance(hours=3)
    checked = cafe.post(f"/v1/bookings/{booking['id']}/check-in")
    assert checked.status_code == 200, checked.text
    tab_id = checked.json()["tab_id"]
    assert cafe.get(f"/v1/tabs/{tab_id}").json()["deposit_applied"] == 200
    intent = str(deposit_intent(stripe_double, booking["id"]).id)
    before = cafe.balances()
    dispute_id = opened_at_the_bank(cafe, stripe_double, intent, 600)

    lost = marked(cafe, dispute_id, "lost")
    assert lost.status_code == 200, lost.text
    shown = lost.json()
    # All 6.00 went back to the bank: 2.00 of the tab's bill, 4.00 the move's fee.
    assert (shown["bill_lost"], shown["fee_lost"], shown["tab_id"]) == (600, 400, tab_id)
    after = cafe.balances()
    assert after["card_clearing"] == before["card_clearing"] - 600
    assert after["disputes_lost"] == 600
    with stripe_runtime.uow(cafe.id, write=False) as uow:
        assert lost_of_the_bill(uow, tab_id) == 200
    assert books_balance(stripe_runtime, cafe)
    bean_check(stripe_runtime, cafe, tmp_path)


# --- a deposit refund the processor refused because the charge was disputed --------------


def test_a_deposit_whose_refund_stripe_refused_for_its_dispute_leaves_the_books_when_lost(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    clock: TestClock,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    signed_in: Callable[..., Staff],
) -> None:
    """Beatriz disputes her deposit at the bank, then cancels in time. Stripe
    refuses the refund (``charge_disputed``: the bank holds the money), so the
    6.00 stays in ``deposits_held``, owed to her. Lost, the bank gave it to
    her: it leaves ``deposits_held`` and ``card_clearing`` together, once, and
    no revenue is lost, where before it was refused as "already went back"
    and the books kept owing her money she had."""
    salon(cafe)
    booking = booked(cafe, stripe_double, clock, days=3)
    intent = str(deposit_intent(stripe_double, booking["id"]).id)
    dispute_id = opened_at_the_bank(cafe, stripe_double, intent, 600)
    refused = RefundResult("", status="failed", failure_code="charge_disputed")
    monkeypatch.setattr(deposit_refunds, "refund_at", lambda *_a, **_k: refused)
    cancelled = cafe.post(f"/v1/bookings/{booking['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert "refused to refund the deposit (charge_disputed)" in cancelled.json()["outcome_reason"]
    before = cafe.balances()
    assert before["deposits_held"] == -600

    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 600, "lost")
    lost = marked(cafe, dispute_id, "lost")
    assert lost.status_code == 200, lost.text
    shown = lost.json()
    assert (shown["bill_lost"], shown["deposit_returned"]) == (0, 600)
    assert shown["entry_id"] is not None
    after = cafe.balances()
    assert after["deposits_held"] == 0
    assert after["card_clearing"] == before["card_clearing"] - 600
    assert after.get("disputes_lost", 0) == 0
    assert books_balance(stripe_runtime, cafe)
    bean_check(stripe_runtime, cafe, tmp_path)
    owner = signed_in(cafe, "owner")
    page = in_words(owner.get("/staff/disputes").text)
    assert 'data-deposit-returned="600"' in page and "data-booked=" not in page
    assert "gave the customer back €6.00 of the deposit Stripe would not refund" in page
    assert owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    page = in_words(owner.get("/staff/disputes").text)
    assert "O banco devolveu ao cliente" in page and "não se perdeu receita" in page
    # Stripe's won afterwards: the money is back with the salon, owed to her again.
    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 600, "won")
    assert cafe.balances() == before
    assert books_balance(stripe_runtime, cafe)

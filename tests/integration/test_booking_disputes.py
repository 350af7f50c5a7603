"""A card dispute of a booking's own charge reaches the books (SQLite and
PostgreSQL), driven as the product is: bookings through Stripe (localstripe
behind the double), Stripe's signed dispute events on the webhook, and the
owner's buttons.

Beatriz books a cut at the salon. Her no-show fee, taken from her card hold
or charged on her saved card once the hold lapsed, is revenue her bank can
take back; so is a captured deposit the salon kept as a fee, and a deposit
applied to her tab paid that tab's bill. Lost, each leaves ``card_clearing``
into ``disputes_lost`` in one entry, once, whoever says lost first; Stripe's
won afterwards books it back. Only the owner's mark counts it against her, as
for a tab's payment. A deposit still held for her booking, or refunded, is
refused with words that say which (409 ``dispute_of_deposit``)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from servefirst.cashup.service import day_so_far
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_bookings_api import at, nonzero, salon
from tests.integration.test_bookings_holds import hold_policy
from tests.integration.test_disputes_closed_at_stripe import closed_at_stripe, dispute_of, told
from tests.integration.test_disputes_in_the_books import books_balance, chargebacks
from tests.integration.test_exports import export, rows
from tests.integration.test_loyalty_disputes import events, in_words
from tests.integration.test_pages_staff import Staff
from tests.integration.test_pages_staff_disputes import write_offs
from tests.integration.test_refunds_disputed import cash_flow, marked
from tests.integration.test_stripe_bookings import book, hold_ref
from tests.integration.test_stripe_deposit_refunds import deposit_intent
from tests.stripe_double import StripeDouble

# The Stripe merchant and the double in front of localstripe (fixtures).
localstripe_port = on_stripe.localstripe_port
stripe_double = on_stripe.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe


def opened_at_the_bank(cafe: Merchant, double: StripeDouble, intent: str, amount: int) -> str:
    """Stripe's ``charge.dispute.created`` for the PaymentIntent ``intent``; the dispute's id."""
    dispute = {"id": "dp_" + uuid.uuid4().hex[:24], "object": "dispute"}
    dispute |= {"charge": "ch_" + uuid.uuid4().hex[:24], "payment_intent": intent}
    dispute |= {"amount": amount, "currency": "eur", "reason": "fraudulent"}
    dispute |= {"status": "needs_response"}
    told(cafe, double, "charge.dispute.created", dispute)
    return str(dispute["id"])


def booked(cafe: Merchant, double: StripeDouble, clock: TestClock, **when: float) -> dict[str, Any]:
    beatriz = cafe.customer("Beatriz Lopes")
    made = book(
        cafe, clock, double.payment_method(), customer_id=beatriz["id"], starts_at=at(clock, **when)
    )
    assert made.status_code == 201, made.text
    return made.json()  # type: ignore[no-any-return]


def missed(cafe: Merchant, booking_id: str) -> dict[str, Any]:
    answer = cafe.post(f"/v1/bookings/{booking_id}/no-show")
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def fee_charged_on_file(double: StripeDouble, hold_reference: str) -> str:
    """The off-session PaymentIntent that charged a fee on the saved card
    (servefirst keys a fee's call with ``fee_...``): not the lapsed hold's."""
    listed = double.client().v1.payment_intents.list(params={"limit": 100})
    [intent] = [
        i.id
        for i in listed.auto_paging_iter()
        if i.to_dict().get("metadata", {}).get("servefirst_attempt", "").startswith("fee_")
        and i.id != hold_reference
    ]
    return str(intent)


def day_disputes_lost(runtime: Runtime, cafe: Merchant) -> int:
    """What the Z report of today counts as taken back by the banks: today is
    read after the loss was booked, so a test asking it runs ``at_noon``."""
    with runtime.uow(cafe.id, write=False) as uow:
        zone = ZoneInfo(cafe.get("/v1/merchant").json()["timezone"])
        return day_so_far(uow, runtime.clock.now().astimezone(zone).date()).totals.disputes_lost


def bean_check(runtime: Runtime, cafe: Merchant, tmp_path: Path) -> str:
    """Today's Beancount export, passed through bean-check; its text."""
    zone = ZoneInfo(cafe.get("/v1/merchant").json()["timezone"])
    day: date = runtime.clock.now().astimezone(zone).date()
    exported = cafe.get(
        "/v1/exports/journal.beancount",
        params={"from": (day - timedelta(days=10)).isoformat(), "to": day.isoformat()},
    )
    assert exported.status_code == 200, exported.text
    path = tmp_path / "books.beancount"
    path.write_text(exported.text, encoding="utf-8")
    checker = Path(sys.executable).parent / "bean-check"
    run = subprocess.run([str(checker), str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    return exported.text


def accountant_files_count(cafe: Merchant, runtime: Runtime) -> None:
    """QuickBooks and Xero get the loss's journal, balanced, on ``disputes_lost``."""
    zone = ZoneInfo(cafe.get("/v1/merchant").json()["timezone"])
    day = runtime.clock.now().astimezone(zone).date()
    for name, account, amount in (
        ("quickbooks.csv", "Account Name", ("Debits", "Credits")),
        ("xero.csv", "*AccountCode", ("*Amount",)),
    ):
        text = export(cafe, name, day - timedelta(days=10), day).text
        lost = [row for row in rows(text) if row[account] == "disputes_lost"]
        assert lost, name
        [journal] = {row.get("Journal No") or row["*Narration"] for row in lost}
        legs = [
            row for row in rows(text) if (row.get("Journal No") or row["*Narration"]) == journal
        ]
        assert {row[account] for row in legs} == {"disputes_lost", "card_clearing"}, name
        if len(amount) == 2:
            total = sum(Decimal(r[amount[0]] or 0) - Decimal(r[amount[1]] or 0) for r in legs)
        else:
            total = sum(Decimal(r[amount[0]]) for r in legs)
        assert total == 0, name


# --- a fee charged on the card ---------------------------------------------------------------


@pytest.mark.usefixtures("at_noon")  # the Z report of the day the loss was booked, and won back
def test_a_no_show_fee_charged_on_the_saved_card_is_disputed_lost_and_won_back_in_the_books(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    clock: TestClock,
    signed_in: Callable[..., Staff],
    tmp_path: Path,
) -> None:
    hold_policy(cafe)  # a 600 hold, a no-show keeps all of it
    booking = booked(cafe, stripe_double, clock, days=1)
    clock.advance(days=8)  # the hold lapsed on day 7: the fee is charged on the card on file
    deposit = missed(cafe, booking["id"])["deposit"]
    assert (deposit["status"], deposit["fee"]) == ("forfeited", 600)
    (hold,) = hold_ref(stripe_runtime, cafe, booking["id"])
    intent = fee_charged_on_file(stripe_double, hold.reference)
    assert hold.fee_reference == intent

    dispute_id = opened_at_the_bank(cafe, stripe_double, intent, 600)
    shown = dispute_of(cafe, dispute_id)
    assert (shown["booking_id"], shown["booking_charge"], shown["payment_id"]) == (
        booking["id"],
        "fee",
        None,
    )
    owner = signed_in(cafe, "owner")
    page = in_words(owner.get("/staff/disputes").text)
    assert f'data-deposit="{booking["id"]}" data-charge="fee"' in page
    assert "A fee charged on the card of Beatriz Lopes" in page
    before = cafe.balances()
    assert (before["card_clearing"], before["no_show_fees"]) == (600, -600)

    # The owner marks it lost, twice: one entry, counted once against Beatriz.
    for _ in range(2):
        lost = marked(cafe, dispute_id, "lost")
        assert lost.status_code == 200, lost.text
    body = lost.json()
    assert (body["status"], body["bill_lost"], body["tip_lost"]) == ("lost", 600, 0)
    assert body["entry_id"] is not None and body["marked_lost_at"] is not None
    after = cafe.balances()
    assert nonzero(after) == {"disputes_lost": 600, "no_show_fees": -600}
    assert [e["id"] for e in chargebacks(cafe)] == [body["entry_id"]]
    assert write_offs(cafe, booking["customer_id"]) == 1
    [said] = events(cafe, "dispute.lost")
    assert (said["data"]["booking_id"], said["data"]["lost_by"]) == (booking["id"], "owner")
    # Every report counts it: the cash flow, the Z report, the books and bean-check.
    report = cash_flow(cafe)
    assert report["disputes_lost"]["total"] == 600
    assert report["collected"]["by_method"]["card"] == 0
    assert day_disputes_lost(stripe_runtime, cafe) == 600
    assert books_balance(stripe_runtime, cafe)
    text = bean_check(stripe_runtime, cafe, tmp_path)
    assert f"card dispute lost: {dispute_id}" in text
    accountant_files_count(cafe, stripe_runtime)
    # Stripe's own lost afterwards changes nothing.
    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 600, "lost")
    assert cafe.balances() == after and len(chargebacks(cafe)) == 1

    # Stripe's won afterwards: the bank gave it back, the loss is booked back once.
    for _ in range(2):
        closed_at_stripe(cafe, stripe_double, intent, dispute_id, 600, "won")
    won = dispute_of(cafe, dispute_id)
    assert (won["status"], won["won_back_entry_id"] is not None) == ("won", True)
    assert nonzero(cafe.balances()) == nonzero(before)
    assert cash_flow(cafe)["disputes_lost"]["total"] == 0
    assert cash_flow(cafe)["collected"]["by_method"]["card"] == 600
    assert day_disputes_lost(stripe_runtime, cafe) == 0
    assert books_balance(stripe_runtime, cafe)
    bean_check(stripe_runtime, cafe, tmp_path)


def test_a_fee_taken_from_the_hold_is_booked_when_stripe_closes_it_lost_not_counted(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    hold_policy(cafe, fixed=1500)  # fair: a no-show costs 30% = 1200 of the 1500 held
    booking = booked(cafe, stripe_double, clock, hours=2)
    clock.advance(hours=3)
    assert missed(cafe, booking["id"])["deposit"]["fee"] == 1200
    (hold,) = hold_ref(stripe_runtime, cafe, booking["id"])
    assert hold.fee_reference == hold.reference  # captured from the hold itself
    dispute_id = opened_at_the_bank(cafe, stripe_double, hold.reference, 1200)
    assert dispute_of(cafe, dispute_id)["booking_charge"] == "fee"

    for _ in range(2):
        closed_at_stripe(cafe, stripe_double, hold.reference, dispute_id, 1200, "lost")
    lost = dispute_of(cafe, dispute_id)
    assert (lost["status"], lost["bill_lost"], lost["marked_lost_at"]) == ("lost", 1200, None)
    assert nonzero(cafe.balances()) == {"disputes_lost": 1200, "no_show_fees": -1200}
    [said] = events(cafe, "dispute.lost")
    assert said["data"]["lost_by"] == "stripe"
    assert write_offs(cafe, booking["customer_id"]) == 0  # Stripe's word is not the owner's
    # The owner's mark afterwards only counts it.
    assert marked(cafe, dispute_id, "lost").json()["entry_id"] == lost["entry_id"]
    assert write_offs(cafe, booking["customer_id"]) == 1
    assert len(chargebacks(cafe)) == 1
    assert books_balance(stripe_runtime, cafe)


# --- a captured deposit -----------------------------------------------------------------------


def test_a_deposit_kept_as_a_no_show_fee_loses_what_was_kept(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    salon(cafe)  # a captured deposit: 15% of 40.00
    booking = booked(cafe, stripe_double, clock, hours=2)
    clock.advance(hours=3)
    deposit = missed(cafe, booking["id"])["deposit"]
    kept = deposit["fee"]
    assert deposit["status"] == "forfeited" and 0 < kept <= 600
    intent = str(deposit_intent(stripe_double, booking["id"]).id)
    before = cafe.balances()
    dispute_id = opened_at_the_bank(cafe, stripe_double, intent, 600)
    assert dispute_of(cafe, dispute_id)["booking_charge"] == "deposit"

    lost = marked(cafe, dispute_id, "lost")
    assert lost.status_code == 200, lost.text
    assert (lost.json()["bill_lost"], lost.json()["tab_id"]) == (kept, None)
    after = cafe.balances()
    assert after["card_clearing"] == before["card_clearing"] - kept
    assert after["disputes_lost"] == kept
    assert cash_flow(cafe)["disputes_lost"]["total"] == kept
    assert write_offs(cafe, booking["customer_id"]) == 1
    assert books_balance(stripe_runtime, cafe)


def test_a_deposit_applied_to_the_tab_is_lost_as_that_tab_s_bill(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    clock: TestClock,
    signed_in: Callable[..., Staff],
    tmp_path: Path,
) -> None:
    salon(cafe)
    booking = booked(cafe, stripe_double, clock, hours=1)
    checked = cafe.post(f"/v1/bookings/{booking['id']}/check-in")
    assert checked.status_code == 200, checked.text
    tab_id = checked.json()["tab_id"]
    assert cafe.get(f"/v1/tabs/{tab_id}").json()["deposit_applied"] == 600
    intent = str(deposit_intent(stripe_double, booking["id"]).id)
    before = cafe.balances()
    dispute_id = opened_at_the_bank(cafe, stripe_double, intent, 600)

    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 600, "lost")
    lost = dispute_of(cafe, dispute_id)
    assert (lost["bill_lost"], lost["tab_id"], lost["booking_id"]) == (600, tab_id, booking["id"])
    [entry] = chargebacks(cafe)
    assert (entry["id"], entry["tab_id"]) == (lost["entry_id"], tab_id)
    after = cafe.balances()
    assert after["card_clearing"] == before["card_clearing"] - 600
    assert after["disputes_lost"] == 600
    assert write_offs(cafe, booking["customer_id"]) == 0
    page = in_words(signed_in(cafe, "owner").get("/staff/disputes").text)
    assert f'href="/staff/tabs/{tab_id}"' in page and 'data-booked="600 0"' in page
    assert books_balance(stripe_runtime, cafe)
    bean_check(stripe_runtime, cafe, tmp_path)


# --- a deposit the books cannot take yet, and bad input -----------------------------------


def test_a_refunded_deposit_s_dispute_is_refused_saying_the_money_already_went_back(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    clock: TestClock,
    signed_in: Callable[..., Staff],
) -> None:
    salon(cafe)
    booking = booked(cafe, stripe_double, clock, days=3)
    cancelled = cafe.post(f"/v1/bookings/{booking['id']}/cancel")
    assert cancelled.json()["deposit"]["status"] == "refunded", cancelled.text
    intent = str(deposit_intent(stripe_double, booking["id"]).id)
    dispute_id = opened_at_the_bank(cafe, stripe_double, intent, 600)
    before = cafe.balances()

    refused = marked(cafe, dispute_id, "lost")
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["deposit_status"]) == ("dispute_of_deposit", "refunded")
    assert "already went back to the customer's card" in error["message"]
    assert "still expects" not in error["message"]
    shown = dispute_of(cafe, dispute_id)
    assert (shown["status"], shown["marked_lost_at"], shown["entry_id"]) == ("open", None, None)
    assert cafe.balances() == before and write_offs(cafe, booking["customer_id"]) == 0

    owner = signed_in(cafe, "owner")
    said = in_words(owner.post(f"/staff/disputes/{dispute_id}/lost").text)
    assert "a booking's deposit that was refunded" in said
    assert owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    said = in_words(owner.post(f"/staff/disputes/{dispute_id}/lost").text)
    assert "Esta disputa é do sinal de uma marcação que foi reembolsado" in said
    # Stripe's lost on it is shown, and books nothing.
    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 600, "lost")
    assert dispute_of(cafe, dispute_id)["entry_id"] is None and cafe.balances() == before
    page = in_words(owner.get("/staff/disputes").text)
    assert "Fora da contabilidade: o sinal foi reembolsado" in page


def test_a_dispute_stripe_closed_lost_while_the_deposit_was_held_is_booked_once_it_is_kept(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    salon(cafe)
    booking = booked(cafe, stripe_double, clock, hours=2)
    intent = str(deposit_intent(stripe_double, booking["id"]).id)
    dispute_id = opened_at_the_bank(cafe, stripe_double, intent, 600)
    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 600, "lost")
    assert dispute_of(cafe, dispute_id)["entry_id"] is None  # held: nothing by guess
    clock.advance(hours=3)
    kept = missed(cafe, booking["id"])["deposit"]["fee"]
    lost = marked(cafe, dispute_id, "lost")
    assert lost.status_code == 200, lost.text
    assert lost.json()["bill_lost"] == kept and lost.json()["entry_id"] is not None
    assert cafe.balances()["disputes_lost"] == kept
    assert write_offs(cafe, booking["customer_id"]) == 1
    assert len(events(cafe, "dispute.lost")) == 1
    assert books_balance(stripe_runtime, cafe)


def test_an_unknown_dispute_answers_404_and_nothing_moves(
    cafe: Merchant, stripe_double: StripeDouble
) -> None:
    before = cafe.balances()
    missing = marked(cafe, "dp_nothing", "lost")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "dispute_not_found")
    assert cafe.balances() == before

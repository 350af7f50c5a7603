"""Stripe's last word gives back what a loss took (SQLite and PostgreSQL),
driven as the product is: a card payment through Stripe, Stripe's signed
``charge.dispute.created`` and ``charge.dispute.closed`` on the webhook (the
real localstripe behind the double), and the owner's buttons.

Ana pays 25.00 and a 5.00 tip by card at Café Azul, Marta serving her, then
disputes the charge. The owner marks it lost early (or Stripe's lost comes
first); then Stripe closes it won: the bank sided with the café after all.
The loss is booked back once, leg for leg, however often Stripe says so; the
books, the cash-flow report, Marta's commission, Ana's points and the
Beancount export read as before the loss, and the payment can be refunded
as a won dispute's can. Stripe closing an open dispute without a loss (an
inquiry closed, a charge refunded first, a dispute prevented) frees its
payment the same way, booking nothing."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_disputes_closed_at_stripe import closed_at_stripe, dispute_of
from tests.integration.test_disputes_in_the_books import (
    books_balance,
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
from tests.integration.test_stripe_gateway import WEBHOOK_SECRET, post_event, reference_of
from tests.stripe_double import StripeDouble, sign

# The Stripe merchant and the double in front of localstripe (fixtures).
localstripe_port = on_stripe.localstripe_port
stripe_double = on_stripe.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe


def entries_of(cafe: Merchant, kind: str) -> list[dict[str, Any]]:
    listed = cafe.get("/v1/ledger/entries", params={"limit": 100}).json()["data"]
    return [entry for entry in listed if entry["kind"] == kind]


def legs(entry: dict[str, Any]) -> set[tuple[str, str, int]]:
    return {(leg["account"], leg["side"], leg["amount"]) for leg in entry["legs"]}


SWAPPED = {"debit": "credit", "credit": "debit"}


@pytest.mark.parametrize("lost_by", ["owner", "stripe"])
def test_stripe_closing_a_lost_dispute_won_books_the_loss_back_once(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    clock: TestClock,
    lost_by: str,
) -> None:
    points(cafe)
    tab, paid, marta = served_by_marta(cafe, stripe_double, 2500, tip=500)
    ana = tab["customer_id"]
    intent = reference_of(stripe_runtime, cafe, paid["id"])
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 3000)
    before, report = cafe.balances(), cash_flow(cafe)
    earned, commission = card(cafe, ana)["balance"], earnings_of(cafe, clock, marta)
    assert earned == 25 and commission["commission"] == 250
    if lost_by == "owner":
        assert marked(cafe, dispute_id, "lost").status_code == 200
    else:
        closed_at_stripe(cafe, stripe_double, intent, dispute_id, 3000, "lost")
    assert card(cafe, ana)["balance"] == 0
    assert cafe.balances()["card_clearing"] == before["card_clearing"] - 3000

    payload = closed_at_stripe(cafe, stripe_double, intent, dispute_id, 3000, "won")
    # The same event again, Stripe's won again under another id, and a late lost.
    again = post_event(cafe, payload, sign(payload, WEBHOOK_SECRET))
    assert again.json()["outcome"] == "seen", again.text
    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 3000, "won")
    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 3000, "lost")

    won = dispute_of(cafe, dispute_id)
    assert (won["status"], won["bill_lost"], won["tip_lost"]) == ("won", 2500, 500)
    assert won["won_back_at"] is not None and won["won_back_entry_id"] is not None
    [loss] = entries_of(cafe, "dispute_lost")
    [back] = entries_of(cafe, "dispute_won_back")
    assert back["id"] == won["won_back_entry_id"] and loss["id"] == won["entry_id"]
    assert legs(back) == {(a, SWAPPED[side], amount) for a, side, amount in legs(loss)}
    assert cafe.balances() == before
    assert books_balance(stripe_runtime, cafe)
    [said] = [e for e in events(cafe, "dispute.won") if e["data"].get("won_back")]
    assert (said["data"]["bill_won_back"], said["data"]["tip_won_back"]) == (2500, 500)
    assert len(events(cafe, "dispute.won")) == 1
    # What the loss took back comes back with the money, once.
    assert card(cafe, ana)["balance"] == earned
    assert len(events(cafe, "loyalty.given_back")) == 1
    assert earnings_of(cafe, clock, marta) == commission
    assert cash_flow(cafe) == report
    # The owner's own count stays counted (trust keeps no event to take out).
    assert write_offs(cafe, ana) == (1 if lost_by == "owner" else 0)
    # Neither button changes a won dispute now.
    assert marked(cafe, dispute_id, "won").json()["won_back_entry_id"] == back["id"]
    if lost_by == "stripe":
        refused = marked(cafe, dispute_id, "lost")
        assert (refused.status_code, refused.json()["error"]["code"]) == (409, "dispute_closed")

    # Freed as a won dispute frees it: the whole payment can be refunded.
    refunded = refund(cafe, paid["id"], amount=2500, tip=500)
    assert refunded.status_code == 201, refunded.text
    assert card(cafe, ana)["balance"] == 0
    assert books_balance(stripe_runtime, cafe)


def test_a_deposit_s_dispute_won_after_stripe_s_lost_books_nothing(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    """A dispute of a charge that is no payment of ours: won, it is shown won."""
    dispute = {"id": "dp_unknown0000000000000000", "object": "dispute", "charge": "ch_x"}
    dispute |= {"payment_intent": "pi_not_ours", "amount": 600, "currency": "eur"}
    dispute |= {"reason": "general", "status": "lost"}
    before = cafe.balances()
    closed_at_stripe(cafe, stripe_double, "pi_not_ours", dispute["id"], 600, "lost")
    closed_at_stripe(cafe, stripe_double, "pi_not_ours", dispute["id"], 600, "won")
    won = dispute_of(cafe, dispute["id"])
    assert (won["status"], won["entry_id"], won["won_back_entry_id"]) == ("won", None, None)
    assert cafe.balances() == before and entries_of(cafe, "dispute_won_back") == []


#: Stripe's statuses that close a dispute without a loss.
CLOSED_WITHOUT_A_LOSS = ["warning_closed", "charge_refunded", "prevented"]


@pytest.mark.parametrize("stripe_status", CLOSED_WITHOUT_A_LOSS)
def test_stripe_closing_a_dispute_without_a_loss_frees_its_payment(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, stripe_status: str
) -> None:
    tab, paid, _ = served_by_marta(cafe, stripe_double, 2500, tip=0)
    intent = reference_of(stripe_runtime, cafe, paid["id"])
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 2500)
    refused = refund(cafe, paid["id"], amount=1000)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "payment_disputed")
    before, report = cafe.balances(), cash_flow(cafe)
    for _ in range(2):
        closed_at_stripe(cafe, stripe_double, intent, dispute_id, 2500, stripe_status)
    closed = dispute_of(cafe, dispute_id)
    assert (closed["status"], closed["entry_id"], closed["bill_lost"]) == ("closed", None, 0)
    [said] = events(cafe, "dispute.closed")
    assert said["data"]["stripe_status"] == stripe_status
    assert cafe.balances() == before and cash_flow(cafe) == report
    assert entries_of(cafe, "dispute_lost") == []
    assert write_offs(cafe, tab["customer_id"]) == 0
    # Closed is final for the owner's buttons too.
    for outcome in ("lost", "won"):
        said_no = marked(cafe, dispute_id, outcome)
        assert (said_no.status_code, said_no.json()["error"]["code"]) == (409, "dispute_closed")
    freed = refund(cafe, paid["id"], amount=1000)
    assert freed.status_code == 201, freed.text
    assert books_balance(stripe_runtime, cafe)


def test_the_console_says_won_back_and_closed_in_english_and_portuguese(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    signed_in: Callable[..., Staff],
    tmp_path: Path,
) -> None:
    _, paid, _ = served_by_marta(cafe, stripe_double, 2500, tip=500)
    intent = reference_of(stripe_runtime, cafe, paid["id"])
    won_back = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 3000)
    assert marked(cafe, won_back, "lost").status_code == 200
    closed_at_stripe(cafe, stripe_double, intent, won_back, 3000, "won")
    _, other, _ = served_by_marta(cafe, stripe_double, 1000, tip=0)
    inquiry = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, other["id"], 1000)
    closed_at_stripe(
        cafe,
        stripe_double,
        reference_of(stripe_runtime, cafe, other["id"]),
        inquiry,
        1000,
        "warning_closed",
    )
    owner = signed_in(cafe, "owner")
    served = owner.get("/staff/disputes").text
    install_vnu()
    assert vnu_errors({"disputes": served}, tmp_path) == []
    page = in_words(served)
    assert (
        "Stripe closed it won after it was lost: €25.00 of the bill and €5.00 of the tip"
        " are back in the books." in page
    )
    assert 'data-won-back="2500 500"' in page
    assert "Stripe closed it without a loss (an inquiry that ended" in page
    assert ">Closed<" in page
    assert owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    page = in_words(owner.get("/staff/disputes").text)
    assert "voltaram à contabilidade" in page and "€25.00 da conta e €5.00 da gorjeta" in page
    assert "A Stripe encerrou-a sem perda" in page and ">Encerrada<" in page
    assert owner.post("/staff/settings/language", {"language": "en"}).status_code == 200
    # The period's figures (the Z report's sums): the loss and its win back net to nothing.
    figures = owner.get("/staff/reports/cash-flow.csv").text.splitlines()
    assert "Taken in the period,Card disputes lost,€0.00" in figures
    assert "Taken in the period,Card (online),€40.00" in figures


def test_beancount_checks_a_day_with_a_loss_and_its_win_back(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, tmp_path: Path
) -> None:
    _, paid, _ = served_by_marta(cafe, stripe_double, 2500, tip=500)
    intent = reference_of(stripe_runtime, cafe, paid["id"])
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 3000)
    assert marked(cafe, dispute_id, "lost").status_code == 200
    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 3000, "won")
    zone = ZoneInfo(cafe.get("/v1/merchant").json()["timezone"])
    day: date = stripe_runtime.clock.now().astimezone(zone).date()
    exported = cafe.get(
        "/v1/exports/journal.beancount",
        params={"from": (day - timedelta(days=1)).isoformat(), "to": day.isoformat()},
    )
    assert exported.status_code == 200, exported.text
    text = exported.text
    assert f"card dispute lost: {dispute_id}" in text
    assert f"card dispute won after its loss: {dispute_id}" in text
    asserted = {
        line.split()[2]: line.split()[3] for line in text.splitlines() if " balance " in line
    }
    assert asserted["Income:DisputesLost"] == "0.00"
    assert asserted["Assets:CardClearing"] == "30.00"
    path = tmp_path / "books.beancount"
    path.write_text(text, encoding="utf-8")
    bean_check = Path(sys.executable).parent / "bean-check"
    run = subprocess.run([str(bean_check), str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr

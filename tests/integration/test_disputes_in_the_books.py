"""A card dispute the merchant lost reaches the books (SQLite and PostgreSQL),
driven as the product is: a card payment through Stripe, Stripe's signed
``charge.dispute.created``, then the owner marking the dispute lost or won.

Ana pays 25.00 and a 5.00 tip by card at Café Azul, Marta serving her on a
10% commission, then disputes the charge with her bank. Lost, the bank took
the money back: it leaves ``card_clearing`` in one entry, the bill's part to
``disputes_lost`` (chargebacks, apart from refunds) and the tip's off
``tips_payable``; the cash-flow report's takings and Marta's commission and
tips are net of it, and the Beancount export of the day still checks. Won,
nothing moves."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from servefirst.ledger import service as ledger
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_loyalty_disputes import disputed_at_the_bank, events
from tests.integration.test_pages_staff import Staff
from tests.integration.test_refunds_disputed import cash_flow, marked, refund
from tests.integration.test_stripe_gateway import pay
from tests.stripe_double import StripeDouble

# The Stripe merchant and the double in front of localstripe (fixtures).
localstripe_port = on_stripe.localstripe_port
stripe_double = on_stripe.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe


def served_by_marta(
    cafe: Merchant, double: StripeDouble, price: int, tip: int, marta: str | None = None
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A tab of one service at ``price`` served by Marta (10% commission; taken
    on first), paid by card at Stripe with ``tip``; (the tab, the payment,
    Marta's id)."""
    if marta is None:
        hired = cafe.post("/v1/staff", {"name": "Marta", "commission_rate_bps": 1000})
        marta = str(hired.json()["id"])
    tab = cafe.tab()
    service = cafe.service("Colour", price=price)
    added = cafe.post(
        f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"], "staff_id": marta}
    )
    assert added.status_code == 200, added.text
    assert cafe.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
    paid = pay(cafe, tab["id"], double.payment_method(), tip=tip)
    assert paid.status_code == 201, paid.text
    assert paid.json()["status"] == "succeeded"
    return tab, paid.json(), marta


def books_balance(runtime: Runtime, cafe: Merchant) -> bool:
    """``servefirst ledger audit``'s answer: every entry balances and the
    running totals agree with the legs."""
    with runtime.uow(cafe.id) as uow:
        return ledger.audit(uow).ok


def chargebacks(cafe: Merchant) -> list[dict[str, Any]]:
    return [
        entry
        for entry in cafe.get("/v1/ledger/entries", params={"limit": 100}).json()["data"]
        if entry["kind"] == "dispute_lost"
    ]


def earnings_of(cafe: Merchant, clock: TestClock, staff_id: str) -> dict[str, Any]:
    now = clock.now()
    period = {
        "from": (now - timedelta(hours=1)).isoformat(),
        "to": (now + timedelta(hours=1)).isoformat(),
    }
    report = cafe.get("/v1/reports/earnings", params=period).json()
    return next(r for r in report["staff"] if r["staff_id"] == staff_id)  # type: ignore[no-any-return]


def test_a_lost_dispute_takes_the_money_out_of_card_clearing_once(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    tab, paid, _ = served_by_marta(cafe, stripe_double, 2500, tip=500)
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 3000)
    before = cafe.balances()
    assert before["card_clearing"] == 3000 and before["tips_payable"] == -500
    lost = marked(cafe, dispute_id, "lost").json()
    assert (lost["status"], lost["bill_lost"], lost["tip_lost"]) == ("lost", 2500, 500)
    after = cafe.balances()
    assert after["card_clearing"] == before["card_clearing"] - 3000
    assert after["disputes_lost"] == before["disputes_lost"] + 2500
    assert after["tips_payable"] == before["tips_payable"] + 500
    assert after["refunds"] == before["refunds"] == 0  # a chargeback is not a refund
    assert books_balance(stripe_runtime, cafe)

    # Marked again, through the API twice: the books move once.
    assert marked(cafe, dispute_id, "lost").status_code == 200
    assert marked(cafe, dispute_id, "lost").status_code == 200
    assert cafe.balances() == after
    [entry] = chargebacks(cafe)
    assert entry["id"] == lost["entry_id"] and entry["tab_id"] == tab["id"]
    [told] = events(cafe, "dispute.lost")
    assert told["data"] == {
        "payment_id": paid["id"],
        "tab_id": tab["id"],
        "amount": 3000,
        "bill_lost": 2500,
        "tip_lost": 500,
        "entry_id": lost["entry_id"],
        "lost_by": "owner",
    }


def test_a_won_dispute_posts_nothing(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    _, paid, _ = served_by_marta(cafe, stripe_double, 2500, tip=500)
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 3000)
    before, report = cafe.balances(), cash_flow(cafe)
    won = marked(cafe, dispute_id, "won").json()
    assert (won["status"], won["bill_lost"], won["tip_lost"], won["entry_id"]) == (
        "won",
        0,
        0,
        None,
    )
    assert cafe.balances() == before
    assert chargebacks(cafe) == []
    assert cash_flow(cafe) == report


def test_a_part_refunded_payment_loses_only_what_the_refund_left(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    """10.00 of the bill refunded, then Ana's bank disputes all 30.00 it
    charged: the bank can only have taken back what was still with us, the
    other 15.00 of the bill and the 5.00 tip."""
    _, paid, _ = served_by_marta(cafe, stripe_double, 2500, tip=500)
    assert refund(cafe, paid["id"], amount=1000).status_code == 201
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 3000)
    before = cafe.balances()
    assert before["card_clearing"] == 2000
    lost = marked(cafe, dispute_id, "lost").json()
    assert (lost["bill_lost"], lost["tip_lost"]) == (1500, 500)
    after = cafe.balances()
    assert after["card_clearing"] == 0
    assert (after["disputes_lost"], after["refunds"]) == (1500, before["refunds"])
    assert after["tips_payable"] == 0
    assert books_balance(stripe_runtime, cafe)


def test_a_dispute_of_part_of_a_payment_takes_the_bill_before_the_tip(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    _, paid, _ = served_by_marta(cafe, stripe_double, 2500, tip=500)
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 2700)
    lost = marked(cafe, dispute_id, "lost").json()
    assert (lost["bill_lost"], lost["tip_lost"]) == (2500, 200)
    assert cafe.balances()["card_clearing"] == 300
    assert cafe.balances()["tips_payable"] == -300


def test_the_cash_flow_report_and_marta_s_earnings_are_net_of_the_lost_dispute(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    _, _, marta = served_by_marta(cafe, stripe_double, 4000, tip=400)
    _, paid, _ = served_by_marta(cafe, stripe_double, 2500, tip=500, marta=marta)
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 3000)
    assert cash_flow(cafe)["collected"]["by_method"]["card"] == 4400 + 3000
    assert earnings_of(cafe, clock, marta)["commission"] == 400 + 250
    assert marked(cafe, dispute_id, "lost").status_code == 200

    report = cash_flow(cafe)
    assert report["collected"] == {
        "total": 4400,
        "by_method": {"cash": 0, "card": 4400, "card_terminal": 0},
        "for_services": 4000,
        "tips": 400,
    }
    assert report["disputes_lost"] == {
        "total": 3000,
        "by_method": {"cash": 0, "card": 3000, "card_terminal": 0},
        "for_services": 2500,
        "tips": 500,
    }
    assert report["refunds"]["total"] == 0
    assert report["tips"] == {"collected": 400, "payable": 400}
    # Marta's pay follows the money kept, as after a refund of it.
    row = earnings_of(cafe, clock, marta)
    assert (row["sales"], row["paid"], row["tips"], row["commission"]) == (6500, 4000, 400, 400)


def test_the_owner_marks_it_lost_in_the_console_and_the_books_move_once(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    signed_in: Callable[..., Staff],
) -> None:
    _, paid, _ = served_by_marta(cafe, stripe_double, 2500, tip=0)
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 2500)
    owner = signed_in(cafe, "owner")
    for _ in range(2):
        done = owner.post(f"/staff/disputes/{dispute_id}/lost", follow_redirects=False)
        assert done.status_code == 303, done.text
    assert (cafe.balances()["card_clearing"], cafe.balances()["disputes_lost"]) == (0, 2500)
    assert len(chargebacks(cafe)) == 1
    assert books_balance(stripe_runtime, cafe)


def test_beancount_checks_a_day_with_a_lost_dispute(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, tmp_path: Path
) -> None:
    _, paid, _ = served_by_marta(cafe, stripe_double, 2500, tip=500)
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 3000)
    assert marked(cafe, dispute_id, "lost").status_code == 200
    zone = ZoneInfo(cafe.get("/v1/merchant").json()["timezone"])
    day: date = stripe_runtime.clock.now().astimezone(zone).date()
    exported = cafe.get(
        "/v1/exports/journal.beancount",
        params={"from": (day - timedelta(days=1)).isoformat(), "to": day.isoformat()},
    )
    assert exported.status_code == 200, exported.text
    text = exported.text
    assert "open Income:DisputesLost EUR" in text
    assert f"card dispute lost: {dispute_id}" in text
    asserted = {
        line.split()[2]: line.split()[3] for line in text.splitlines() if " balance " in line
    }
    assert asserted["Income:DisputesLost"] == "25.00"
    assert asserted["Assets:CardClearing"] == "0.00"
    path = tmp_path / "books.beancount"
    path.write_text(text, encoding="utf-8")
    bean_check = Path(sys.executable).parent / "bean-check"
    run = subprocess.run([str(bean_check), str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr

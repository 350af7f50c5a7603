"""The books over HTTP: balances after a known day at the café, the journal, and
the cash-flow report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import Merchant


def add(merchant: Merchant, tab: dict[str, Any], price: int, quantity: int = 1) -> None:
    svc = merchant.service(price=price)
    response = merchant.post(
        f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"], "quantity": quantity}
    )
    assert response.status_code == 200, response.text


def test_a_fresh_merchant_has_the_whole_account_plan_at_zero(merchant: Merchant) -> None:
    body = merchant.get("/v1/ledger/balances").json()
    assert body["object"] == "ledger_balances"
    assert body["currency"] == "EUR"
    assert body["total"] == 0
    assert {a["code"] for a in body["accounts"]} >= {
        "cash",
        "card_clearing",
        "card_terminal",
        "receivables",
        "revenue",
        "satisfaction_adjustments",
        "tips_payable",
        "deposits_held",
        "no_show_fees",
        "write_offs",
    }
    assert all(a["balance"] == a["debits"] == a["credits"] == 0 for a in body["accounts"])


def test_two_lines_paid_in_cash_with_a_tip(merchant: Merchant) -> None:
    tab = merchant.tab()
    add(merchant, tab, 450)
    add(merchant, tab, 380)
    assert merchant.balances()["receivables"] == 830
    assert merchant.balances()["revenue"] == -830
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "tip": 100})
    assert paid.status_code == 201, paid.text
    body = merchant.get("/v1/ledger/balances").json()
    balances = {a["code"]: a for a in body["accounts"]}
    assert body["total"] == 0
    assert balances["cash"]["balance"] == 930
    assert balances["revenue"]["balance"] == -830
    assert balances["tips_payable"]["balance"] == -100
    assert balances["receivables"] == {
        "code": "receivables",
        "balance": 0,
        "debits": 830,
        "credits": 830,
    }
    untouched = {"card_clearing", "card_terminal", "satisfaction_adjustments", "write_offs"}
    assert {code: balances[code]["balance"] for code in untouched} == dict.fromkeys(untouched, 0)


def test_the_journal_shows_balanced_entries_per_tab(merchant: Merchant) -> None:
    tab = merchant.tab()
    add(merchant, tab, 450)
    add(merchant, tab, 380)
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "tip": 100})
    merchant.served_tab(999)  # another tab, filtered out below
    entries = merchant.get("/v1/ledger/entries", params={"tab_id": tab["id"]}).json()["data"]
    assert sorted(e["kind"] for e in entries) == ["payment", "tab_charge", "tab_charge"]
    for entry in entries:
        assert entry["tab_id"] == tab["id"]
        assert entry["currency"] == "EUR"
        debits = sum(leg["amount"] for leg in entry["legs"] if leg["side"] == "debit")
        credits = sum(leg["amount"] for leg in entry["legs"] if leg["side"] == "credit")
        assert debits == credits > 0
    payment = next(e for e in entries if e["kind"] == "payment")
    assert sorted((leg["account"], leg["side"], leg["amount"]) for leg in payment["legs"]) == [
        ("cash", "debit", 930),
        ("receivables", "credit", 830),
        ("tips_payable", "credit", 100),
    ]
    assert len(merchant.get("/v1/ledger/entries").json()["data"]) == 4
    assert len(merchant.get("/v1/ledger/entries", params={"limit": 2}).json()["data"]) == 2


def test_a_day_at_the_cafe_in_the_books_and_the_cash_flow_report(
    merchant: Merchant, clock: Any
) -> None:
    # Tab 1: two lines, cash with a tip.
    one = merchant.tab()
    add(merchant, one, 450)
    add(merchant, one, 380)
    merchant.post(f"/v1/tabs/{one['id']}/serve")
    merchant.post(f"/v1/tabs/{one['id']}/payments", {"method": "cash", "amount": 830, "tip": 100})
    # Tab 2: a 100 discount under the guarantee, then written off.
    two = merchant.served_tab(500)
    concern = merchant.client.post(
        f"/v1/public/tabs/{two['token']}/concerns",
        json={"reason": "Cold", "remedy": "partial", "amount": 100},
    ).json()
    assert concern["status"] == "approved"
    merchant.post(f"/v1/tabs/{two['id']}/write-off")
    # Tab 3: the customer pays by card from the tab page.
    three = merchant.served_tab(300)
    merchant.client.post(f"/v1/public/tabs/{three['token']}/pay", json={"card": "4242424242424242"})
    # Tab 4: the terminal, half now.
    four = merchant.served_tab(700)
    merchant.post(f"/v1/tabs/{four['id']}/payments", {"method": "card_terminal", "amount": 350})
    # Tab 5: opened three days ago and still open; tab 6 served today, overdue.
    five = merchant.tab()
    add(merchant, five, 200)
    clock.advance(days=3)
    six = merchant.served_tab(120)
    merchant.post(f"/v1/tabs/{six['id']}/overdue")

    assert merchant.balances() == {
        "cash": 930,
        "card_clearing": 300,
        "card_terminal": 350,
        "receivables": 350 + 200 + 120,
        "revenue": -(830 + 500 + 300 + 700 + 200 + 120),
        "satisfaction_adjustments": 100,
        "refunds": 0,
        "disputes_lost": 0,
        "tips_payable": -100,
        "tax_payable": 0,
        "loyalty_rewards": 0,
        "write_offs": 400,
        "deposits_held": 0,
        "no_show_fees": 0,
        "cash_over_short": 0,
    }

    response = merchant.get("/v1/reports/cash-flow")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["currency"] == "EUR"
    assert report["collected"] == {
        "total": 930 + 300 + 350,
        "by_method": {"cash": 930, "card": 300, "card_terminal": 350},
        "for_services": 830 + 300 + 350,
        "tips": 100,
    }
    assert report["tips"] == {"collected": 100, "payable": 100}
    assert report["revenue"] == 2650
    receivables = report["receivables"]
    assert receivables["total"] == 670
    assert (receivables["open"], receivables["served_unpaid"], receivables["overdue"]) == (
        200,
        350,
        120,
    )
    by_age = {bucket["age"]: (bucket["tabs"], bucket["amount"]) for bucket in receivables["by_age"]}
    # Four (half paid) and five were opened before the clock moved three days;
    # six after it.
    assert by_age == {
        "0-7 days": (3, 120 + 200 + 350),
        "8-30 days": (0, 0),
        "31-60 days": (0, 0),
        "61+ days": (0, 0),
    }
    assert sum(amount for _, amount in by_age.values()) == receivables["total"]
    assert report["adjustments"] == {
        "total": 100,
        "by_remedy": {
            "redo": {"concerns": 0, "amount": 0},
            "partial": {"concerns": 1, "amount": 100},
            "waive": {"concerns": 0, "amount": 0},
        },
    }
    assert report["write_offs"] == {"total": 400}
    assert report["deposits"] == {
        "held": 0,
        "on_hold": 0,
        "applied": 0,
        "refunded": 0,
        "forfeited": 0,
    }


def test_unpaid_tabs_fall_into_every_age_bucket_at_its_edges(
    merchant: Merchant, clock: Any
) -> None:
    """Opened 70, 61, 60, 31, 30, 8 and 7 days and an hour ago, never served
    (their age counts from opening). Ages are whole days: a tab 8 days old is
    in "8-30 days", one 61 days old in "61+ days"."""
    opened_days_ago = [70, 61, 60, 31, 30, 8, 7, 1 / 24]
    for days, earlier in zip(opened_days_ago, [None, *opened_days_ago], strict=False):
        if earlier is not None:
            clock.advance(days=earlier - days)
        add(merchant, merchant.tab(), 100)
    clock.advance(days=opened_days_ago[-1])
    report = merchant.get("/v1/reports/cash-flow").json()["receivables"]
    by_age = {bucket["age"]: (bucket["tabs"], bucket["amount"]) for bucket in report["by_age"]}
    assert by_age == {
        "0-7 days": (2, 200),
        "8-30 days": (2, 200),
        "31-60 days": (2, 200),
        "61+ days": (2, 200),
    }
    assert report["open"] == report["total"] == 800


def test_a_served_tab_is_owed_from_the_day_it_was_served(merchant: Merchant, clock: Any) -> None:
    """Opened 40 days ago and served 5 days ago: the customer has owed it five
    days, so it is young debt, not old."""
    clock.advance(days=-40)
    tab = merchant.tab()
    add(merchant, tab, 300)
    clock.advance(days=35)
    assert merchant.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
    clock.advance(days=5)
    report = merchant.get("/v1/reports/cash-flow").json()["receivables"]
    by_age = {bucket["age"]: bucket["amount"] for bucket in report["by_age"]}
    assert by_age["0-7 days"] == 300
    assert by_age["31-60 days"] == 0


def test_each_merchant_has_its_own_books(new_merchant: Callable[..., Merchant]) -> None:
    cafe, salon = new_merchant(), new_merchant("Salão", currency="GBP")
    tab = cafe.served_tab(500)
    cafe.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"})
    assert cafe.balances()["cash"] == 500
    assert set(salon.balances().values()) == {0}
    assert salon.get("/v1/ledger/balances").json()["currency"] == "GBP"
    assert salon.get("/v1/ledger/entries").json()["data"] == []
    assert salon.get("/v1/reports/cash-flow").json()["collected"]["total"] == 0

"""The accountant's exports over HTTP: a scripted café day (cash, card, tips,
a refund, a deposit kept, a write-off, a guarantee discount, the day's close)
exported as our journal, Beancount (checked by Beancount itself), QuickBooks
Online and Xero imports, and Z reports; the account mapping; bad input."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from beancount import loader

from servefirst.exports.formats import QUICKBOOKS_COLUMNS, XERO_COLUMNS
from tests.conftest import Merchant, TestClock

SALON = {"enabled": True, "percent": "15", "minimum": 200, "maximum": 2000, "preset": "fair"}


def today(merchant: Merchant, clock: TestClock) -> date:
    zone = ZoneInfo(merchant.get("/v1/merchant").json()["timezone"])
    return clock.now().astimezone(zone).date()


def scripted_day(merchant: Merchant, clock: TestClock) -> None:
    """Every kind of entry a café's day posts."""
    # Cash with a tip, then part of it refunded.
    one = merchant.served_tab(450, 380)
    paid = merchant.post(
        f"/v1/tabs/{one['id']}/payments", {"method": "cash", "amount": 830, "tip": 100}
    )
    assert paid.status_code == 201, paid.text
    refund = merchant.post(
        f"/v1/payments/{paid.json()['id']}/refunds", {"amount": 380, "reason": "Cold"}
    )
    assert refund.status_code == 201, refund.text
    # A guarantee discount, then the rest written off.
    two = merchant.served_tab(500)
    concern = merchant.client.post(
        f"/v1/public/tabs/{two['token']}/concerns",
        json={"reason": "Cold", "remedy": "partial", "amount": 100},
    )
    assert concern.json()["status"] == "approved", concern.text
    assert merchant.post(f"/v1/tabs/{two['id']}/write-off").status_code == 200
    # Card from the customer's page, with a tip; the terminal, in part.
    three = merchant.served_tab(300)
    card = merchant.client.post(
        f"/v1/public/tabs/{three['token']}/pay", json={"card": "4242424242424242", "tip": 50}
    )
    assert card.status_code in (200, 201), card.text
    four = merchant.served_tab(700)
    merchant.post(f"/v1/tabs/{four['id']}/payments", {"method": "card_terminal", "amount": 350})
    # A deposit taken for a booking, then kept on a no-show.
    policy = merchant.post(
        "/v1/merchant/deposit-policy",
        {"deposit_policy": {"required_for": ["new", "restricted"]} | SALON},
    )
    assert policy.status_code == 200, policy.text
    service = merchant.service("Cut", price=4000, duration_minutes=45)
    booking = merchant.post(
        "/v1/bookings",
        {
            "customer_id": merchant.customer("Rita")["id"],
            "service_id": service["id"],
            "starts_at": (clock.now() + timedelta(hours=2)).isoformat(),
            "card": "4242424242424242",
        },
    )
    assert booking.status_code == 201, booking.text
    assert booking.json()["deposit"]["status"] == "held"
    # The day's close: 5.50 expected (9.30 taken, 3.80 given back), 5.30 counted.
    close = merchant.post(
        "/v1/day-closes",
        {"opening_float": 0, "counted": {"200": 2, "100": 1, "20": 1, "10": 1}},
    )
    assert close.status_code == 201, close.text


def export(merchant: Merchant, name: str, first: date, last: date) -> Any:
    response = merchant.get(
        f"/v1/exports/{name}", params={"from": first.isoformat(), "to": last.isoformat()}
    )
    assert response.status_code == 200, response.text
    return response


def rows(text: str) -> list[dict[str, str]]:
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture
def cafe_day(merchant: Merchant, clock: TestClock) -> tuple[Merchant, date]:
    scripted_day(merchant, clock)
    return merchant, today(merchant, clock)


def test_the_journal_csv_has_a_row_per_leg_and_every_entry_balances(
    cafe_day: tuple[Merchant, date],
) -> None:
    merchant, day = cafe_day
    response = export(merchant, "journal.csv", day, day)
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    found = rows(response.text)
    assert list(found[0]) == [
        "date", "entry_id", "kind", "account", "debit", "credit", "currency", "memo", "tab_id",
    ]  # fmt: skip
    per_entry: dict[str, Decimal] = defaultdict(Decimal)
    for row in found:
        per_entry[row["entry_id"]] += Decimal(row["debit"] or 0) - Decimal(row["credit"] or 0)
        assert row["date"] == day.isoformat() and row["currency"] == "EUR"
    assert per_entry and set(per_entry.values()) == {Decimal(0)}
    kinds = {row["kind"] for row in found}
    assert {"payment", "refund", "adjustment", "write_off", "deposit", "cash_count"} <= kinds
    # Per account, the legs add up to the ledger's balances (all of them from today).
    moved: dict[str, Decimal] = defaultdict(Decimal)
    for row in found:
        moved[row["account"]] += Decimal(row["debit"] or 0) - Decimal(row["credit"] or 0)
    for account, balance in merchant.balances().items():
        assert moved.get(account, Decimal(0)) * 100 == balance, account


def test_beancount_accepts_the_day_and_asserts_our_balances(
    cafe_day: tuple[Merchant, date], tmp_path: Path
) -> None:
    merchant, day = cafe_day
    text = export(merchant, "journal.beancount", day - timedelta(days=3), day).text
    _, errors, _ = loader.load_string(text)
    assert errors == []
    asserted = {
        line.split()[2]: Decimal(line.split()[3])
        for line in text.splitlines()
        if " balance " in line
    }
    balances = merchant.balances()
    assert sum(1 for v in balances.values() if v) >= 8
    from servefirst.exports.rules import beancount_account

    for code, balance in balances.items():
        assert asserted[beancount_account(code)] * 100 == balance, code
    # And the command accountants run, on the file as written.
    path = tmp_path / "books.beancount"
    path.write_text(text, encoding="utf-8")
    bean_check = Path(sys.executable).parent / "bean-check"
    run = subprocess.run([str(bean_check), str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_later_period_opens_with_the_balances_carried_and_still_checks(
    cafe_day: tuple[Merchant, date], clock: TestClock
) -> None:
    merchant, day = cafe_day
    clock.advance(days=2)
    tab = merchant.served_tab(600)
    merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"})
    later = day + timedelta(days=2)
    text = export(merchant, "journal.beancount", later, later).text
    assert "Opening balances" in text
    _, errors, _ = loader.load_string(text)
    assert errors == []
    cash = next(line for line in text.splitlines() if " balance Assets:Cash " in line)
    assert Decimal(cash.split()[3]) * 100 == merchant.balances()["cash"]


def test_quickbooks_and_xero_files_have_their_columns_and_the_mapped_codes(
    cafe_day: tuple[Merchant, date],
) -> None:
    merchant, day = cafe_day
    mapped = merchant.post(
        "/v1/merchant/account-mapping",
        {"accounts": {"cash": "1000", "revenue": "Sales:Coffee"}, "tax_rates": {"none": "No VAT"}},
    )
    assert mapped.status_code == 200, mapped.text
    assert mapped.json()["accounts"] == {"cash": "1000", "revenue": "Sales:Coffee"}
    assert merchant.get("/v1/merchant/account-mapping").json() == mapped.json()

    qb = export(merchant, "quickbooks.csv", day, day).text
    assert qb.split("\r\n", 1)[0] == ",".join(QUICKBOOKS_COLUMNS)
    assert QUICKBOOKS_COLUMNS == (
        "Journal No", "Journal Date", "Account Name", "Description", "Debits", "Credits",
    )  # fmt: skip
    qb_rows = rows(qb)
    accounts = {row["Account Name"] for row in qb_rows}
    assert {"1000", "Sales:Coffee", "tips_payable"} <= accounts  # unmapped: our code
    assert "cash" not in accounts and "revenue" not in accounts
    assert all(row["Journal Date"] == f"{day:%m/%d/%Y}" for row in qb_rows)
    per_journal: dict[str, Decimal] = defaultdict(Decimal)
    for row in qb_rows:
        per_journal[row["Journal No"]] += Decimal(row["Debits"] or 0) - Decimal(row["Credits"] or 0)
    assert set(per_journal.values()) == {Decimal(0)}

    xero = export(merchant, "xero.csv", day, day).text
    assert xero.split("\r\n", 1)[0] == ",".join(XERO_COLUMNS)
    assert XERO_COLUMNS == (
        "*Narration", "*Date", "Description", "*AccountCode", "*TaxRate", "*Amount",
        "TrackingName1", "TrackingOption1", "TrackingName2", "TrackingOption2",
    )  # fmt: skip
    xero_rows = rows(xero)
    per_narration: dict[str, Decimal] = defaultdict(Decimal)
    for row in xero_rows:
        per_narration[row["*Narration"]] += Decimal(row["*Amount"])
        assert row["*TaxRate"] == "No VAT"
        assert row["*Date"] == f"{day:%d/%m/%Y}"
    assert len(per_narration) == len(per_journal)
    assert set(per_narration.values()) == {Decimal(0)}


def test_xero_s_daily_journal_is_each_account_s_net_movement_that_day(
    cafe_day: tuple[Merchant, date],
) -> None:
    merchant, day = cafe_day
    merchant.post("/v1/merchant/account-mapping", {"accounts": {"cash": "090"}})
    daily = export(merchant, "xero-daily.csv", day - timedelta(days=2), day).text
    assert daily.split("\r\n", 1)[0] == ",".join(XERO_COLUMNS)
    found = rows(daily)
    assert {row["*Narration"] for row in found} == {f"servefirst {day:%Y%m%d} daily summary"}
    assert sum(Decimal(row["*Amount"]) for row in found) == 0
    net = {row["*AccountCode"]: Decimal(row["*Amount"]) * 100 for row in found}
    balances = merchant.balances()  # every leg of this merchant was posted today
    assert net == {("090" if code == "cash" else code): b for code, b in balances.items() if b}


def test_the_z_reports_of_the_period(cafe_day: tuple[Merchant, date]) -> None:
    merchant, day = cafe_day
    found = rows(export(merchant, "z-reports.csv", day - timedelta(days=7), day).text)
    assert len(found) == 1
    z = found[0]
    assert z["date"] == day.isoformat()
    assert (Decimal(z["difference"]), Decimal(z["cash"])) == (Decimal("-0.20"), Decimal("9.30"))
    assert Decimal(z["refunds"]) == Decimal("3.80")


def test_the_account_mapping_refuses_unknown_codes(merchant: Merchant) -> None:
    unknown = merchant.post("/v1/merchant/account-mapping", {"accounts": {"petty_cash": "1010"}})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "account_unknown"
    assert unknown.json()["error"]["param"] == "accounts.petty_cash"
    blank = merchant.post("/v1/merchant/account-mapping", {"accounts": {"cash": "  "}})
    assert blank.status_code == 422
    rate = merchant.post("/v1/merchant/account-mapping", {"tax_rates": {"txr_nope": "OUTPUT"}})
    assert (rate.status_code, rate.json()["error"]["code"]) == (422, "tax_rate_unknown")
    iva = merchant.post("/v1/tax-rates", {"name": "IVA 23%", "percent": "23"})
    assert iva.status_code == 201, iva.text
    mapped = merchant.post(
        "/v1/merchant/account-mapping",
        {"accounts": {"tax_payable": "2210"}, "tax_rates": {iva.json()["id"]: "OUTPUT2"}},
    )
    assert mapped.status_code == 200, mapped.text
    assert mapped.json()["tax_rates"] == {iva.json()["id"]: "OUTPUT2"}
    merchant.post("/v1/merchant/account-mapping", {})
    assert merchant.get("/v1/merchant/account-mapping").json()["accounts"] == {}


@pytest.mark.parametrize(
    ("first", "last", "code"),
    [
        ("2026-03-10", "2026-03-01", "period_invalid"),
        ("2026-02-30", "2026-03-01", None),
        ("yesterday", "2026-03-01", None),
        ("2020-01-01", "2026-03-01", "period_too_long"),
    ],
)
def test_a_bad_period_is_a_clear_422(merchant: Merchant, first: str, last: str, code: Any) -> None:
    response = merchant.get("/v1/exports/journal.csv", params={"from": first, "to": last})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["message"]
    if code:
        assert error["code"] == code


def test_an_export_needs_a_key_and_shows_only_its_merchant(
    new_merchant: Any, clock: TestClock
) -> None:
    cafe, salon = new_merchant("Café"), new_merchant("Salão")
    tab = cafe.served_tab(450)
    cafe.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"})
    day = today(cafe, clock)
    anonymous = cafe.client.get("/v1/exports/journal.csv", params={"from": day, "to": day})
    assert anonymous.status_code == 401
    theirs = rows(export(salon, "journal.csv", day, day).text)
    assert theirs == []

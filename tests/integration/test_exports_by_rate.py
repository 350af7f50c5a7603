"""A café taxing at two rates hands its accountant QuickBooks and Xero files
whose revenue and tax lines say which rate they belong to (the merchant's
mapped codes), add up to the tax report's figures per rate, and still match
the tools' column sets and balance per journal."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from servefirst.exports.formats import QUICKBOOKS_COLUMNS, XERO_COLUMNS
from tests.conftest import Merchant, TestClock
from tests.integration.test_exports import export, rows, today
from tests.integration.test_tax_api import rate, taxed_service

TAX_ACCOUNTS = {"tax_payable"}


@pytest.fixture
def two_rate_day(merchant: Merchant, clock: TestClock) -> tuple[Merchant, date, dict[str, Any]]:
    """A tab with a 23 % line, a 6 % line and an untaxed one; a guarantee
    discount taken off it; paid in cash. The rates are mapped to the
    accountant's tax types."""
    standard, reduced = rate(merchant, "IVA 23%", "23"), rate(merchant, "IVA 6%", "6")
    tab = merchant.tab()
    for price, rate_id in ((1230, standard["id"]), (1060, reduced["id"]), (500, None)):
        service = taxed_service(merchant, price, rate_id)
        added = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"]})
        assert added.status_code == 200, added.text
    assert merchant.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
    concern = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/concerns",
        json={"reason": "Cold", "remedy": "partial", "amount": 279},
    )
    assert concern.json()["status"] == "approved", concern.text
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 2511})
    assert paid.status_code == 201, paid.text
    mapped = merchant.post(
        "/v1/merchant/account-mapping",
        {
            "accounts": {"revenue": "200", "tax_payable": "820"},
            "tax_rates": {"none": "No VAT", standard["id"]: "OUTPUT23", reduced["id"]: "OUTPUT6"},
        },
    )
    assert mapped.status_code == 200, mapped.text
    day = today(merchant, clock)
    report = merchant.get(
        "/v1/reports/tax", params={"from": day.isoformat(), "to": day.isoformat()}
    ).json()
    by_code = {"OUTPUT23": standard["id"], "OUTPUT6": reduced["id"]}
    figures = {
        code: next(r for r in report["rates"] if r["rate_id"] == rate_id)
        for code, rate_id in by_code.items()
    }
    return merchant, day, figures


def test_xero_lines_carry_each_rate_s_tax_type_and_add_up_to_the_tax_report(
    two_rate_day: tuple[Merchant, date, dict[str, Any]],
) -> None:
    merchant, day, figures = two_rate_day
    xero = export(merchant, "xero.csv", day, day).text
    assert xero.split("\r\n", 1)[0] == ",".join(XERO_COLUMNS)
    found = rows(xero)
    assert all(list(row) == list(XERO_COLUMNS) for row in found)
    net: dict[str, Decimal] = defaultdict(Decimal)
    tax: dict[str, Decimal] = defaultdict(Decimal)
    per_journal: dict[str, Decimal] = defaultdict(Decimal)
    for row in found:
        amount = Decimal(row["*Amount"])
        per_journal[row["*Narration"]] += amount
        # Credits are negative; revenue and tax payable grow by credits.
        (tax if row["*AccountCode"] == "820" else net)[row["*TaxRate"]] -= amount
        if row["*AccountCode"] not in {"200", "820", "satisfaction_adjustments"}:
            assert row["*TaxRate"] == "No VAT", row
    assert set(per_journal.values()) == {Decimal(0)}
    for code, figure in figures.items():
        assert net[code] * 100 == figure["net"], code
        assert tax[code] * 100 == figure["tax"], code
    assert tax["No VAT"] == 0  # every cent of tax is under a rate
    untaxed = [r for r in found if r["*AccountCode"] == "200" and r["*TaxRate"] == "No VAT"]
    assert [r["*Amount"] for r in untaxed] == ["-5.00"]  # the untaxed line keeps no tax
    assert {"200"} <= {r["*AccountCode"] for r in found if r["*TaxRate"] == "OUTPUT6"}


def test_xero_s_daily_summary_splits_each_account_by_tax_type(
    two_rate_day: tuple[Merchant, date, dict[str, Any]],
) -> None:
    merchant, day, figures = two_rate_day
    found = rows(export(merchant, "xero-daily.csv", day, day).text)
    assert sum(Decimal(row["*Amount"]) for row in found) == 0
    tax = {
        row["*TaxRate"]: -Decimal(row["*Amount"]) * 100
        for row in found
        if row["*AccountCode"] == "820"
    }
    assert tax == {code: figure["tax"] for code, figure in figures.items()}


def test_quickbooks_lines_name_each_rate_s_code_and_add_up_to_the_tax_report(
    two_rate_day: tuple[Merchant, date, dict[str, Any]],
) -> None:
    merchant, day, figures = two_rate_day
    qb = export(merchant, "quickbooks.csv", day, day).text
    assert qb.split("\r\n", 1)[0] == ",".join(QUICKBOOKS_COLUMNS)
    found = rows(qb)
    net: dict[str, Decimal] = defaultdict(Decimal)
    tax: dict[str, Decimal] = defaultdict(Decimal)
    per_journal: dict[str, Decimal] = defaultdict(Decimal)
    for row in found:
        moved = Decimal(row["Credits"] or 0) - Decimal(row["Debits"] or 0)
        per_journal[row["Journal No"]] += moved
        code = next((c for c in figures if f"; tax {c} (" in row["Description"]), None)
        if code is None:
            continue
        assert row["Account Name"] in {"200", "820", "satisfaction_adjustments"}, row
        (tax if row["Account Name"] == "820" else net)[code] += moved
    assert set(per_journal.values()) == {Decimal(0)}
    for code, figure in figures.items():
        assert net[code] * 100 == figure["net"], code
        assert tax[code] * 100 == figure["tax"], code

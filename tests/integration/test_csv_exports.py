"""The CSVs the product writes open safely in a spreadsheet: RFC 4180 with
CRLF, a name that looks like a formula written as text, amounts as numbers."""

from __future__ import annotations

import csv
import io

from tests.conftest import Merchant, TestClock
from tests.integration.test_earnings_api import add, around_now, member, pay


def test_the_earnings_csv_cannot_run_a_staff_members_name_as_a_formula(
    merchant: Merchant, clock: TestClock
) -> None:
    attack = '=HYPERLINK("http://evil.example","Ana")'
    ana = member(merchant, attack, 1000)
    member(merchant, "@SUM(1+1)")
    tab = merchant.tab()
    add(merchant, tab, 1000, ana["id"])
    pay(merchant, tab, tip=50)

    exported = merchant.get("/v1/reports/earnings.csv", params=around_now(clock))
    assert exported.status_code == 200, exported.text
    text = exported.content.decode("utf-8")
    lines = text.split("\r\n")
    assert lines[-1] == ""  # every row, the last too, ends in CRLF
    assert all("\n" not in line and "\r" not in line for line in lines)
    table = list(csv.DictReader(io.StringIO(text, newline="")))
    names = [row["name"] for row in table]
    assert "'" + attack in names and "'@SUM(1+1)" in names
    row = table[names.index("'" + attack)]
    assert (row["paid"], row["tips"], row["commission"]) == ("1000", "50", "100")
    assert table[-1]["name"] == "(unassigned)"
    assert table[-1]["commission"] == "0"

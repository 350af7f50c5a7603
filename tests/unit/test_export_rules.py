"""The exports' pure rules: every account has a Beancount name, periods are
checked, amounts are written as decimals, CSV cells are safe, and any balanced
journal becomes a Beancount file that Beancount accepts."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from beancount import loader
from hypothesis import given, settings
from hypothesis import strategies as st

from servefirst.exports import formats
from servefirst.exports.formats import Mapping
from servefirst.exports.rules import (
    BEANCOUNT_ACCOUNTS,
    Period,
    beancount_account,
    check_account_mapping,
    major,
    period_of,
)
from servefirst.kit.csv import stream_csv, write_csv
from servefirst.kit.errors import InvalidRequest
from servefirst.ledger.rules import Account, PostedLeg

LISBON = ZoneInfo("Europe/Lisbon")
#: Beancount's account grammar: a root type, then capitalised components.
BEANCOUNT_NAME = re.compile(r"(Assets|Liabilities|Equity|Income|Expenses)(:[A-Z0-9][A-Za-z0-9-]*)+")


def test_every_account_of_the_plan_has_one_beancount_name() -> None:
    missing = [a.value for a in Account if a not in BEANCOUNT_ACCOUNTS]
    assert missing == [], f"add these to exports.rules.BEANCOUNT_ACCOUNTS: {missing}"
    names = list(BEANCOUNT_ACCOUNTS.values())
    assert len(set(names)) == len(names)
    for name in names:
        assert BEANCOUNT_NAME.fullmatch(name), name


def test_assets_and_liabilities_keep_their_nature() -> None:
    assert beancount_account("cash").startswith("Assets:")
    assert beancount_account("tips_payable").startswith("Liabilities:")
    assert beancount_account("deposits_held").startswith("Liabilities:")
    assert beancount_account("revenue").startswith("Income:")
    assert beancount_account("write_offs").startswith("Expenses:")
    assert beancount_account("some new_thing") == "Equity:Unmapped:SomeNewThing"


def test_a_period_is_whole_days_in_the_merchant_s_zone() -> None:
    summer = period_of("2026-07-01", "2026-07-31", LISBON)
    assert summer.start == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
    assert summer.end == datetime(2026, 7, 31, 23, 0, tzinfo=UTC)
    # The clocks go back on 25 October: that day has 25 hours.
    autumn = period_of("2026-10-25", "2026-10-25", LISBON)
    assert autumn.end - autumn.start == timedelta(hours=25)
    assert summer.day_of(datetime(2026, 7, 31, 22, 30, tzinfo=UTC)) == date(2026, 7, 31)
    assert summer.day_of(datetime(2026, 7, 31, 23, 30, tzinfo=UTC)) == date(2026, 8, 1)


@pytest.mark.parametrize(
    ("first", "last", "code", "param"),
    [
        ("2026-03-10", "2026-03-01", "period_invalid", "from"),
        ("2026-13-01", "2026-12-31", "date_invalid", "from"),
        ("2026-01-01", "soon", "date_invalid", "to"),
        ("", "2026-01-01", "date_invalid", "from"),
        ("2025-01-01", "2026-03-01", "period_too_long", "to"),
        ("0001-01-01", "0001-01-02", "date_invalid", "from"),
        ("9999-12-30", "9999-12-31", "date_invalid", "from"),
    ],
)
def test_a_bad_period_is_refused_with_its_reason(
    first: str, last: str, code: str, param: str
) -> None:
    with pytest.raises(InvalidRequest) as refused:
        period_of(first, last, LISBON)
    assert (refused.value.code, refused.value.param, refused.value.status) == (code, param, 422)


def test_amounts_are_written_in_the_currency_s_major_unit() -> None:
    assert str(major(450, 2)) == "4.50"
    assert str(major(-5, 2)) == "-0.05"
    assert str(major(1200, 0)) == "1200"
    assert str(major(1500, 3)) == "1.500"


def test_the_mapping_refuses_an_account_we_do_not_have() -> None:
    assert check_account_mapping({"cash": " 1000 "}) == {"cash": "1000"}
    with pytest.raises(InvalidRequest) as refused:
        check_account_mapping({"cash": "1000", "bank": "1200"})
    assert (refused.value.code, refused.value.param) == ("account_unknown", "accounts.bank")
    with pytest.raises(InvalidRequest):
        check_account_mapping({"cash": "10\n00"})


def leg(entry: str, account: str, side: str, amount: int, memo: str = "", **at: int) -> PostedLeg:
    when = datetime(2026, 7, 1, 10, tzinfo=UTC) + timedelta(**at)
    return PostedLeg(entry, "payment", memo, None, when, "EUR", account, side, amount)


PERIOD = Period(date(2026, 7, 1), date(2026, 7, 1), LISBON)


def test_a_memo_that_is_a_formula_is_written_as_text_and_amounts_as_numbers() -> None:
    legs = [
        leg("je_1", "cash", "debit", 450, memo='=HYPERLINK("http://x")'),
        leg("je_1", "revenue", "credit", 450, memo='=HYPERLINK("http://x")'),
    ]
    journal = write_csv(formats.JOURNAL_COLUMNS, formats.journal_rows(legs, PERIOD, 2))
    assert "'=HYPERLINK" in journal and ",=HYPERLINK" not in journal
    xero = write_csv(formats.XERO_COLUMNS, formats.xero_rows(legs, PERIOD, 2, Mapping()))
    assert ",-4.50," in xero  # a credit is a negative number, not text


def test_journal_numbers_restart_each_day_and_group_an_entry() -> None:
    legs = [
        leg("je_a", "cash", "debit", 100),
        leg("je_a", "revenue", "credit", 100),
        leg("je_b", "cash", "debit", 200, minutes=5),
        leg("je_b", "revenue", "credit", 200, minutes=5),
        leg("je_c", "cash", "debit", 300, days=1),
        leg("je_c", "revenue", "credit", 300, days=1),
    ]
    period = Period(date(2026, 7, 1), date(2026, 7, 2), LISBON)
    rows = list(formats.quickbooks_rows(legs, period, 2, Mapping({"cash": "1000"})))
    assert [r[0] for r in rows] == [
        "20260701-0001", "20260701-0001", "20260701-0002", "20260701-0002",
        "20260702-0001", "20260702-0001",
    ]  # fmt: skip
    assert rows[0][2] == "1000" and rows[1][2] == "revenue"


cells = st.one_of(
    st.none(),
    st.integers(-(10**12), 10**12),
    st.text(max_size=12),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
)


@given(st.lists(st.lists(cells, min_size=3, max_size=3), max_size=40), st.integers(1, 7))
def test_a_streamed_csv_is_the_same_file_as_a_written_one(
    rows: list[list[object]], per_chunk: int
) -> None:
    header = ["a", "b", "c"]
    streamed = "".join(stream_csv(header, rows, rows_per_chunk=per_chunk))  # type: ignore[arg-type]
    assert streamed == write_csv(header, rows)  # type: ignore[arg-type]


accounts = st.sampled_from([a.value for a in Account])


@st.composite
def journals(draw: st.DrawFn) -> list[PostedLeg]:
    """Balanced entries over two days, each of two to four legs."""
    legs: list[PostedLeg] = []
    for n in range(draw(st.integers(0, 12))):
        amounts = draw(st.lists(st.integers(1, 10**7), min_size=1, max_size=3))
        hours = draw(st.integers(0, 40))
        legs += [leg(f"je_{n:03d}", draw(accounts), "debit", x, hours=hours) for x in amounts]
        legs.append(leg(f"je_{n:03d}", draw(accounts), "credit", sum(amounts), hours=hours))
    return sorted(legs, key=lambda x: (x.created_at, x.entry_id))


@settings(max_examples=40, deadline=None)
@given(journals(), st.dictionaries(accounts, st.integers(-(10**6), 10**6), max_size=4))
def test_beancount_accepts_any_balanced_journal_and_its_closing_balances(
    legs: list[PostedLeg], opening: dict[str, int]
) -> None:
    if sum(opening.values()):  # the ledger's total is always zero
        opening["cash"] = opening.get("cash", 0) - sum(opening.values())
    period = Period(date(2026, 7, 1), date(2026, 7, 3), LISBON)
    closing: dict[str, int] = {}
    text = "".join(
        formats.beancount_lines(
            legs, period, "EUR", 2, opening, "Test café", on_closing=closing.update
        )
    )
    _, errors, _ = loader.load_string(text)
    assert errors == []
    for account in Account:
        moved = sum(x.delta for x in legs if x.account == account.value)
        assert closing[account.value] == opening.get(account.value, 0) + moved
        asserted = re.search(rf"balance {BEANCOUNT_ACCOUNTS[account]}  (\S+) EUR", text)
        assert asserted and Decimal(asserted.group(1)) == major(closing[account.value], 2)


@settings(max_examples=40, deadline=None)
@given(journals())
def test_a_daily_xero_journal_nets_each_account_per_day_and_balances(
    legs: list[PostedLeg],
) -> None:
    period = Period(date(2026, 7, 1), date(2026, 7, 3), LISBON)
    rows = list(formats.xero_daily_rows(legs, period, 2, Mapping({"cash": "090"})))
    per_day: dict[str, Decimal] = {}
    for row in rows:
        per_day[str(row[0])] = per_day.get(str(row[0]), Decimal(0)) + Decimal(str(row[5]))
        assert row[5] != 0  # an account that did not move that day is left out
    assert set(per_day.values()) <= {Decimal(0)}
    for day in {period.day_of(x.created_at) for x in legs}:
        for account in Account:
            moved = sum(
                x.delta
                for x in legs
                if x.account == account.value and period.day_of(x.created_at) == day
            )
            code = "090" if account is Account.CASH else account.value
            found = [r[5] for r in rows if r[1] == f"{day:%d/%m/%Y}" and r[3] == code]
            assert found == ([major(moved, 2)] if moved else [])

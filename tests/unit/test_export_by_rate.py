"""An entry's revenue and tax-payable legs split by tax rate for the
accountant's files: each rate's part on its own line, the rest without a rate,
every entry still balanced, and memory held to one entry."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servefirst.exports import formats
from servefirst.exports.by_rate import Movement, lines_by_rate
from servefirst.exports.formats import Mapping
from servefirst.exports.rules import Period
from servefirst.ledger.rules import PostedLeg

PERIOD = Period(date(2026, 7, 1), date(2026, 7, 1), ZoneInfo("Europe/Lisbon"))
MAPPING = Mapping({"revenue": "200"}, {"none": "No VAT", "txr_a": "OUTPUT23"}, {"txr_b": "IVA 6%"})


def leg(entry: str, kind: str, account: str, side: str, amount: int, minute: int = 0) -> PostedLeg:
    when = datetime(2026, 7, 1, 10, tzinfo=UTC) + timedelta(minutes=minute)
    return PostedLeg(entry, kind, "", "tab_1", when, "EUR", account, side, amount)


def charge(entry: str, minute: int = 0) -> list[PostedLeg]:
    """A tab charged 12.30 at 23% (10.00 + 2.30), 10.60 at 6% (10.00 + 0.60)
    and 5.00 untaxed: revenue 25.00, tax 2.90."""
    return [
        leg(entry, "tab_charge", "receivables", "debit", 2790, minute),
        leg(entry, "tab_charge", "revenue", "credit", 2500, minute),
        leg(entry, "tab_charge", "tax_payable", "credit", 290, minute),
    ]


CHARGED = [Movement("je_1", "txr_a", 1000, 230), Movement("je_1", "txr_b", 1000, 60)]


def test_a_charge_at_two_rates_is_a_line_per_rate_and_one_for_the_untaxed_rest() -> None:
    lines = [(ln.leg.account, ln.leg.delta, ln.rate_id) for ln in lines_by_rate(
        charge("je_1"), CHARGED
    )]  # fmt: skip
    assert lines == [
        ("receivables", 2790, None),
        ("revenue", -1000, "txr_a"),
        ("revenue", -1000, "txr_b"),
        ("revenue", -500, None),
        ("tax_payable", -230, "txr_a"),
        ("tax_payable", -60, "txr_b"),
    ]


def test_xero_names_each_rate_s_tax_type_and_the_journal_still_balances() -> None:
    rows = list(formats.xero_rows(charge("je_1"), PERIOD, 2, MAPPING, CHARGED))
    by_type = [(r[3], r[4], str(r[5])) for r in rows]
    assert by_type == [
        ("receivables", "No VAT", "27.90"),
        ("200", "OUTPUT23", "-10.00"),
        ("200", "IVA 6%", "-10.00"),  # unmapped: the rate's own name
        ("200", "No VAT", "-5.00"),
        ("tax_payable", "OUTPUT23", "-2.30"),
        ("tax_payable", "IVA 6%", "-0.60"),
    ]
    assert sum(r[5] for r in rows) == 0


def test_quickbooks_says_the_rate_in_the_description_of_its_lines() -> None:
    rows = list(formats.quickbooks_rows(charge("je_1"), PERIOD, 2, MAPPING, CHARGED))
    described = [(r[2], r[3].split("; ")[-1].split(" (")[0], r[4], r[5]) for r in rows]
    assert [d[1] for d in described] == [
        "tab tab_1", "tax OUTPUT23", "tax IVA 6%", "tab tab_1", "tax OUTPUT23", "tax IVA 6%",
    ]  # fmt: skip
    assert sum((r[4] or 0) - (r[5] or 0) for r in rows) == 0


def test_a_discount_takes_the_tax_back_from_each_rate_on_its_own_account() -> None:
    legs = [
        leg("je_2", "adjustment", "satisfaction_adjustments", "debit", 900),
        leg("je_2", "adjustment", "tax_payable", "debit", 100),
        leg("je_2", "adjustment", "receivables", "credit", 1000),
    ]
    moved = [Movement("je_2", "txr_a", -500, -80), Movement("je_2", "txr_b", -400, -20)]
    lines = [(ln.leg.account, ln.leg.delta, ln.rate_id) for ln in lines_by_rate(legs, moved)]
    assert lines == [
        ("satisfaction_adjustments", 500, "txr_a"),
        ("satisfaction_adjustments", 400, "txr_b"),
        ("tax_payable", 80, "txr_a"),
        ("tax_payable", 20, "txr_b"),
        ("receivables", -1000, None),
    ]


def test_rates_that_moved_under_a_leg_of_nought_still_show_and_add_up_to_nought() -> None:
    # A line at 0 % added to a discounted tab: the discount shifts between rates.
    legs = [
        leg("je_3", "tab_charge", "receivables", "debit", 300),
        leg("je_3", "tab_charge", "revenue", "credit", 300),
    ]
    moved = [Movement("je_3", "txr_a", -10, -2), Movement("je_3", "txr_b", 310, 2)]
    lines = [(ln.leg.account, ln.leg.delta, ln.rate_id) for ln in lines_by_rate(legs, moved)]
    assert ("tax_payable", 2, "txr_a") in lines and ("tax_payable", -2, "txr_b") in lines
    assert sum(delta for _a, delta, _r in lines) == 0
    per_account: dict[str, int] = defaultdict(int)
    for account, delta, _rate in lines:
        per_account[account] += delta
    assert dict(per_account) == {"receivables": 300, "revenue": -300, "tax_payable": 0}


def test_movements_that_match_no_leg_refuse_the_file() -> None:
    with pytest.raises(RuntimeError, match="je_9"):
        list(lines_by_rate(charge("je_1"), [Movement("je_9", "txr_a", 1, 0)]))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 5000),
            st.lists(
                st.tuples(st.sampled_from(["txr_a", "txr_b"]), st.integers(-900, 900)),
                max_size=2,
                unique_by=lambda p: p[0],
            ),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_every_entry_still_balances_and_each_rate_adds_up(
    entries: list[tuple[int, list[tuple[str, int]]]],
) -> None:
    legs: list[PostedLeg] = []
    moved: list[Movement] = []
    for n, (untaxed, parts) in enumerate(entries):
        entry = f"je_{n}"
        net = untaxed + sum(p for _r, p in parts)
        tax = sum(p // 5 for _r, p in parts)
        posted = [("receivables", net + tax), ("revenue", -net), ("tax_payable", -tax)]
        posted = [(account, delta) for account, delta in posted if delta]
        if not posted:
            continue  # nothing moved: the ledger posts no entry
        for account, delta in posted:
            side = "debit" if delta > 0 else "credit"
            legs.append(leg(entry, "tab_charge", account, side, abs(delta), n))
        moved += [Movement(entry, r, p, p // 5) for r, p in parts]
    lines = list(lines_by_rate(legs, moved))
    per_entry: dict[str, int] = defaultdict(int)
    per_rate: dict[tuple[str, str | None], int] = defaultdict(int)
    for line in lines:
        per_entry[line.leg.entry_id] += line.leg.delta
        per_rate[(line.leg.account, line.rate_id)] += line.leg.delta
    assert set(per_entry.values()) <= {0}
    for rate in ("txr_a", "txr_b"):
        assert -per_rate[("revenue", rate)] == sum(m.net for m in moved if m.rate_id == rate)
        assert -per_rate[("tax_payable", rate)] == sum(m.tax for m in moved if m.rate_id == rate)

"""Earnings arithmetic to the cent, and the satisfaction figures.

Rounding: shares of a tab by largest remainder (Money.allocate), commission
and bonus half-up once on a member's period sum (Money.percent).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servefirst.earnings.period import period_of
from servefirst.earnings.rules import (
    EarningsPolicy,
    Line,
    SettledTab,
    Share,
    earnings_of,
    period_shares,
    split_tab,
)
from servefirst.kit.errors import InvalidRequest
from servefirst.reviews.rules import satisfaction

A, B = "stf_a", "stf_b"
BONUS = EarningsPolicy(bonus_min_reviews=2, bonus_min_average=Decimal("4.5"))


def test_a_tab_is_split_by_largest_remainder_to_the_cent() -> None:
    # Lines 1000 (A), 333 and 334 (B); 100 off; 1567 paid; 100 tip.
    tab = SettledTab([Line(A, 1000), Line(B, 333), Line(B, 334)], 1567, 100, 100, rating=4)
    shares = split_tab(tab, "EUR")
    # paid 1567 x [1000, 333, 334] / 1667: floors 940, 313, 313; the spare cent goes to
    # the largest remainder (line 3: 1607/1667) -> 940, 313, 314.
    assert (shares[A].paid, shares[B].paid) == (940, 627)
    # adjustments 100: floors 59, 19, 20; remainders 1647, 1627, 60 -> 60, 20, 20.
    assert (shares[A].adjustments, shares[B].adjustments) == (60, 40)
    # tips 100 by person, 1000 : 667 -> floors 59, 40; remainders 1647, 20 -> 60, 40.
    assert (shares[A].tips, shares[B].tips) == (60, 40)
    assert (shares[A].sales, shares[B].sales) == (1000, 667)
    assert shares[A].ratings == shares[B].ratings == [4]
    assert shares[A].tabs == shares[B].tabs == 1


def test_lines_nobody_served_form_their_own_share() -> None:
    shares = split_tab(SettledTab([Line(A, 500), Line(None, 200)], 700, 0, 70, rating=5), "EUR")
    assert (shares[None].paid, shares[None].tips) == (200, 20)
    assert (shares[A].paid, shares[A].tips) == (500, 50)
    assert shares[None].ratings == []  # a review follows people, not "nobody"


def test_free_lines_split_evenly_and_an_empty_tab_keeps_its_tip_unassigned() -> None:
    free = split_tab(SettledTab([Line(A, 0), Line(B, 0)], 0, 0, 5), "EUR")
    assert (free[A].tips, free[B].tips) == (3, 2)  # the odd cent to the earlier
    assert split_tab(SettledTab([], 0, 0, 40), "EUR")[None].tips == 40
    assert split_tab(SettledTab([], 0, 0, 0), "EUR") == {}


def test_commission_is_rounded_half_up_once_on_the_period_sum() -> None:
    # 627 x 12.5% = 78.375 -> 78; 3 tabs of 5 at 10% are 1.5 -> 2, not 3 x 0.5 -> 3.
    assert earnings_of(B, Share(paid=627), 1250, BONUS, "EUR").commission == 78
    tabs = [SettledTab([Line(A, 5)], 5, 0, 0)] * 3
    share = period_shares(tabs, "EUR")[A]
    assert (share.paid, share.tabs) == (15, 3)
    assert earnings_of(A, share, 1000, BONUS, "EUR").commission == 2
    assert earnings_of(A, Share(paid=5), 1000, BONUS, "EUR").commission == 1  # 0.5 -> 1


def test_the_bonus_needs_enough_ratings_at_or_above_the_average() -> None:
    good = earnings_of(A, Share(paid=1440, tips=60, ratings=[4, 5]), 1000, BONUS, "EUR")
    assert (good.commission, good.bonus_eligible, good.bonus) == (144, True, 29)  # 28.8 -> 29
    assert good.average_rating == Decimal("4.5")
    assert good.total == 144 + 60 + 29
    few = earnings_of(A, Share(paid=1440, ratings=[5]), 1000, BONUS, "EUR")
    assert (few.bonus_eligible, few.bonus) == (False, 0)
    low = earnings_of(A, Share(paid=1440, ratings=[5, 4, 4]), 1000, BONUS, "EUR")
    assert (low.bonus_eligible, low.bonus) == (False, 0)  # 4.33 < 4.5
    nobody = earnings_of(None, Share(paid=1440, ratings=[5, 5]), 1000, BONUS, "EUR")
    assert (nobody.commission, nobody.bonus) == (0, 0)


def test_the_earnings_policy_reads_updates_and_refuses() -> None:
    assert EarningsPolicy.from_policy({}) == EarningsPolicy()
    changed = EarningsPolicy().updated({"bonus_min_reviews": 3, "bonus_percent": "1.5"})
    assert (changed.bonus_min_reviews, changed.bonus_percent) == (3, Decimal("1.5"))
    assert EarningsPolicy.from_policy({"earnings": changed.as_dict()}) == changed
    for bad in ({"bonus_min_reviews": 0}, {"bonus_min_average": "6"}, {"bonus_percent": "x"}):
        with pytest.raises(InvalidRequest) as refused:
            EarningsPolicy().updated(bad)
        assert refused.value.param == next(iter(bad))


lines = st.lists(
    st.tuples(st.sampled_from([A, B, None]), st.integers(min_value=0, max_value=100_000)),
    min_size=1,
    max_size=8,
)


@given(lines, st.data())
def test_shares_add_up_exactly_to_the_tab(
    raw: list[tuple[str | None, int]], data: st.DataObject
) -> None:
    subtotal = sum(amount for _, amount in raw)
    adjustments = data.draw(st.integers(min_value=0, max_value=subtotal))
    paid = data.draw(st.integers(min_value=0, max_value=subtotal - adjustments))
    tips = data.draw(st.integers(min_value=0, max_value=50_000))
    tab = SettledTab([Line(s, a) for s, a in raw], paid, adjustments, tips)
    shares = split_tab(tab, "EUR").values()
    assert sum(s.paid for s in shares) == paid
    assert sum(s.adjustments for s in shares) == adjustments
    assert sum(s.tips for s in shares) == tips
    assert sum(s.sales for s in shares) == subtotal
    for share in shares:
        assert share.paid >= 0 and share.adjustments >= 0 and share.tips >= 0


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10_000))
def test_commission_is_the_half_up_rate_of_what_was_paid(paid: int, bps: int) -> None:
    commission = earnings_of(A, Share(paid=paid), bps, EarningsPolicy(), "EUR").commission
    # Exact integer arithmetic: floor((paid * bps + 5000) / 10000) is half-up for non-negatives.
    assert commission == (paid * bps + 5000) // 10_000


# --- CSAT and NPS-style ------------------------------------------------------------------------


def test_csat_and_nps_from_ratings() -> None:
    figures = satisfaction([5, 4, 2])
    assert figures.csat == Decimal("66.7")  # 2 of 3 are 4-5
    assert figures.nps == Decimal("0.0")  # 1 promoter (5) - 1 detractor (2), of 3
    assert figures.average == Decimal("3.67")
    assert figures.distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    assert satisfaction([3]).nps == Decimal("-100.0")
    assert satisfaction([5, 5, 4, 1]).nps == Decimal("25.0")
    assert satisfaction([4, 4]).nps == Decimal("0.0") and satisfaction([4, 4]).csat == 100
    empty = satisfaction([])
    assert (empty.ratings, empty.csat, empty.nps, empty.average) == (0, None, None, None)
    with pytest.raises(ValueError):
        satisfaction([6])


# --- the period -------------------------------------------------------------------------------


def test_a_period_reads_dates_and_times() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    p = period_of("2026-11-01", "2026-11-30", now)
    assert (p.start, p.end) == (
        datetime(2026, 11, 1, tzinfo=UTC),
        datetime(2026, 12, 1, tzinfo=UTC),  # a bare 'to' date includes that day
    )
    default = period_of(None, None, now)
    assert default.start == datetime(2026, 11, 1, tzinfo=UTC) and default.end > now
    timed = period_of("2026-11-25T10:00:00+01:00", "2026-11-25T12:00:00Z", now)
    assert timed.start == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    for start, end, param in (("yesterday", None, "from"), ("2026-11-02", "2026-11-01", "to")):
        with pytest.raises(InvalidRequest) as refused:
            period_of(start, end, now)
        assert refused.value.param == param

"""Debt ageing: every whole day of age falls in exactly one bucket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from servefirst.reports.rules import AGE_BUCKETS, bucket_for, days_owed


def test_the_buckets_are_the_ones_owners_read_everywhere() -> None:
    assert [b.label for b in AGE_BUCKETS] == ["0-7 days", "8-30 days", "31-60 days", "61+ days"]


def test_edges_fall_in_the_older_bucket_from_their_first_day() -> None:
    assert bucket_for(7).label == "0-7 days"
    assert bucket_for(8).label == "8-30 days"
    assert bucket_for(30).label == "8-30 days"
    assert bucket_for(31).label == "31-60 days"
    assert bucket_for(61).label == "61+ days"


@given(st.integers(min_value=0, max_value=10_000))
def test_every_age_is_in_exactly_one_bucket(days: int) -> None:
    assert sum(b.holds(days) for b in AGE_BUCKETS) == 1


def test_age_counts_whole_days_and_a_clock_behind_is_day_zero() -> None:
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    assert days_owed(now - timedelta(days=8, hours=23), now) == 8
    assert days_owed(now + timedelta(hours=1), now) == 0

"""Where a merchant's day begins and ends, and "the same weekday last week by this hour"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servefirst.reports.today.rules import Change, day_of, same_time_last_week, so_far

LISBON = ZoneInfo("Europe/Lisbon")
TOKYO = ZoneInfo("Asia/Tokyo")


def test_a_lisbon_summer_day_begins_at_23_utc_the_day_before() -> None:
    day = day_of(datetime(2026, 7, 4, 22, 30, tzinfo=UTC), LISBON)  # 23:30 local
    assert day.day == date(2026, 7, 4)
    assert day.start == datetime(2026, 7, 3, 23, 0, tzinfo=UTC)
    assert day.end == datetime(2026, 7, 4, 23, 0, tzinfo=UTC)


def test_the_day_the_clocks_go_forward_has_23_hours() -> None:
    day = day_of(datetime(2026, 3, 29, 12, 0, tzinfo=UTC), LISBON)
    assert day.end - day.start == timedelta(hours=23)


def test_late_evening_utc_is_already_tomorrow_in_tokyo() -> None:
    assert day_of(datetime(2026, 7, 4, 16, 0, tzinfo=UTC), TOKYO).day == date(2026, 7, 5)


def test_last_week_is_compared_by_the_same_wall_clock_time_across_a_clock_change() -> None:
    # Sunday 5 April 11:00 summer time (10:00 UTC); a week before was winter time.
    now = datetime(2026, 4, 5, 10, 0, tzinfo=UTC)
    before = same_time_last_week(now, LISBON)
    assert before.day == date(2026, 3, 29)
    assert before.start == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    assert before.end == datetime(2026, 3, 29, 10, 0, tzinfo=UTC)  # 11:00 summer time


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_so_far_lies_inside_its_day(naive: datetime) -> None:
    now = naive.replace(tzinfo=UTC)
    for zone in (LISBON, TOKYO, ZoneInfo("America/St_Johns")):
        whole, part = day_of(now, zone), so_far(now, zone)
        assert whole.start <= part.end == now < whole.end
        before = same_time_last_week(now, zone)
        assert before.start <= before.end and before.day == whole.day - timedelta(days=7)


@pytest.mark.parametrize(
    ("now", "before", "direction", "percent"),
    [(500, 400, "up", 25), (300, 400, "down", 25), (400, 400, "level", 0), (1, 3, "down", 67)],
)
def test_a_change_is_a_direction_and_a_whole_percent(
    now: int, before: int, direction: str, percent: int
) -> None:
    change = Change(now, before)
    assert (change.direction, change.percent) == (direction, percent)


def test_nothing_last_week_has_no_percent() -> None:
    assert Change(500, 0).percent is None and Change(500, 0).direction == "up"

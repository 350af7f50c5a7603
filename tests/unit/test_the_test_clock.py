"""The tests' own clock: a test that moves it does not move the next test's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import TestClock


def test_a_test_may_move_the_clock_weeks_ahead(clock: TestClock) -> None:
    clock.advance(days=40)
    assert clock.now() - datetime.now(UTC) > timedelta(days=39)


def test_the_next_test_finds_the_clock_at_real_time(clock: TestClock) -> None:
    # Runs after the one above (pytest keeps a file's order).
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=1)


def test_at_noon_reads_twelve_o_clock_utc_today(clock: TestClock, at_noon: datetime) -> None:
    assert at_noon == datetime.combine(datetime.now(UTC).date(), at_noon.time(), tzinfo=UTC)
    assert (at_noon.hour, at_noon.minute) == (12, 0)
    assert timedelta() <= clock.now() - at_noon < timedelta(seconds=1)

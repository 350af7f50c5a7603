"""The sign-in throttle's rules, on plain values: how tries are counted, how
long a lockout lasts, and which counts a try goes against."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from servefirst.staff.rules import (
    EMAIL_FAILURE_LIMIT,
    FAILURE_WINDOW,
    LONGEST_LOCKOUT,
    ThrottleKind,
    Tries,
    count_try,
    give_back,
    lockout_length,
    refusal,
    throttle_keys,
)

NOON = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def _fail(tries: Tries, times: int, now: datetime) -> Tries:
    for _ in range(times):
        tries, refused = count_try(tries, EMAIL_FAILURE_LIMIT, now)
        assert refused is None
    return tries


def test_five_tries_are_counted_the_sixth_is_refused_for_one_window() -> None:
    tries = _fail(Tries(), EMAIL_FAILURE_LIMIT, NOON)
    assert tries.count == EMAIL_FAILURE_LIMIT
    locked, until = count_try(tries, EMAIL_FAILURE_LIMIT, NOON)
    assert until == NOON + FAILURE_WINDOW
    # Refused tries while locked change nothing and are told the same end.
    again, same = count_try(locked, EMAIL_FAILURE_LIMIT, NOON + timedelta(minutes=5))
    assert (again, same) == (locked, until)


def test_each_lockout_in_a_row_lasts_twice_as_long_up_to_a_day() -> None:
    assert [lockout_length(n) for n in (1, 2, 3)] == [
        FAILURE_WINDOW,
        2 * FAILURE_WINDOW,
        4 * FAILURE_WINDOW,
    ]
    assert lockout_length(30) == LONGEST_LOCKOUT
    tries, first = count_try(_fail(Tries(), 5, NOON), EMAIL_FAILURE_LIMIT, NOON)
    assert first is not None
    later = first + timedelta(seconds=1)
    tries, second = count_try(_fail(tries, 5, later), EMAIL_FAILURE_LIMIT, later)
    assert second == later + 2 * FAILURE_WINDOW


def test_a_key_quiet_for_a_day_after_its_lockout_starts_again_from_a_short_one() -> None:
    tries, until = count_try(_fail(Tries(), 5, NOON), EMAIL_FAILURE_LIMIT, NOON)
    assert until is not None
    next_day = until + timedelta(days=1)
    tries, again = count_try(_fail(tries, 5, next_day), EMAIL_FAILURE_LIMIT, next_day)
    assert again == next_day + FAILURE_WINDOW


def test_failures_older_than_the_window_no_longer_count() -> None:
    tries = _fail(Tries(), 4, NOON)
    later = NOON + FAILURE_WINDOW
    tries, refused = count_try(tries, EMAIL_FAILURE_LIMIT, later)
    assert refused is None and tries.count == 1


def test_a_success_gives_its_try_back() -> None:
    tries = _fail(Tries(), 3, NOON)
    assert give_back(tries).count == 2
    assert give_back(Tries()).count == 0


def test_a_stranger_counts_against_the_email_and_the_address_a_known_browser_on_its_own() -> None:
    stranger = throttle_keys("e" * 64, "10.0.0.1", None)
    assert {k.kind for k in stranger} == {ThrottleKind.EMAIL, ThrottleKind.ADDRESS}
    assert [k.key for k in stranger] == sorted(k.key for k in stranger)  # the locking order
    [known] = throttle_keys("e" * 64, "10.0.0.1", "device:abc")
    assert known.kind is ThrottleKind.KNOWN and known.limit == EMAIL_FAILURE_LIMIT
    assert known.key == f"known:{'e' * 64}:device:abc"


def test_a_refusal_says_how_long_to_wait_in_seconds_and_minutes() -> None:
    refused = refusal(ThrottleKind.ADDRESS, NOON + timedelta(minutes=30), NOON)
    assert refused.status == 429 and refused.code == "sign_in_rate_limited"
    assert refused.retry_after == 1800
    assert "from here. Wait 30 minutes." in refused.message
    almost = refusal(ThrottleKind.EMAIL, NOON + timedelta(seconds=1.2), NOON)
    assert almost.retry_after == 2 and "Wait 1 minute, or ask the owner" in almost.message

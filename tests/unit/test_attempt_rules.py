"""What a retried card payment request meets among its attempts (pure rules):
the processor's decision replays, an attempt it never charged is tried again
under a key of the next attempt's own."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servefirst.payments.attempt_rules import (
    NOT_CHARGED,
    attempt_key,
    attempt_number,
    retry_meets,
)

KEY = "idem_0123456789abcdef0123456789abcdef01234567"


@dataclass(frozen=True)
class Tried:
    processor_key: str | None
    status: str = "failed"
    failure_code: str | None = NOT_CHARGED


def test_a_first_try_carries_the_request_s_own_key() -> None:
    assert retry_meets(KEY, []) == KEY


def test_an_attempt_recovery_found_never_charged_is_tried_again_under_a_new_key() -> None:
    assert retry_meets(KEY, [Tried(KEY)]) == f"{KEY}_2"
    assert retry_meets(KEY, [Tried(f"{KEY}_2"), Tried(KEY)]) == f"{KEY}_3"


@pytest.mark.parametrize("code", ["card_declined", "insufficient_funds", "incorrect_number"])
def test_a_decline_is_the_request_s_answer_for_good(code: str) -> None:
    declined = Tried(f"{KEY}_2", failure_code=code)
    assert retry_meets(KEY, [Tried(KEY), declined]) is declined


@pytest.mark.parametrize("status", ["succeeded", "pending"])
def test_a_charge_made_or_on_its_way_is_the_retry_s_answer(status: str) -> None:
    charged = Tried(KEY, status=status, failure_code=None)
    assert retry_meets(KEY, [charged]) is charged


def test_another_request_s_attempts_are_not_this_one_s() -> None:
    others = [
        Tried("idem_ffff"),
        Tried(f"{KEY}_hold"),  # a hold's key made from an attempt's, never an attempt's
        Tried(f"{KEY}_02"),
        Tried(f"{KEY}_1"),
        Tried(f"{KEY}x_2"),
        Tried(None),
    ]
    assert retry_meets(KEY, others) == KEY


@given(st.integers(min_value=1, max_value=10_000))
def test_an_attempt_s_key_reads_back_as_its_number(number: int) -> None:
    key = attempt_key(KEY, number)
    assert attempt_number(KEY, key) == number
    assert (key == KEY) is (number == 1)


@given(st.lists(st.booleans(), min_size=1, max_size=8))
def test_the_next_key_was_never_used_by_the_request_before(never_charged: list[bool]) -> None:
    """Whatever came before, a new attempt never carries a key the request used."""
    tried = [
        Tried(attempt_key(KEY, n), failure_code=NOT_CHARGED if again else "card_declined")
        for n, again in enumerate(never_charged, start=1)
    ]
    met = retry_meets(KEY, reversed(tried))
    if never_charged[-1]:
        assert met == attempt_key(KEY, len(tried) + 1)
        assert met not in {t.processor_key for t in tried}
    else:
        assert met is tried[-1]


def test_attempts_are_counted_from_one() -> None:
    with pytest.raises(ValueError):
        attempt_key(KEY, 0)

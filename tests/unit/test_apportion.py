"""Sharing cents in proportion, monotone in the total: a growing total (a
tab's reductions, one discount or refund after another) never takes a cent
back from a part. Checked against the rule it stands for, given cent by cent."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servefirst.kit.apportion import largest_remainder, share


def cent_by_cent(total: int, weights: list[int]) -> list[int]:
    """Sequential Webster/Sainte-Laguë, literally: each next cent to the part
    with the highest 2w/(2s+1) among those below their weight, ties to the
    earlier part."""
    seats = [0] * len(weights)
    for _ in range(total):
        best = -1
        for i, w in enumerate(weights):
            if seats[i] < w and (
                best < 0
                or Fraction(2 * w, 2 * seats[i] + 1)
                > Fraction(2 * weights[best], 2 * seats[best] + 1)
            ):
                best = i
        seats[best] += 1
    return seats


small_weights = st.lists(st.one_of(st.integers(0, 3), st.integers(0, 120)), min_size=1, max_size=7)
weights = st.lists(
    st.one_of(st.integers(0, 5), st.integers(0, 10**4), st.integers(0, 10**8)),
    min_size=1,
    max_size=8,
)


@settings(max_examples=300)
@given(small_weights, st.data())
def test_shares_are_the_cents_given_one_by_one(parts: list[int], data: st.DataObject) -> None:
    total = data.draw(st.integers(0, sum(parts)))
    assert share(total, parts) == cent_by_cent(total, parts)


@settings(max_examples=300)
@given(weights, st.data())
def test_shares_add_up_and_none_exceeds_its_weight(parts: list[int], data: st.DataObject) -> None:
    whole = sum(parts)
    total = data.draw(st.integers(0, whole))
    shares = share(total, parts)
    assert sum(shares) == (total if whole else 0)
    assert all(0 <= s <= w for s, w in zip(shares, parts, strict=True))


@settings(max_examples=300)
@given(weights, st.data())
def test_more_taken_off_never_takes_a_cent_back_from_any_part(
    parts: list[int], data: st.DataObject
) -> None:
    whole = sum(parts)
    low = data.draw(st.integers(0, whole))
    high = data.draw(st.integers(low, whole))
    before, after = share(low, parts), share(high, parts)
    assert all(b <= a for b, a in zip(before, after, strict=True))
    if high == low + 1 and whole:
        assert sum(a - b for b, a in zip(before, after, strict=True)) == 1


@given(weights)
def test_all_of_it_is_every_weight_and_none_of_it_is_nothing(parts: list[int]) -> None:
    assert share(sum(parts), parts) == parts
    assert share(0, parts) == [0] * len(parts)


def test_the_alabama_paradox_of_largest_remainder_does_not_happen() -> None:
    # Largest remainder shares 4 as [1, 1, 1, 1] and 5 as [1, 0, 2, 2]: the
    # second part lost its cent when the total grew. Here it keeps it.
    parts = [1, 1, 3, 3]
    assert largest_remainder(4, parts) == [1, 1, 1, 1]
    assert largest_remainder(5, parts) == [1, 0, 2, 2]
    assert share(4, parts) == [1, 1, 1, 1] and share(5, parts) == [1, 1, 2, 1]
    assert all(
        b <= a
        for t in range(sum(parts))
        for b, a in zip(share(t, parts), share(t + 1, parts), strict=True)
    )


def test_millions_of_cents_are_shared_without_counting_them_one_by_one() -> None:
    parts = [123_456_789, 98_765_432, 5, 0, 77_777_777]
    shares = share(150_000_000, parts)
    assert sum(shares) == 150_000_000 and shares[3] == 0
    assert all(b <= a for b, a in zip(shares, share(150_000_001, parts), strict=True))


@pytest.mark.parametrize(("total", "parts"), [(-1, [1, 2]), (4, [1, 2]), (1, [2, -1])])
def test_a_total_outside_the_weights_or_a_negative_weight_is_refused(
    total: int, parts: list[int]
) -> None:
    with pytest.raises(ValueError):
        share(total, parts)

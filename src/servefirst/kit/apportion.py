"""Sharing a whole number of cents between parts in proportion to their
weights, so that a *growing* total never takes a cent back from any part.

Why not largest remainder (``Money.allocate``): a tab's reductions are shared
cumulatively (what was taken off so far, then that plus the next discount or
refund) and each entry posts the difference. Largest remainder is not monotone
in the total (the Alabama paradox): one more cent off the bill can move a cent
from one rate to another, so a refund would give back -0.01 of tax under one
rate. ``share`` is Webster/Sainte-Laguë applied *sequentially*: cent by cent,
each next cent goes to the part with the highest priority ``2w / (2s + 1)``
(``w`` its weight, ``s`` the cents it already has) among those below their
weight, ties to the earlier part. A sequential rule is monotone by
construction: the split of ``t + 1`` is the split of ``t`` plus one cent.

The cents given out in that order are exactly the ``total`` best "seats"
``(part, k)`` ranked by ``2w / (2k + 1)`` (then by part); within a part the
priorities fall as ``k`` grows, so the best seats are a prefix of each part.
``share`` finds them without looping per cent: it starts at the rounded quotas
and adds, drops or swaps single seats at the edges until the seats held are
exactly the best ``total`` ones (a handful of steps however large the sums).
"""

from __future__ import annotations

from collections.abc import Callable

#: A rule that shares ``total`` in proportion to ``weights``.
Split = Callable[[int, list[int]], list[int]]


def share(total: int, weights: list[int]) -> list[int]:
    """``total`` split in proportion to ``weights`` (non-negative): the shares
    add up to ``total`` (0 when every weight is 0), none exceeds its weight,
    every share is non-decreasing in ``total``, and ``total == sum(weights)``
    gives the weights. Like every monotone rule it may miss a part's exact
    quota by more than a cent when the weights are very uneven (Balinski and
    Young: no rule is both monotone and always within quota).
    ``total`` must be between 0 and ``sum(weights)``."""
    if any(w < 0 for w in weights):
        raise ValueError(f"weights must not be negative: {weights}")
    whole = sum(weights)
    if whole == 0:
        return [0] * len(weights)
    if not 0 <= total <= whole:
        raise ValueError(f"cannot share {total} between weights adding up to {whole}")
    # The quotas rounded half up: never above the weight, since total <= whole.
    seats = [(2 * total * w + whole) // (2 * whole) for w in weights]
    held = sum(seats)
    while held < total:
        seats[_best_next(weights, seats)] += 1
        held += 1
    while held > total:
        seats[_worst_held(weights, seats)] -= 1
        held -= 1
    while True:
        gain, loss = _best_next(weights, seats), _worst_held(weights, seats)
        if gain < 0 or loss < 0 or not _beats(weights, gain, seats[gain], loss, seats[loss] - 1):
            return seats
        seats[gain] += 1
        seats[loss] -= 1


def _beats(weights: list[int], i: int, k: int, j: int, m: int) -> bool:
    """Whether seat ``k`` of part ``i`` comes before seat ``m`` of part ``j``:
    a higher ``2w / (2k + 1)``, compared exactly in integers; ties to the
    earlier part."""
    mine, theirs = weights[i] * (2 * m + 1), weights[j] * (2 * k + 1)
    return mine > theirs or (mine == theirs and i < j)


def _best_next(weights: list[int], seats: list[int]) -> int:
    """The part whose next seat comes first (-1: every part is full)."""
    best = -1
    for i, w in enumerate(weights):
        if seats[i] < w and (best < 0 or _beats(weights, i, seats[i], best, seats[best])):
            best = i
    return best


def _worst_held(weights: list[int], seats: list[int]) -> int:
    """The part whose last seat held comes last (-1: no part holds any)."""
    worst = -1
    for i in range(len(weights)):
        if seats[i] > 0 and (
            worst < 0 or _beats(weights, worst, seats[worst] - 1, i, seats[i] - 1)
        ):
            worst = i
    return worst


def largest_remainder(total: int, weights: list[int]) -> list[int]:
    """How a tab's reductions were shared before ``share`` (the floors, then
    the leftover cents to the largest remainders, ties to the earlier part).
    Not monotone; kept only to read back what refunds booked under it posted
    (``taxes.service.refunded_taxes_of``)."""
    whole = sum(weights)
    if whole == 0:
        return [0] * len(weights)
    floors = [total * w // whole for w in weights]
    remainders = [total * w % whole for w in weights]
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[
        : total - sum(floors)
    ]:
        floors[index] += 1
    return floors

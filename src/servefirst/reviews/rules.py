"""Pure satisfaction figures from 1-5 ratings.

- CSAT: the share of ratings that are 4 or 5, in percent.
- NPS-style: the share of 5s (promoters) minus the share of 1-3s (detractors),
  in percent points, from -100 to 100; a 4 is passive. (The classic NPS asks
  0-10 and counts 9-10 against 0-6; on a 1-5 scale we map 5 -> promoter,
  4 -> passive, 1-3 -> detractor.)

Both are rounded half-up to one decimal; with no ratings they are None.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ONE_DECIMAL = Decimal("0.1")


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(100) * part / whole).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Satisfaction:
    ratings: int
    average: Decimal | None  # two decimals, half-up
    csat: Decimal | None
    nps: Decimal | None
    distribution: dict[int, int]  # rating -> how many


def satisfaction(ratings: Iterable[int]) -> Satisfaction:
    counted = {r: 0 for r in range(1, 6)}
    for rating in ratings:
        if rating not in counted:
            raise ValueError(f"a rating is 1 to 5, not {rating}")
        counted[rating] += 1
    n = sum(counted.values())
    if n == 0:
        return Satisfaction(0, None, None, None, counted)
    total = sum(r * c for r, c in counted.items())
    promoters = counted[5]
    detractors = counted[1] + counted[2] + counted[3]
    return Satisfaction(
        ratings=n,
        average=(Decimal(total) / n).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        csat=_percent(counted[4] + counted[5], n),
        nps=(Decimal(100) * (promoters - detractors) / n).quantize(
            ONE_DECIMAL, rounding=ROUND_HALF_UP
        ),
        distribution=counted,
    )

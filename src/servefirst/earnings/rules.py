"""Pure arithmetic of staff earnings, to the minor unit.

For each tab settled (paid or written off) in the period:

- what was paid for the bill (``paid + deposit_applied``, tips apart) and the
  guarantee adjustments are each split across the tab's lines in proportion to
  the line amounts, with :meth:`Money.allocate` (largest remainder: floor
  shares, then the leftover cents one by one to the largest remainders, ties
  to the earlier line), so the parts add up exactly to the tab's figures;
- the tab's tips are split across the people who served its lines, in
  proportion to the amounts of their lines, with the same method (lines
  nobody is named on form their own "unassigned" share).

For each member over the period:

- commission = ``paid for their lines x rate``, rounded half-up once on the
  period's sum (``Money.percent``), not per line;
- satisfaction bonus = ``paid for their lines x bonus_percent``, half-up, when
  they have at least ``bonus_min_reviews`` ratings on tabs settled in the
  period and their average rating is at least ``bonus_min_average``;
- total = commission + tips + bonus.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from servefirst.kit.errors import InvalidRequest
from servefirst.kit.money import Money


@dataclass(frozen=True)
class Line:
    staff_id: str | None
    amount: int


@dataclass(frozen=True)
class SettledTab:
    lines: Sequence[Line]
    paid: int  # towards the bill, deposit included, tips apart
    adjustments: int
    tips: int
    rating: int | None = None


@dataclass
class Share:
    """One member's part of one or more tabs."""

    sales: int = 0  # the line amounts, before adjustments
    adjustments: int = 0
    paid: int = 0
    tips: int = 0
    tabs: int = 0
    ratings: list[int] = field(default_factory=list)

    def add(self, other: Share) -> None:
        self.sales += other.sales
        self.adjustments += other.adjustments
        self.paid += other.paid
        self.tips += other.tips
        self.tabs += other.tabs
        self.ratings.extend(other.ratings)


def _weights(lines: Sequence[Line]) -> list[int]:
    amounts = [line.amount for line in lines]
    # Free lines only: split evenly rather than refuse.
    return amounts if sum(amounts) > 0 else [1] * len(amounts)


def split_tab(tab: SettledTab, currency: str) -> dict[str | None, Share]:
    """Each member's share of one tab (key None: lines with nobody named)."""
    shares: dict[str | None, Share] = {}
    if not tab.lines:
        if tab.tips:
            shares[None] = Share(tips=tab.tips, tabs=1)
        return shares
    weights = _weights(tab.lines)
    paid = Money(tab.paid, currency).allocate(weights)
    adjusted = Money(tab.adjustments, currency).allocate(weights)
    for line, p, a in zip(tab.lines, paid, adjusted, strict=True):
        share = shares.setdefault(line.staff_id, Share(tabs=1))
        share.sales += line.amount
        share.paid += p.amount
        share.adjustments += a.amount
    people = list(shares)
    if tab.tips:
        by_person = [shares[p].sales for p in people]
        if sum(by_person) == 0:
            by_person = [1] * len(people)
        for person, tip in zip(people, Money(tab.tips, currency).allocate(by_person), strict=True):
            shares[person].tips += tip.amount
    if tab.rating is not None:
        for person in people:
            if person is not None:
                shares[person].ratings.append(tab.rating)
    return shares


@dataclass(frozen=True)
class EarningsPolicy:
    bonus_min_reviews: int = 5
    bonus_min_average: Decimal = Decimal("4.5")
    bonus_percent: Decimal = Decimal(2)

    @classmethod
    def from_policy(cls, policy: dict[str, Any] | None) -> EarningsPolicy:
        values = (policy or {}).get("earnings", {}) or {}
        return cls(
            bonus_min_reviews=int(values.get("bonus_min_reviews", 5)),
            bonus_min_average=Decimal(str(values.get("bonus_min_average", "4.5"))),
            bonus_percent=Decimal(str(values.get("bonus_percent", 2))),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "bonus_min_reviews": self.bonus_min_reviews,
            "bonus_min_average": str(self.bonus_min_average),
            "bonus_percent": str(self.bonus_percent),
        }

    def updated(self, changes: dict[str, Any]) -> EarningsPolicy:
        merged = {**self.as_dict(), **changes}
        if not isinstance(merged["bonus_min_reviews"], int) or merged["bonus_min_reviews"] < 1:
            raise InvalidRequest("bonus_min_reviews must be 1 or more.", param="bonus_min_reviews")
        for name, low, high in (("bonus_min_average", 1, 5), ("bonus_percent", 0, 100)):
            try:
                value = Decimal(str(merged[name]))
            except InvalidOperation:
                value = Decimal(-1)
            if not value.is_finite() or not low <= value <= high:
                raise InvalidRequest(f"{name} must be from {low} to {high}.", param=name)
        return EarningsPolicy.from_policy({"earnings": merged})


@dataclass(frozen=True)
class Earnings:
    staff_id: str | None
    share: Share
    commission_bps: int
    commission: int
    average_rating: Decimal | None
    bonus_eligible: bool
    bonus: int

    @property
    def total(self) -> int:
        return self.commission + self.share.tips + self.bonus


def average(ratings: Sequence[int]) -> Decimal | None:
    return Decimal(sum(ratings)) / len(ratings) if ratings else None


def earnings_of(
    staff_id: str | None,
    share: Share,
    commission_bps: int,
    policy: EarningsPolicy,
    currency: str,
) -> Earnings:
    paid = Money(share.paid, currency)
    commission = paid.percent(Decimal(commission_bps) / 100).amount if staff_id else 0
    mean = average(share.ratings)
    eligible = (
        staff_id is not None
        and mean is not None
        and len(share.ratings) >= policy.bonus_min_reviews
        and mean >= policy.bonus_min_average
    )
    bonus = paid.percent(policy.bonus_percent).amount if eligible else 0
    return Earnings(staff_id, share, commission_bps, commission, mean, eligible, bonus)


def period_shares(tabs: Iterable[SettledTab], currency: str) -> dict[str | None, Share]:
    """Every member's share over many tabs."""
    totals: dict[str | None, Share] = {}
    for tab in tabs:
        for person, share in split_tab(tab, currency).items():
            totals.setdefault(person, Share()).add(share)
    return totals

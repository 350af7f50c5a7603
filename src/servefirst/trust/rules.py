"""Pure trust rules: score, tier, factors and the tier's effects.

The score is the mean of a Beta posterior: a prior of ``PRIOR_GOOD`` good and
``PRIOR_BAD`` bad visits (what we assume of someone we have never met), plus
the customer's own history. A small history barely moves it; a long one
dominates. Each kind of trouble weighs what it costs the business: a write-off
(lost money) weighs more than a payment that came late. An upheld concern is
not trouble at all and never counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

PRIOR_GOOD = Decimal(3)
PRIOR_BAD = Decimal(1)

#: How much one event of each kind counts as a "bad visit".
WEIGHTS = {
    "late_payments": Decimal("0.5"),
    "no_shows": Decimal(1),
    "late_cancellations": Decimal("0.5"),
    "write_offs": Decimal(2),
    "rejected_concerns": Decimal(1),
}


class Tier(StrEnum):
    TRUSTED = "trusted"  # pay after, no deposit, high tab limit
    STANDARD = "standard"  # pay after, ordinary limit
    NEW = "new"  # pay after up to a modest limit, deposit for bookings
    RESTRICTED = "restricted"  # prepay or leave a card hold first


@dataclass(frozen=True)
class History:
    paid_visits: int = 0
    late_payments: int = 0
    no_shows: int = 0
    late_cancellations: int = 0
    write_offs: int = 0
    rejected_concerns: int = 0

    @property
    def trouble(self) -> Decimal:
        return sum((WEIGHTS[k] * getattr(self, k) for k in WEIGHTS), Decimal(0))

    @property
    def empty(self) -> bool:
        return self.paid_visits == 0 and self.trouble == 0


@dataclass(frozen=True)
class TierRule:
    pay_after: bool
    #: Largest outstanding amount across the customer's unpaid tabs, in major
    #: units of the merchant's currency (scaled to minor units when used).
    tab_limit_major: int


DEFAULT_TIERS: dict[Tier, TierRule] = {
    Tier.TRUSTED: TierRule(pay_after=True, tab_limit_major=500),
    Tier.STANDARD: TierRule(pay_after=True, tab_limit_major=200),
    Tier.NEW: TierRule(pay_after=True, tab_limit_major=100),
    Tier.RESTRICTED: TierRule(pay_after=False, tab_limit_major=0),
}

#: Paid visits, and the score, a customer needs to be trusted.
TRUSTED_MIN_VISITS = 5
TRUSTED_MIN_SCORE = Decimal("0.85")
#: Below this score a customer must prepay.
RESTRICTED_BELOW = Decimal("0.5")


@dataclass(frozen=True)
class Trust:
    score: Decimal
    tier: Tier
    factors: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": float(round(self.score, 4)),
            "tier": self.tier.value,
            "factors": self.factors,
        }


def score(history: History) -> Decimal:
    good = PRIOR_GOOD + history.paid_visits
    bad = PRIOR_BAD + history.trouble
    return good / (good + bad)


def tier_for(history: History, value: Decimal) -> Tier:
    if value < RESTRICTED_BELOW:
        return Tier.RESTRICTED
    if history.paid_visits >= TRUSTED_MIN_VISITS and value >= TRUSTED_MIN_SCORE:
        return Tier.TRUSTED
    if history.paid_visits == 0:
        # Trouble alone (a no-show, a late cancellation) must never lift someone
        # above a stranger: standard's larger limit is earned by paying.
        return Tier.NEW
    return Tier.STANDARD


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def factors(history: History) -> list[str]:
    """The events that moved the score, largest effect first, in plain words."""
    if history.empty:
        return ["New customer: no history here yet"]
    weighed: list[tuple[Decimal, str]] = []
    if history.paid_visits:
        weighed.append(
            (
                Decimal(history.paid_visits),
                _plural(history.paid_visits, "visit paid on time", "visits paid on time"),
            )
        )
    words = {
        "write_offs": ("unpaid tab written off", "unpaid tabs written off"),
        "no_shows": ("no-show", "no-shows"),
        "rejected_concerns": ("concern rejected as unfounded", "concerns rejected as unfounded"),
        "late_payments": ("payment made late", "payments made late"),
        "late_cancellations": ("late cancellation", "late cancellations"),
    }
    for kind, (one, many) in words.items():
        n = getattr(history, kind)
        if n:
            weighed.append((WEIGHTS[kind] * n, _plural(n, one, many)))
    weighed.sort(key=lambda pair: -pair[0])
    return [text for _, text in weighed[:4]]


def assess(history: History) -> Trust:
    value = score(history)
    return Trust(value, tier_for(history, value), factors(history))


def tier_rules(policy: dict[str, Any]) -> dict[Tier, TierRule]:
    """The merchant's tier effects: defaults overridden by ``policy['tiers']``."""
    overrides = policy.get("tiers", {}) if policy else {}
    rules = dict(DEFAULT_TIERS)
    for name, values in overrides.items():
        tier = Tier(name)
        base = rules[tier]
        rules[tier] = TierRule(
            pay_after=bool(values.get("pay_after", base.pay_after)),
            tab_limit_major=int(values.get("tab_limit_major", base.tab_limit_major)),
        )
    return rules

"""Pure trust rules: the merchant's trust policy, tiers and what each unlocks.

The score comes from ``estimator.py`` (a Beta posterior with fading evidence).
The tier turns it into effects a business recognises: may the customer pay
after, how large may their tab grow, do their bookings need a deposit. Every
threshold and effect can be set per merchant in ``policy["trust"]``::

    {"half_life_days": 180,
     "prior": {"good": 3, "bad": 1},
     "thresholds": {"trusted_min_score": 0.85, "trusted_min_paid_visits": 5,
                    "restricted_below": 0.5},
     "tiers": {"standard": {"pay_after": true, "deposit_required": false,
                            "tab_limit": {"base": 15000, "step": 2500, "cap": 40000}}}}

Tab limits in the policy are minor units of the merchant's currency. The
defaults are written in "everyday units" (about one euro) and scaled per
currency, so a yen café gets ¥10,000 where a euro café gets 100.00 EUR.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from servefirst.kit.money import minor_digits
from servefirst.trust.estimator import (
    DEFAULT_HALF_LIFE_DAYS,
    EVENT_KINDS,
    Evidence,
    Prior,
    Tally,
    decayed,
    posterior_mean,
)
from servefirst.trust.estimator import score as posterior_score


class Tier(StrEnum):
    TRUSTED = "trusted"  # pay after, no deposit, a high and growing tab limit
    STANDARD = "standard"  # pay after, an ordinary limit that grows
    NEW = "new"  # pay after up to a modest limit, deposit for bookings
    RESTRICTED = "restricted"  # prepay or leave a card hold first


#: From least to most room to pay after.
TIER_RANK = {Tier.RESTRICTED: 0, Tier.NEW: 1, Tier.STANDARD: 2, Tier.TRUSTED: 3}

#: Minor units of one "everyday unit" beyond the currency's decimals, for
#: currencies whose major unit is worth far less than a euro. Everything else
#: uses one major unit.
EVERYDAY_SCALE = {
    "JPY": 100,
    "KRW": 1000,
    "CLP": 1000,
    "COP": 1000,
    "IDR": 10_000,
    "VND": 10_000,
    "HUF": 100,
    "ISK": 100,
    "INR": 100,
    "PHP": 50,
    "THB": 30,
    "CZK": 20,
    "TWD": 30,
    "MXN": 20,
    "ZAR": 20,
    "UAH": 40,
    "RUB": 100,
    "TRY": 30,
    "ARS": 1000,
    "NGN": 1000,
    "KES": 100,
    "PKR": 300,
}


def everyday_unit(currency: str) -> int:
    """Minor units of about one euro's worth in ``currency`` (EUR 100, JPY 100, KRW 1000)."""
    return int(10 ** minor_digits(currency) * EVERYDAY_SCALE.get(currency.upper(), 1))


@dataclass(frozen=True)
class TabLimitRule:
    """A limit that grows with on-time payments: ``base + step x visits``, up to ``cap``."""

    base: int
    step: int = 0
    cap: int | None = None

    def __post_init__(self) -> None:
        if self.base < 0 or self.step < 0 or (self.cap is not None and self.cap < self.base):
            raise ValueError("a tab limit needs base >= 0, step >= 0 and cap >= base")

    def limit(self, on_time_visits: int) -> int:
        grown = self.base + self.step * max(on_time_visits, 0)
        return grown if self.cap is None else min(grown, self.cap)

    def visits_to_reach(self, amount: int, on_time_visits: int) -> int | None:
        """More on-time visits until the limit is at least ``amount`` (None: never)."""
        if self.limit(on_time_visits) >= amount:
            return 0
        if self.step == 0 or (self.cap is not None and self.cap < amount):
            return None
        needed = -(-(amount - self.base) // self.step)  # ceiling division
        return max(needed - on_time_visits, 0)

    def scaled(self, factor: int) -> TabLimitRule:
        return TabLimitRule(
            self.base * factor, self.step * factor, None if self.cap is None else self.cap * factor
        )


@dataclass(frozen=True)
class TierRule:
    pay_after: bool
    deposit_required: bool
    tab_limit: TabLimitRule  # minor units, once scaled to the currency


#: Defaults in everyday units (``everyday_unit``), scaled per currency.
DEFAULT_TIERS: dict[Tier, TierRule] = {
    Tier.TRUSTED: TierRule(True, False, TabLimitRule(base=300, step=25, cap=1000)),
    Tier.STANDARD: TierRule(True, False, TabLimitRule(base=150, step=25, cap=400)),
    Tier.NEW: TierRule(True, False, TabLimitRule(base=100, step=0, cap=100)),
    Tier.RESTRICTED: TierRule(False, True, TabLimitRule(base=0, step=0, cap=0)),
}


@dataclass(frozen=True)
class Thresholds:
    #: Five paid visits without trouble: (3 + 5) / (4 + 5) = 0.89.
    trusted_min_score: float = 0.85
    trusted_min_paid_visits: int = 5
    #: Two write-offs (or three no-shows) with nothing paid take a stranger
    #: below this: they prepay or leave a card hold.
    restricted_below: float = 0.5


@dataclass(frozen=True)
class TrustPolicy:
    currency: str = "EUR"
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS
    prior: Prior = field(default_factory=Prior)
    thresholds: Thresholds = field(default_factory=Thresholds)
    tiers: Mapping[Tier, TierRule] = field(default_factory=dict)

    def rule(self, tier: Tier) -> TierRule:
        return self.tiers[tier]

    @classmethod
    def of(cls, policy: Mapping[str, Any] | None, currency: str = "EUR") -> TrustPolicy:
        """The merchant's trust policy: ``policy["trust"]`` over the defaults."""
        data: Mapping[str, Any] = (policy or {}).get("trust") or {}
        prior_data = data.get("prior") or {}
        prior = Prior(
            float(prior_data.get("good", Prior.good)), float(prior_data.get("bad", Prior.bad))
        )
        th = data.get("thresholds") or {}
        base = Thresholds()
        thresholds = Thresholds(
            trusted_min_score=float(th.get("trusted_min_score", base.trusted_min_score)),
            trusted_min_paid_visits=int(
                th.get("trusted_min_paid_visits", base.trusted_min_paid_visits)
            ),
            restricted_below=float(th.get("restricted_below", base.restricted_below)),
        )
        half_life = float(data.get("half_life_days", DEFAULT_HALF_LIFE_DAYS))
        if half_life <= 0:
            raise ValueError("half_life_days must be positive")
        return cls(
            currency=currency.upper(),
            half_life_days=half_life,
            prior=prior,
            thresholds=thresholds,
            tiers=tier_rules(policy, currency),
        )


def tier_rules(policy: Mapping[str, Any] | None, currency: str = "EUR") -> dict[Tier, TierRule]:
    """Each tier's effects in minor units of ``currency``: the defaults scaled to
    the currency, overridden by ``policy["trust"]["tiers"]`` (already minor units)."""
    unit = everyday_unit(currency)
    rules = {
        tier: replace(rule, tab_limit=rule.tab_limit.scaled(unit))
        for tier, rule in DEFAULT_TIERS.items()
    }
    overrides = ((policy or {}).get("trust") or {}).get("tiers") or {}
    for name, values in overrides.items():
        tier = Tier(name)
        old = rules[tier]
        limit = values.get("tab_limit") or {}
        cap = limit.get("cap", old.tab_limit.cap)
        rules[tier] = TierRule(
            pay_after=bool(values.get("pay_after", old.pay_after)),
            deposit_required=bool(values.get("deposit_required", old.deposit_required)),
            tab_limit=TabLimitRule(
                base=int(limit.get("base", old.tab_limit.base)),
                step=int(limit.get("step", old.tab_limit.step)),
                cap=None if cap is None else int(cap),
            ),
        )
    return rules


def tier_for(score: float, paid_visits: int, thresholds: Thresholds) -> Tier:
    if score < thresholds.restricted_below:
        return Tier.RESTRICTED
    if paid_visits >= thresholds.trusted_min_paid_visits and score >= thresholds.trusted_min_score:
        return Tier.TRUSTED
    if paid_visits == 0:
        # Trouble alone (a no-show, a late cancellation) must never lift someone
        # above a stranger: standard's larger limit is earned by paying.
        return Tier.NEW
    return Tier.STANDARD


@dataclass(frozen=True)
class Trust:
    score: float
    tier: Tier
    factors: list[str]  # in English, as the API and events say them
    #: The same factors with their numbers, put in the reader's words on a page.
    weighed: tuple[Any, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"score": round(self.score, 4), "tier": self.tier.value, "factors": self.factors}


def assess(
    evidence: Evidence | History, policy: TrustPolicy | None = None, now: datetime | None = None
) -> Trust:
    """Score, tier and factors of the evidence, faded to ``now``."""
    from servefirst.trust.factors import in_english, weigh  # words need the rules' numbers

    policy = policy or TrustPolicy.of(None)
    if isinstance(evidence, History):
        now = now or datetime.now(UTC)
        evidence = evidence.as_evidence(now)
    now = now or evidence.as_of or datetime.now(UTC)
    current = decayed(evidence, now, policy.half_life_days)
    value = posterior_score(current, policy.prior)
    tier = tier_for(value, current.count("paid_visits"), policy.thresholds)
    weighed = weigh(current, policy.prior, now)
    return Trust(value, tier, in_english(weighed), weighed)


@dataclass(frozen=True)
class History:
    """Plain counts of a history that all happened now (no fading): for models
    and tests that reason in counts."""

    paid_visits: int = 0
    late_payments: int = 0
    no_shows: int = 0
    late_cancellations: int = 0
    write_offs: int = 0
    rejected_concerns: int = 0

    def as_evidence(self, now: datetime) -> Evidence:
        tallies = {
            kind: Tally(float(getattr(self, kind)), getattr(self, kind), now, now)
            for kind in EVENT_KINDS
            if getattr(self, kind)
        }
        return Evidence(as_of=now if tallies else None, tallies=tallies)


# --- what would allow it ---------------------------------------------------------------


def visits_to_pay_after(evidence: Evidence, policy: TrustPolicy) -> int:
    """Paid visits (prepaid, or at check-in behind a deposit) that would lift the
    score back to ``restricted_below``."""
    good, bad = evidence.good, evidence.bad
    visits = 0
    while posterior_mean(good + visits, bad, policy.prior) < policy.thresholds.restricted_below:
        visits += 1
        if visits > 10_000:  # a policy whose threshold cannot be reached
            break
    return visits


def days_to_pay_after(
    evidence: Evidence, policy: TrustPolicy, *, horizon_days: int = 3650
) -> int | None:
    """Days until fading alone lifts the score back to ``restricted_below``
    (None: not within ``horizon_days``, e.g. a prior below the threshold)."""
    as_of = evidence.as_of
    if as_of is None:
        return None
    low, high = 0, horizon_days

    def ok(days: int) -> bool:
        later = decayed(evidence, as_of + timedelta(days=days), policy.half_life_days)
        return posterior_score(later, policy.prior) >= policy.thresholds.restricted_below

    if not ok(high):
        return None
    while low < high:
        mid = (low + high) // 2
        if ok(mid):
            high = mid
        else:
            low = mid + 1
    return low

"""Pure rules for setting a merchant's trust policy: the presets an owner picks
from, and the checks a policy passes before it is kept.

A policy is checked whole (never half-kept): every number in range, the
thresholds in order (restricted below trusted), each tab limit's cap at least
its base. A refusal names the field (``param``) and says what is wrong in words.
The stored form is complete (every field written out), so what an owner sees
is exactly what is in force.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from servefirst.kit.i18n import N_
from servefirst.trust.rules import DEFAULT_TIERS, Thresholds, Tier, TierRule, everyday_unit

#: Bounds of the numbers an owner may set (beyond them a policy stops making sense).
MAX_HALF_LIFE_DAYS = 3650
MAX_PRIOR = 100.0
MAX_VISITS = 1000
#: Tab limits in everyday units (about a euro): far above any counter's bill.
MAX_LIMIT_UNITS = 1_000_000


class PolicyInvalid(ValueError):
    """A trust policy that cannot be kept: ``param`` names the field."""

    def __init__(self, param: str, message: str, figures: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.param = param
        self.message = message
        #: What a page needs to say it in its reader's words (``kit.refusals``).
        self.figures = figures or {}


#: What each preset means, in an owner's words (shown beside the form).
PRESET_WORDS = {
    "balanced": "The default: new customers pay after up to a modest limit; "
    "five paid visits make a customer trusted; two unpaid tabs make them prepay.",
    "cautious": "For high-value services: newcomers may pay after only a small amount, "
    "trust takes eight paid visits, and trouble weighs longer (a year).",
    "generous": "For a neighbourhood café with regulars: larger limits for everyone, "
    "three paid visits make a customer trusted, trouble fades in three months.",
}


def _tiers_dict(rules: Mapping[Tier, TierRule], scale: int) -> dict[str, Any]:
    return {
        tier.value: {
            "pay_after": rule.pay_after,
            "deposit_required": rule.deposit_required,
            "tab_limit": {
                "base": rule.tab_limit.base * scale,
                "step": rule.tab_limit.step * scale,
                "cap": None if rule.tab_limit.cap is None else rule.tab_limit.cap * scale,
            },
        }
        for tier, rule in rules.items()
    }


def preset(name: str, currency: str) -> dict[str, Any]:
    """The preset ``name`` as a complete policy, tab limits in minor units of ``currency``."""
    unit = everyday_unit(currency)
    base = Thresholds()
    policy: dict[str, Any] = {
        "half_life_days": 180.0,
        "prior": {"good": 3.0, "bad": 1.0},
        "thresholds": {
            "trusted_min_score": base.trusted_min_score,
            "trusted_min_paid_visits": base.trusted_min_paid_visits,
            "restricted_below": base.restricted_below,
        },
        "tiers": _tiers_dict(DEFAULT_TIERS, unit),
    }
    if name == "cautious":
        policy["half_life_days"] = 365.0
        policy["thresholds"]["trusted_min_paid_visits"] = 8
        policy["thresholds"]["restricted_below"] = 0.6
        policy["tiers"]["new"]["tab_limit"] = {"base": 40 * unit, "step": 0, "cap": 40 * unit}
        policy["tiers"]["standard"]["tab_limit"] = {
            "base": 80 * unit,
            "step": 10 * unit,
            "cap": 200 * unit,
        }
    elif name == "generous":
        policy["half_life_days"] = 90.0
        policy["thresholds"]["trusted_min_paid_visits"] = 3
        policy["thresholds"]["restricted_below"] = 0.4
        policy["tiers"]["new"]["tab_limit"] = {"base": 150 * unit, "step": 0, "cap": 150 * unit}
        policy["tiers"]["standard"]["tab_limit"] = {
            "base": 200 * unit,
            "step": 50 * unit,
            "cap": 600 * unit,
        }
    elif name != "balanced":
        raise PolicyInvalid("preset", f"There is no preset called {name!r}.")
    return policy


def _number(value: Any, param: str, low: float, high: float, *, above_low: bool = False) -> float:
    bounds = {"low": f"{low:g}", "high": f"{high:g}"}
    words = (
        N_("Write a number more than %(low)s and at most %(high)s.")
        if above_low
        else N_("Write a number from %(low)s to %(high)s.")
    )
    # NaN passes every comparison below, and a NaN half-life or threshold
    # leaves every customer without a score: it is no number here.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PolicyInvalid(param, f"{param} must be a number.", {"words": words, **bounds})
    if value < low or value > high or (above_low and value == low):
        edge = "more than" if above_low else "at least"
        raise PolicyInvalid(
            param,
            f"{param} must be {edge} {low:g} and at most {high:g}.",
            {"words": words, **bounds},
        )
    return float(value)


def _whole(value: Any, param: str, high: int) -> int:
    words = {"words": N_("Choose a whole number from %(low)s to %(high)s."), "low": 0, "high": high}
    if isinstance(value, bool) or not isinstance(value, int):
        raise PolicyInvalid(param, f"{param} must be a whole number.", words)
    if value < 0 or value > high:
        raise PolicyInvalid(param, f"{param} must be between 0 and {high}.", words)
    return value


def checked(policy: Mapping[str, Any], currency: str) -> dict[str, Any]:
    """``policy`` (complete, as ``preset`` gives) checked and written out plainly,
    or ``PolicyInvalid`` naming the first field that is wrong."""
    limit_max = MAX_LIMIT_UNITS * everyday_unit(currency)
    half_life = _number(
        policy.get("half_life_days"), "half_life_days", 0, MAX_HALF_LIFE_DAYS, above_low=True
    )
    prior = policy.get("prior") or {}
    good = _number(prior.get("good"), "prior.good", 0, MAX_PRIOR, above_low=True)
    bad = _number(prior.get("bad"), "prior.bad", 0, MAX_PRIOR, above_low=True)
    th = policy.get("thresholds") or {}
    trusted = _number(th.get("trusted_min_score"), "thresholds.trusted_min_score", 0, 1)
    visits = _whole(
        th.get("trusted_min_paid_visits"), "thresholds.trusted_min_paid_visits", MAX_VISITS
    )
    restricted = _number(th.get("restricted_below"), "thresholds.restricted_below", 0, 1)
    if restricted >= trusted:
        raise PolicyInvalid(
            "thresholds.restricted_below",
            "The score below which customers must prepay has to be lower than "
            "the score that makes them trusted.",
        )
    tiers: dict[str, Any] = {}
    given = policy.get("tiers") or {}
    for name in given:
        if name not in {t.value for t in Tier}:
            raise PolicyInvalid(f"tiers.{name}", f"There is no tier called {name!r}.")
    for tier in Tier:
        values = given.get(tier.value) or {}
        limit = values.get("tab_limit") or {}
        where = f"tiers.{tier.value}.tab_limit"
        base = _whole(limit.get("base"), f"{where}.base", limit_max)
        step = _whole(limit.get("step", 0), f"{where}.step", limit_max)
        cap = limit.get("cap")
        if cap is not None:
            cap = _whole(cap, f"{where}.cap", limit_max)
            if cap < base:
                raise PolicyInvalid(f"{where}.cap", "A tab limit's cap cannot be below its base.")
        tiers[tier.value] = {
            "pay_after": bool(values.get("pay_after", True)),
            "deposit_required": bool(values.get("deposit_required", False)),
            "tab_limit": {"base": base, "step": step, "cap": cap},
        }
    return {
        "half_life_days": half_life,
        "prior": {"good": good, "bad": bad},
        "thresholds": {
            "trusted_min_score": trusted,
            "trusted_min_paid_visits": visits,
            "restricted_below": restricted,
        },
        "tiers": tiers,
    }


def merged(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``current`` with ``changes`` laid over it, one level into each section
    (a change to one threshold keeps the others)."""
    out: dict[str, Any] = {
        key: (dict(value) if isinstance(value, Mapping) else value)
        for key, value in current.items()
    }
    for key, value in changes.items():
        if value is None:
            continue
        if key == "tiers" and isinstance(value, Mapping):
            tiers = {name: dict(rule) for name, rule in (out.get("tiers") or {}).items()}
            for name, rule in value.items():
                old = tiers.get(name, {})
                new = {**old, **{k: v for k, v in rule.items() if v is not None}}
                if "tab_limit" in rule and rule["tab_limit"] is not None:
                    new["tab_limit"] = {**(old.get("tab_limit") or {}), **rule["tab_limit"]}
                tiers[name] = new
            out["tiers"] = tiers
        elif isinstance(value, Mapping):
            out[key] = {**(out.get(key) or {}), **value}
        else:
            out[key] = value
    return out


def as_stored(policy: Any) -> dict[str, Any]:
    """A ``rules.TrustPolicy`` in the stored (and API) form."""
    return {
        "half_life_days": float(policy.half_life_days),
        "prior": {"good": float(policy.prior.good), "bad": float(policy.prior.bad)},
        "thresholds": {
            "trusted_min_score": float(policy.thresholds.trusted_min_score),
            "trusted_min_paid_visits": int(policy.thresholds.trusted_min_paid_visits),
            "restricted_below": float(policy.thresholds.restricted_below),
        },
        "tiers": _tiers_dict(policy.tiers, 1),
    }

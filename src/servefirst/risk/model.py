"""The no-show model: a logistic regression whose factors can be said in words.

``DEFAULT`` is set by hand, never fit on anyone's data. Its coefficients
follow what published studies of missed appointments keep finding, rounded to
easy numbers (log-odds):

- the further ahead a booking is made, the likelier it is missed, most of the
  rise within the first week (Dantas et al., "No-shows in appointment
  scheduling: a systematic literature review", Health Policy 122(4), 2018:
  lead time is the predictor found most often; Kheirkhah et al., "Prevalence,
  predictors and economic consequences of no-shows", BMC Health Services
  Research 16:13, 2016);
- a booking made for the same day is rarely missed (Murray and Berwick,
  "Advanced access: reducing waiting and delays in primary care", JAMA
  289(8), 2003: same-day access cuts no-shows); we put it near 5 %;
- a customer's own past no-shows are the strongest single sign (Daggy et al.,
  "Using no-show modeling to improve clinic performance", Health Informatics
  Journal 16(4), 2010; Dantas et al. 2018), and visits kept lower the risk a
  little; the average no-show rate across the studies is about 20-25 %.

A merchant's own model is fit on its own bookings with scikit-learn and then
blended with the default by sample size, ``n / (n + SHRINK_ROWS)`` of the fit
and the rest of the default: a short history barely moves it, a long one
dominates, as the trust estimator's prior does.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from servefirst.risk.features import FEATURES, INDEX, LEAD_BUCKETS, RATE_PRIOR_MEAN, WEEKDAYS

#: How many bookings of its own a merchant needs before its fit counts as much
#: as the default model.
SHRINK_ROWS = 300
#: The fit's own L2 penalty (scikit-learn's C). A firmer penalty than
#: scikit-learn's 1.0 keeps the many small factors (weekdays, lead buckets) from
#: chasing noise between daily refits; bench/RISK.md has the comparison.
FIT_C = 0.1

DEFAULT_COEFFICIENTS: dict[str, float] = {
    # Any day ahead: a step up from same-day; then rising with log lead time.
    "lead_1_2": 0.8,
    "lead_3_7": 0.8,
    "lead_8_14": 0.8,
    "lead_15_30": 0.8,
    "lead_31_plus": 0.8,
    "lead_log": 0.35,
    "faded_no_shows": 0.5,
    "no_show_rate": 1.5,
    "faded_visits": -0.05,
    "first_visit": 0.2,
}
#: A same-day booking of a stranger: about 5 % (logit -2.9, plus the prior rate's share).
DEFAULT_INTERCEPT = -2.9 - 1.5 * RATE_PRIOR_MEAN - 0.2


@dataclass(frozen=True)
class RiskModel:
    version: str
    intercept: float
    coefficients: dict[str, float]
    #: Bookings with a known outcome it was fit on (0: the default model).
    rows: int = 0
    #: Expected-loss cut-offs at each percentile of the bookings it was fit on
    #: (101 values, ascending): how a share of bookings to ask becomes a threshold.
    loss_cuts: list[float] = field(default_factory=list)
    #: Whether the losses above are in money (prices were known) or probabilities.
    cuts_in_money: bool = False

    def weights(self) -> NDArray[np.float64]:
        return np.array([self.coefficients.get(name, 0.0) for name in FEATURES])

    def probabilities(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        z = x @ self.weights() + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def probability(self, row: list[float] | NDArray[np.float64]) -> float:
        return float(self.probabilities(np.asarray(row, dtype=np.float64).reshape(1, -1))[0])

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "intercept": self.intercept,
            "coefficients": dict(self.coefficients),
            "rows": self.rows,
            "loss_cuts": self.loss_cuts,
            "cuts_in_money": self.cuts_in_money,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RiskModel:
        try:
            coefficients = {str(k): float(v) for k, v in data["coefficients"].items()}
            unknown = set(coefficients) - set(FEATURES)
            if unknown:
                raise ValueError(f"unknown factors {', '.join(sorted(unknown))}")
            return cls(
                version=str(data["version"]),
                intercept=float(data["intercept"]),
                coefficients=coefficients,
                rows=int(data.get("rows", 0)),
                loss_cuts=[float(v) for v in data.get("loss_cuts", [])],
                cuts_in_money=bool(data.get("cuts_in_money", False)),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"not a servefirst risk model: {exc}") from None


DEFAULT = RiskModel("default-1", DEFAULT_INTERCEPT, dict(DEFAULT_COEFFICIENTS))


def _version(intercept: float, weights: NDArray[np.float64], rows: int) -> str:
    digest = hashlib.sha256(json.dumps([intercept, *weights.tolist(), rows]).encode())
    return f"fit-{rows}-{digest.hexdigest()[:8]}"


def new_estimator() -> Any:
    """Newton steps on a few dozen factors converge in a handful of iterations;
    ``warm_start`` lets a daily refit start from yesterday's answer."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=FIT_C, solver="newton-cholesky", max_iter=100, warm_start=True)


def fit(
    x: NDArray[np.float64],
    y: NDArray[np.int8],
    *,
    base: RiskModel = DEFAULT,
    prices: NDArray[np.float64] | None = None,
    estimator: Any = None,
) -> RiskModel:
    """Fit on bookings with a known outcome (``y`` 0 or 1), shrunk towards ``base``.

    ``estimator`` is a scikit-learn ``LogisticRegression`` kept between daily
    refits: with ``warm_start`` it starts from yesterday's answer.
    """
    from threadpoolctl import threadpool_limits

    n = len(y)
    if n == 0 or len(set(y.tolist())) < 2:
        return replace(base, rows=n) if n else base
    model = estimator or new_estimator()
    # One thread: a small fit gains nothing from more, and a busy server loses.
    with threadpool_limits(1):
        model.fit(x, y)
    share = n / (n + SHRINK_ROWS)
    weights = share * model.coef_[0] + (1 - share) * base.weights()
    intercept = float(share * model.intercept_[0] + (1 - share) * base.intercept)
    fitted = RiskModel(
        version=_version(intercept, weights, n),
        intercept=intercept,
        coefficients={name: float(w) for name, w in zip(FEATURES, weights, strict=True)},
        rows=n,
    )
    return with_cuts(fitted, x, prices)


def with_cuts(
    model: RiskModel, x: NDArray[np.float64], prices: NDArray[np.float64] | None = None
) -> RiskModel:
    """Remember the spread of expected losses over these bookings."""
    if len(x) == 0:
        return model
    losses = model.probabilities(x)
    in_money = prices is not None and bool(np.all(prices > 0))
    if in_money and prices is not None:
        losses = losses * prices
    cuts = np.quantile(losses, np.linspace(0, 1, 101)).tolist()
    return replace(model, loss_cuts=[float(c) for c in cuts], cuts_in_money=in_money)


# --- in words ------------------------------------------------------------------------

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_GROUPS: dict[str, tuple[str, ...]] = {
    "lead": ("lead_log", *(name for name, _, _ in LEAD_BUCKETS)),
    "weekday": tuple(f"weekday_{d}" for d in WEEKDAYS),
    "hour": ("starts_early", "starts_late"),
    "booked": ("booked_early",),
    "missed": ("faded_no_shows", "faded_late_cancels", "no_show_rate"),
    "visits": ("faded_visits", "first_visit", "bookings_before_log", "days_since_last_log"),
    "pending": ("pending_log", "same_day_others"),
    "price": ("price_log",),
}
#: What each group is compared with: a same-day Monday booking by a stranger.
_REFERENCE = {name: 0.0 for name in FEATURES} | {
    "first_visit": 1.0,
    "no_show_rate": RATE_PRIOR_MEAN,
}


def _ahead(days: int) -> str:
    if days == 0:
        return "booked the same day"
    if days >= 14 and days % 7 == 0:
        return f"booked {days // 7} weeks ahead"
    return f"booked {days} day{'s' if days != 1 else ''} ahead"


def _words(group: str, row: NDArray[np.float64], facts: dict[str, int]) -> str:
    if group == "lead":
        return _ahead(facts.get("lead_days", round(math.expm1(row[INDEX["lead_log"]]))))
    if group == "weekday":
        on = [i + 1 for i, d in enumerate(WEEKDAYS) if row[INDEX[f"weekday_{d}"]]]
        return f"on a {_DAYS[on[0] if on else 0]}"
    if group == "hour":
        return "starts before 10:00" if row[INDEX["starts_early"]] else "starts at 17:00 or later"
    if group == "booked":
        return "booked before 08:00"
    if group == "missed":
        missed = facts.get("no_shows", 0)
        return f"{missed} missed booking{'s' if missed != 1 else ''} before"
    if group == "visits":
        if row[INDEX["first_visit"]]:
            return "first visit"
        visits = facts.get("visits", 0)
        return f"{visits} visit{'s' if visits != 1 else ''} kept before"
    if group == "pending":
        return "other bookings still to come"
    return "the price of the service"


def _likely(ratio: float) -> str:
    if ratio >= 1:
        return f"no-shows are {ratio:.1f} times as likely"
    return f"no-shows are {1 / ratio:.1f} times less likely"


def factors(
    model: RiskModel, row: list[float] | NDArray[np.float64], facts: dict[str, int] | None = None
) -> list[tuple[str, float]]:
    """The booking's factors, strongest first: words and how much each changes the
    chance of a no-show against a same-day booking by a stranger."""
    values = np.asarray(row, dtype=np.float64)
    p = model.probability(values)
    found: list[tuple[str, float]] = []
    for group, names in _GROUPS.items():
        reference = values.copy()
        for name in names:
            reference[INDEX[name]] = _REFERENCE[name]
        if np.array_equal(reference, values) and group != "visits":
            continue
        ratio = p / max(model.probability(reference), 1e-9)
        if abs(math.log(ratio)) < math.log(1.1):
            continue
        found.append((f"{_words(group, values, facts or {})}: {_likely(ratio)}", ratio))
    found.sort(key=lambda item: -abs(math.log(item[1])))
    return found


def describe(
    model: RiskModel,
    row: list[float] | NDArray[np.float64],
    facts: dict[str, int] | None = None,
    top: int = 2,
) -> list[str]:
    return [words for words, _ in factors(model, row, facts)[:top]]

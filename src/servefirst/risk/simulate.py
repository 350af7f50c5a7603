"""A merchant's own history replayed under other deposit policies.

Each policy is judged by what it would have done: how many bookings it would
have asked for a deposit, how many of the no-shows (and late cancellations)
those deposits would have covered, the fees that would have been kept, and
how many customers would have been asked at least once (the friction). The
model's probabilities are the walk-forward ones: each booking scored as it
would have been on the day it was made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from servefirst.bookings.rules import DepositPolicy
from servefirst.risk.features import Walked
from servefirst.risk.metrics import ask_top
from servefirst.risk.records import Outcome


@dataclass(frozen=True)
class Replay:
    policy: str
    bookings_asked: int
    asked_share: float
    no_shows_covered: int
    covered_share: float
    fees_kept: int
    customers_asked: int

    def as_dict(self) -> dict[str, Any]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class Simulation:
    bookings: int
    no_shows: int
    customers: int
    replays: list[Replay]

    def as_dict(self) -> dict[str, Any]:
        return {
            "bookings": self.bookings,
            "no_shows": self.no_shows,
            "customers": self.customers,
            "policies": [r.as_dict() for r in self.replays],
        }


def _fee(policy: DepositPolicy, price: int, outcome: Outcome | None) -> int:
    """What a deposit would have kept on this booking's outcome."""
    if outcome is Outcome.NO_SHOW:
        fee = policy.no_show_fee(price)
    elif outcome is Outcome.LATE_CANCELLED:
        fee = policy.late_cancel_fee(price)
    else:
        return 0
    return min(fee, policy.deposit_amount(price))


def replay(name: str, asked: NDArray[np.bool_], walked: Walked, policy: DepositPolicy) -> Replay:
    missed = walked.y == 1
    n_missed = int(missed.sum())
    fees = sum(
        _fee(policy, r.price or 0, r.outcome)
        for r, a in zip(walked.records, asked, strict=True)
        if a
    )
    customers = {r.customer_id for r, a in zip(walked.records, asked, strict=True) if a}
    return Replay(
        policy=name,
        bookings_asked=int(asked.sum()),
        asked_share=float(asked.mean()) if len(asked) else 0.0,
        no_shows_covered=int((asked & missed).sum()),
        covered_share=float((asked & missed).sum() / n_missed) if n_missed else 0.0,
        fees_kept=int(fees),
        customers_asked=len(customers),
    )


def simulate(
    walked: Walked,
    scores: NDArray[np.float64],
    policy: DepositPolicy,
    *,
    loss_threshold: int | None = None,
) -> Simulation:
    """Side by side: the share the policy asks, a loss threshold, today's rule,
    everyone and no one."""
    prices = np.array([r.price or 0 for r in walked.records], dtype=np.float64)
    losses = scores * prices
    share = float(policy.ask_share)
    threshold = loss_threshold if loss_threshold is not None else policy.loss_threshold
    if threshold is None:  # show one: a quarter of the typical price at stake
        threshold = int(np.median(prices) * 0.25) if len(prices) else 0
    n = len(walked)
    replays = [
        replay(f"ask the riskiest {share:.0%}", ask_top(losses, share), walked, policy),
        replay(
            f"expected loss at least {threshold / 100:.2f}", losses >= threshold, walked, policy
        ),
        replay("today's rule (new, restricted, 2 no-shows)", walked.rule_asks, walked, policy),
        replay("everyone", np.ones(n, dtype=np.bool_), walked, policy),
        replay("no one", np.zeros(n, dtype=np.bool_), walked, policy),
    ]
    return Simulation(
        bookings=n,
        no_shows=int((walked.y == 1).sum()),
        customers=len({r.customer_id for r in walked.records}),
        replays=replays,
    )

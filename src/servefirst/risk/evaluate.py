"""The walk-forward evaluation: the model as a merchant would have lived with it.

Bookings are taken in the order they were made. Each day's new bookings are
scored by a model fit only on outcomes known before that day (refit each day
that brought new outcomes, starting from the previous day's answer), and only
then is their outcome revealed. Before any outcome is known, the hand-set
default model scores alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from servefirst.risk import model as risk_model
from servefirst.risk.features import Walked
from servefirst.risk.metrics import Figures, ask_top, figures
from servefirst.risk.model import RiskModel


@dataclass(frozen=True)
class Evaluation:
    rows: int
    no_show_rate: float
    model: Figures
    rule: Figures
    refits: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "no_show_rate": round(self.no_show_rate, 4),
            "model": self.model.as_dict(),
            "rule": self.rule.as_dict(),
        }


def walk_forward(
    walked: Walked, base: RiskModel = risk_model.DEFAULT
) -> tuple[NDArray[np.float64], int]:
    """Each booking's probability when it was made; and how many refits it took."""
    estimator = risk_model.new_estimator()
    scores = np.zeros(len(walked), dtype=np.float64)
    learnable = walked.y >= 0
    current, trained_on, refits = base, -1, 0
    days, starts = np.unique(walked.made_on, return_index=True)
    ends = [*starts[1:], len(walked)]
    for day, start, end in zip(days, starts, ends, strict=True):
        train = learnable & (walked.known_on < day)
        count = int(train.sum())
        if count != trained_on:
            current = risk_model.fit(
                walked.x[train], walked.y[train], base=base, estimator=estimator
            )
            trained_on, refits = count, refits + 1
        scores[start:end] = current.probabilities(walked.x[start:end])
    return scores, refits


def evaluate(
    walked: Walked, share: float = 0.3, base: RiskModel = risk_model.DEFAULT
) -> Evaluation:
    scores, refits = walk_forward(walked, base)
    mask = walked.y >= 0
    y, p = walked.y[mask].astype(np.int64), scores[mask]
    if len(y) == 0 or y.min() == y.max():
        raise ValueError("the file needs both kept and missed bookings to be evaluated")
    # Today's rule ranks by the trust score: its probability of a bad visit.
    rule_p = 1.0 - walked.trust[mask]
    return Evaluation(
        rows=int(mask.sum()),
        no_show_rate=float(y.mean()),
        model=figures(y, p, ask_top(p, share)),
        rule=figures(y, rule_p, walked.rule_asks[mask]),
        refits=refits,
    )


def fit_records(walked: Walked, base: RiskModel = risk_model.DEFAULT) -> RiskModel:
    """One model from every outcome in the walk (``servefirst risk fit``, the server's refit)."""
    learn = walked.y >= 0
    prices = np.array([r.price or 0 for r in walked.records], dtype=np.float64)
    fitted = risk_model.fit(walked.x[learn], walked.y[learn], base=base)
    return risk_model.with_cuts(fitted, walked.x, prices)

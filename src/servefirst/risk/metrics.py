"""How well a risk score ranks and how honest its probabilities are.

- AUC: the chance that a missed booking scores above a kept one (ties half).
- Brier: the mean squared gap between probability and outcome.
- ECE: expected calibration error over equal-width bins of probability, each
  bin's gap between mean probability and no-show rate, weighted by its size.
- Asking a share: the top ``share`` of bookings by score are asked for a
  deposit; ``covered`` is the share of all no-shows that fall among them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def auc(y: NDArray[np.integer], score: FloatArray) -> float:
    """Mann-Whitney's statistic: average ranks, so ties count half."""
    from scipy.stats import rankdata  # slow to import: only when measuring

    positives = int(np.sum(y == 1))
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        raise ValueError("AUC needs both kept and missed bookings")
    ranks = rankdata(score)
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def brier(y: NDArray[np.integer], p: FloatArray) -> float:
    return float(np.mean((p - y) ** 2))


def ece(y: NDArray[np.integer], p: FloatArray, bins: int = 10) -> float:
    """Bins are [0, 0.1), [0.1, 0.2), ... [0.9, 1.0]."""
    which = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            total += inside.mean() * abs(float(p[inside].mean()) - float(y[inside].mean()))
    return float(total)


def ask_top(score: FloatArray, share: float) -> NDArray[np.bool_]:
    """Ask the ``share`` of bookings with the highest scores (ties by order)."""
    asked = np.zeros(len(score), dtype=np.bool_)
    count = int(round(share * len(score)))
    if count:
        asked[np.argsort(-score, kind="stable")[:count]] = True
    return asked


def covered(y: NDArray[np.integer], asked: NDArray[np.bool_]) -> float:
    missed = int(np.sum(y == 1))
    return float(np.sum(asked & (y == 1)) / missed) if missed else 0.0


@dataclass(frozen=True)
class Figures:
    auc: float
    brier: float
    ece: float
    asked_share: float
    covered_share: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in self.__dict__.items()}


def figures(
    y: NDArray[np.integer], p: FloatArray, asked: NDArray[np.bool_], rank: FloatArray | None = None
) -> Figures:
    """All five; ``rank`` orders bookings for the AUC when it is not ``p`` itself."""
    return Figures(
        auc=auc(y, p if rank is None else rank),
        brier=brier(y, p),
        ece=ece(y, p),
        asked_share=float(asked.mean()) if len(asked) else 0.0,
        covered_share=covered(y, asked),
    )

"""The deposit decision: the expected loss of a booking against the friction of asking.

A no-show costs the merchant the service's price (the slot cannot be sold
again at short notice); the expected loss is that price times the chance of a
no-show. Asking for a deposit has a cost too (some customers walk away), so a
merchant asks only where the expected loss is high: above a loss threshold it
sets, or among the riskiest share of its bookings (30 % unless it says
otherwise). Some tiers are always asked: restricted ones always, and whatever
the policies' ``required_for`` / ``deposit_required`` name.

Pure: the caller passes the model, the booking's features and the tier.
"""

from __future__ import annotations

from dataclasses import dataclass

from servefirst.risk.model import RiskModel, describe
from servefirst.trust.rules import Tier

#: Without history, the default model asks from a one-in-four chance of a
#: no-show: about the riskiest 30 % of bookings in the studies behind it.
DEFAULT_PROBABILITY_CUT = 0.25
DEFAULT_ASK_SHARE = 0.3
REASON_LIMIT = 200


@dataclass(frozen=True)
class RiskDecision:
    ask: bool
    probability: float
    #: Probability times the price, in minor units.
    expected_loss: float
    model_version: str
    reason: str


def threshold(model: RiskModel, ask_share: float) -> tuple[float, bool]:
    """The cut-off that asks ``ask_share`` of bookings, and whether it is in money."""
    if ask_share <= 0:
        return float("inf"), False
    if ask_share >= 1:
        return float("-inf"), False
    if not model.loss_cuts:
        return DEFAULT_PROBABILITY_CUT, False
    index = min(max(round(100 * (1 - ask_share)), 0), 100)
    return model.loss_cuts[index], model.cuts_in_money


def _fit(reason: str, details: list[str]) -> str:
    """The reason with as many factors as fit in the column."""
    while details:
        text = f"{reason} ({'; '.join(details)})."
        if len(text) <= REASON_LIMIT:
            return text
        details = details[:-1]
    return f"{reason}."[:REASON_LIMIT]


def decide(
    model: RiskModel,
    row: list[float],
    *,
    price: int,
    facts: dict[str, int] | None = None,
    ask_share: float = DEFAULT_ASK_SHARE,
    loss_threshold: int | None = None,
) -> RiskDecision:
    p = model.probability(row)
    loss = p * price
    if loss_threshold is not None:
        ask = loss >= loss_threshold
    else:
        cut, in_money = threshold(model, ask_share)
        ask = (loss if in_money else p) >= cut
    chance = f"a {p:.0%} chance of a no-show"
    head = f"Deposit asked: {chance}" if ask else f"No deposit needed: {chance}"
    return RiskDecision(ask, p, loss, model.version, _fit(head, describe(model, row, facts)))


def always_asked(tier: Tier, required_for: frozenset[Tier]) -> bool:
    """Restricted customers always leave a deposit; the policies may name more tiers."""
    return tier is Tier.RESTRICTED or tier in required_for

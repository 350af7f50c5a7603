"""What would allow it: the words staff read when a tab is refused.

Each hint is ``{"action", "message", ...numbers}`` so a till can offer the
action as a button and a person can read the message aloud.
"""

from __future__ import annotations

from typing import Any, Protocol

from servefirst.trust.estimator import Evidence
from servefirst.trust.rules import (
    TabLimitRule,
    Tier,
    TrustPolicy,
    days_to_pay_after,
    visits_to_pay_after,
)


class LimitView(Protocol):
    @property
    def tier(self) -> Tier: ...
    @property
    def limit(self) -> int: ...
    @property
    def outstanding(self) -> int: ...
    @property
    def on_time_visits(self) -> int: ...
    @property
    def rule(self) -> TabLimitRule | None: ...
    def shown(self, amount: int) -> str: ...


def over_limit_unlocks(limit: LimitView, requested: int) -> list[dict[str, Any]]:
    """A line (or a new tab) would pass the limit: what would make room."""
    hints: list[dict[str, Any]] = []
    needed = limit.outstanding + max(requested, 0)
    short = needed - limit.limit
    if limit.outstanding > 0 and short > 0 and short <= limit.outstanding:
        hints.append(
            {
                "action": "take_payment",
                "amount": short,
                "message": f"Take a payment of {limit.shown(short)} on this customer's open tabs.",
            }
        )
    rule = limit.rule
    if rule is not None:
        visits = rule.visits_to_reach(needed, limit.on_time_visits)
        if visits:
            grown = rule.limit(limit.on_time_visits + visits)
            hints.append(
                {
                    "action": "more_on_time_visits",
                    "visits": visits,
                    "limit": grown,
                    "message": (
                        f"{visits} more on-time paid "
                        f"{'visit raises' if visits == 1 else 'visits raise'} "
                        f"the limit to {limit.shown(grown)}."
                    ),
                }
            )
    if requested > 0:
        hints.append(
            {
                "action": "prepay",
                "amount": requested,
                "message": f"Or take {limit.shown(requested)} before serving (a prepaid line).",
            }
        )
    hints.append(
        {
            "action": "raise_limit",
            "message": (
                f"The owner can raise the {limit.tier.value} tier's limit in the trust policy."
            ),
        }
    )
    return hints


def prepayment_unlocks(evidence: Evidence, policy: TrustPolicy) -> list[dict[str, Any]]:
    """The tier may not pay after: take payment first, a hold, or what earns it back."""
    hints: list[dict[str, Any]] = [
        {"action": "prepay", "message": "Take payment before serving."},
        {
            "action": "card_hold",
            "message": "Or book the visit with a deposit or card hold: check-in opens the tab.",
        },
    ]
    visits = visits_to_pay_after(evidence, policy)
    if visits:
        hints.append(
            {
                "action": "more_paid_visits",
                "visits": visits,
                "message": (
                    f"{visits} paid {'visit brings' if visits == 1 else 'visits bring'} "
                    "paying after back."
                ),
            }
        )
    days = days_to_pay_after(evidence, policy)
    if days is not None:
        hints.append(
            {
                "action": "wait",
                "days": days,
                "message": (
                    f"Without new trouble, paying after comes back by itself in {days} days."
                ),
            }
        )
    return hints

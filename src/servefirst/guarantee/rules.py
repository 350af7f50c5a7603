"""Pure rules of the satisfaction guarantee: what a concern gets without a person.

A first, simple policy (the full one, with claim limits per period and the tie
to trust tiers, grows here):

- ``redo``: approved; the service is done again and the price stays.
- ``partial``: approved at once up to ``auto_approve_percent`` of the tab's
  total; a larger discount waits for staff (``pending``).
- ``waive``: waits for staff, who decide whether nothing is owed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from servefirst.kit.errors import InvalidRequest
from servefirst.kit.money import Money


class Remedy(StrEnum):
    REDO = "redo"
    PARTIAL = "partial"
    WAIVE = "waive"


class ConcernStatus(StrEnum):
    APPROVED = "approved"
    PENDING = "pending"
    REJECTED = "rejected"


@dataclass(frozen=True)
class GuaranteePolicy:
    #: Largest share of the tab's total discounted without review, in percent.
    auto_approve_percent: Decimal = Decimal(20)
    #: Whether a full waiver waits for staff.
    waive_needs_review: bool = True

    @classmethod
    def from_policy(cls, policy: dict[str, Any]) -> GuaranteePolicy:
        values = (policy or {}).get("guarantee", {})
        return cls(
            auto_approve_percent=Decimal(str(values.get("auto_approve_percent", 20))),
            waive_needs_review=bool(values.get("waive_needs_review", True)),
        )


@dataclass(frozen=True)
class Decision:
    status: ConcernStatus
    amount: int  # the discount granted now (0 unless approved)
    reason: str


def requested_amount(remedy: Remedy, amount: int | None, due: int) -> int:
    """The discount asked for, checked against what is owed."""
    if remedy is Remedy.REDO:
        return 0
    if remedy is Remedy.WAIVE:
        return due if amount is None else _within(amount, due)
    if amount is None:
        raise InvalidRequest(
            "A partial remedy needs the amount of the discount asked for.",
            code="parameter_missing",
            param="amount",
        )
    return _within(amount, due)


def _within(amount: int, due: int) -> int:
    if amount <= 0:
        raise InvalidRequest("amount must be more than 0.", param="amount")
    if amount > due:
        raise InvalidRequest(
            f"amount {amount} is more than the {due} still owed.",
            code="amount_exceeds_due",
            param="amount",
        )
    return amount


def decide(
    remedy: Remedy,
    amount: int,
    total: int,
    currency: str,
    policy: GuaranteePolicy,
    *,
    already_granted: int = 0,
) -> Decision:
    """What a concern gets now. ``total`` is the bill after the discounts
    ``already_granted`` on it; those count against the same ceiling, so
    repeated small claims cannot talk a bill down without staff seeing it."""
    if remedy is Remedy.REDO:
        return Decision(
            ConcernStatus.APPROVED, 0, "We will do it again for you; the price stays the same."
        )
    if remedy is Remedy.WAIVE and policy.waive_needs_review:
        return Decision(ConcernStatus.PENDING, 0, "A member of staff will look at this now.")
    before_discounts = total + already_granted
    ceiling = Money(before_discounts, currency).percent(policy.auto_approve_percent).amount
    if already_granted + amount <= ceiling:
        return Decision(
            ConcernStatus.APPROVED, amount, "Approved: the discount has been taken off your bill."
        )
    return Decision(
        ConcernStatus.PENDING,
        0,
        f"A discount above {policy.auto_approve_percent}% of the bill is decided "
        "by staff; they will look at it now.",
    )

"""Pure rules of the satisfaction guarantee: what a concern gets without a person.

A merchant's :class:`GuaranteePolicy` (``merchant.policy["guarantee"]``) says
what is decided at once; the rest waits for staff. In order:

1. A customer whose trust tier is in ``review_tiers`` always waits for staff.
2. A customer who already had ``claim_limit`` approved claims in the last
   ``claim_period_days`` days has used up the guarantee for now: the concern
   waits for staff (``over_limit: "review"``) or is refused at once
   (``over_limit: "reject"``). Redo, partial and waive claims all count.
3. ``redo``: approved; the service is done again and the price stays.
4. ``waive``: waits for staff when ``waive_needs_review`` (the default).
5. ``partial`` (and ``waive`` without review): approved at once while the
   discounts on the tab, this one included, stay within
   ``auto_approve_percent`` of the bill before discounts; above, staff decide.

The defaults keep the guarantee generous (no claim limit, every tier decided at
once up to a fifth of the bill); a merchant tightens it through
``POST /v1/merchant/guarantee-policy``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from servefirst.guarantee import decision_words as words
from servefirst.kit.errors import InvalidRequest
from servefirst.kit.money import Money

TIERS = ("trusted", "standard", "new", "restricted")


class Remedy(StrEnum):
    REDO = "redo"
    PARTIAL = "partial"
    WAIVE = "waive"


class ConcernStatus(StrEnum):
    APPROVED = "approved"
    PENDING = "pending"
    REJECTED = "rejected"


class OverLimit(StrEnum):
    REVIEW = "review"  # past the claim limit, staff decide
    REJECT = "reject"  # past the claim limit, refused at once


@dataclass(frozen=True)
class GuaranteePolicy:
    #: Largest share of the tab's bill (before discounts) taken off without review, in percent.
    auto_approve_percent: Decimal = Decimal(20)
    #: Whether a full waiver waits for staff.
    waive_needs_review: bool = True
    #: Approved claims a customer may have per period before the guarantee stops
    #: answering at once; None: no limit.
    claim_limit: int | None = None
    claim_period_days: int = 90
    over_limit: OverLimit = OverLimit.REVIEW
    #: Trust tiers whose concerns always wait for staff.
    review_tiers: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_policy(cls, policy: dict[str, Any] | None) -> GuaranteePolicy:
        values = (policy or {}).get("guarantee", {}) or {}
        limit = values.get("claim_limit")
        return cls(
            auto_approve_percent=Decimal(str(values.get("auto_approve_percent", 20))),
            waive_needs_review=bool(values.get("waive_needs_review", True)),
            claim_limit=None if limit is None else int(limit),
            claim_period_days=int(values.get("claim_period_days", 90)),
            over_limit=OverLimit(values.get("over_limit", OverLimit.REVIEW.value)),
            review_tiers=frozenset(values.get("review_tiers", ())),
        )

    def as_dict(self) -> dict[str, Any]:
        """The stored (and shown) form: JSON values only, the percent as a string."""
        return {
            "auto_approve_percent": str(self.auto_approve_percent),
            "waive_needs_review": self.waive_needs_review,
            "claim_limit": self.claim_limit,
            "claim_period_days": self.claim_period_days,
            "over_limit": self.over_limit.value,
            "review_tiers": [t for t in TIERS if t in self.review_tiers],
        }

    def updated(self, changes: dict[str, Any]) -> GuaranteePolicy:
        """This policy with ``changes`` applied, checked (422 naming the field)."""
        merged = {**self.as_dict(), **changes}
        try:
            percent = Decimal(str(merged["auto_approve_percent"]))
        except InvalidOperation:
            percent = Decimal(-1)
        if not percent.is_finite() or not Decimal(0) <= percent <= Decimal(100):
            raise InvalidRequest(
                "auto_approve_percent must be a number from 0 to 100.",
                param="auto_approve_percent",
            )
        limit = merged["claim_limit"]
        if limit is not None and (not isinstance(limit, int) or limit < 0):
            raise InvalidRequest("claim_limit must be 0 or more, or null.", param="claim_limit")
        days = merged["claim_period_days"]
        if not isinstance(days, int) or not 1 <= days <= 3660:
            raise InvalidRequest(
                "claim_period_days must be from 1 to 3660.", param="claim_period_days"
            )
        unknown = set(merged["review_tiers"]) - set(TIERS)
        if unknown:
            raise InvalidRequest(
                f"review_tiers may name {', '.join(TIERS)}; not {', '.join(sorted(unknown))}.",
                param="review_tiers",
            )
        return GuaranteePolicy.from_policy(
            {"guarantee": {**merged, "auto_approve_percent": percent}}
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
            figures={"discount": amount, "due": due},  # said in words by the pages
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
    tier: str | None = None,
    approved_claims: int = 0,
) -> Decision:
    """What a concern gets now. ``total`` is the bill after the discounts
    ``already_granted`` on it; those count against the same ceiling, so
    repeated small claims cannot talk a bill down without staff seeing it.
    ``tier`` is the customer's trust tier; ``approved_claims`` how many of
    their claims were approved within the policy's period."""
    if tier is not None and tier in policy.review_tiers:
        return Decision(ConcernStatus.PENDING, 0, words.STAFF_DECIDE_HERE)
    if policy.claim_limit is not None and approved_claims >= policy.claim_limit:
        used = {"claims": approved_claims, "days": policy.claim_period_days}
        one = approved_claims == 1
        if policy.over_limit is OverLimit.REJECT:
            limit = words.LIMIT_REJECT_ONE if one else words.LIMIT_REJECT_MANY
            return Decision(ConcernStatus.REJECTED, 0, limit % used)
        limit = words.LIMIT_REVIEW_ONE if one else words.LIMIT_REVIEW_MANY
        return Decision(ConcernStatus.PENDING, 0, limit % used)
    if remedy is Remedy.REDO:
        return Decision(ConcernStatus.APPROVED, 0, words.REDO)
    if remedy is Remedy.WAIVE and policy.waive_needs_review:
        return Decision(ConcernStatus.PENDING, 0, words.STAFF_WILL_LOOK)
    before_discounts = total + already_granted
    ceiling = Money(before_discounts, currency).percent(policy.auto_approve_percent).amount
    if already_granted + amount <= ceiling:
        return Decision(ConcernStatus.APPROVED, amount, words.APPROVED)
    above = {"percent": policy.auto_approve_percent}
    return Decision(ConcernStatus.PENDING, 0, words.ABOVE_PERCENT % above)

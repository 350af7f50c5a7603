"""The merchant's guarantee policy: every branch of what a concern gets at once.

Order of the rules (guarantee/rules.py): a tier under review -> pending; past
the claim limit -> pending or rejected; redo -> approved; waive -> pending
when reviewed; partial (and unreviewed waive) -> approved within the ceiling.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from servefirst.guarantee.rules import (
    TIERS,
    ConcernStatus,
    GuaranteePolicy,
    OverLimit,
    Remedy,
    decide,
)
from servefirst.kit.errors import InvalidRequest

LIMITED = GuaranteePolicy(claim_limit=2, claim_period_days=90)
STRICT = GuaranteePolicy(
    claim_limit=2, over_limit=OverLimit.REJECT, review_tiers=frozenset({"new", "restricted"})
)


# --- defaults and the stored form ---------------------------------------------------------


def test_the_default_policy_limits_nothing_but_the_ceiling_and_waivers() -> None:
    default = GuaranteePolicy()
    assert default.claim_limit is None
    assert default.review_tiers == frozenset()
    assert default.over_limit is OverLimit.REVIEW
    assert default.as_dict() == {
        "auto_approve_percent": "20",
        "waive_needs_review": True,
        "claim_limit": None,
        "claim_period_days": 90,
        "over_limit": "review",
        "review_tiers": [],
    }


def test_the_stored_form_reads_back_to_the_same_policy() -> None:
    stored = STRICT.as_dict()
    assert stored["review_tiers"] == ["new", "restricted"]  # in tier order
    assert GuaranteePolicy.from_policy({"guarantee": stored}) == STRICT


def test_an_update_changes_only_what_is_sent() -> None:
    changed = GuaranteePolicy().updated({"claim_limit": 3, "review_tiers": ["restricted"]})
    assert changed.claim_limit == 3
    assert changed.review_tiers == frozenset({"restricted"})
    assert changed.auto_approve_percent == Decimal(20)
    assert changed.updated({"claim_limit": None}).claim_limit is None
    assert changed.updated({"auto_approve_percent": "12.5"}).auto_approve_percent == Decimal("12.5")


@pytest.mark.parametrize(
    ("changes", "param"),
    [
        ({"auto_approve_percent": "101"}, "auto_approve_percent"),
        ({"auto_approve_percent": "-1"}, "auto_approve_percent"),
        ({"auto_approve_percent": "lots"}, "auto_approve_percent"),
        ({"claim_limit": -1}, "claim_limit"),
        ({"claim_period_days": 0}, "claim_period_days"),
        ({"review_tiers": ["vip"]}, "review_tiers"),
    ],
)
def test_a_bad_update_names_its_field(changes: dict[str, object], param: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        GuaranteePolicy().updated(changes)
    assert refused.value.param == param


# --- the tie to trust -------------------------------------------------------------------------


@pytest.mark.parametrize("remedy", list(Remedy))
@pytest.mark.parametrize("tier", ["new", "restricted"])
def test_a_tier_under_review_always_waits_for_staff(remedy: Remedy, tier: str) -> None:
    decision = decide(remedy, 1, 1000, "EUR", STRICT, tier=tier)
    assert (decision.status, decision.amount) == (ConcernStatus.PENDING, 0)
    assert "staff" in decision.reason


@pytest.mark.parametrize("tier", ["trusted", "standard"])
def test_other_tiers_are_approved_up_to_the_ceiling(tier: str) -> None:
    assert decide(Remedy.PARTIAL, 200, 1000, "EUR", STRICT, tier=tier).status is (
        ConcernStatus.APPROVED
    )
    assert decide(Remedy.PARTIAL, 201, 1000, "EUR", STRICT, tier=tier).status is (
        ConcernStatus.PENDING
    )
    assert decide(Remedy.REDO, 0, 1000, "EUR", STRICT, tier=tier).status is (ConcernStatus.APPROVED)


def test_every_tier_is_decided_at_once_by_default() -> None:
    for tier in TIERS:
        decision = decide(Remedy.PARTIAL, 100, 1000, "EUR", GuaranteePolicy(), tier=tier)
        assert decision.status is ConcernStatus.APPROVED, tier


# --- the claim limit --------------------------------------------------------------------------


@pytest.mark.parametrize("remedy", list(Remedy))
def test_within_the_claim_limit_the_usual_rules_apply(remedy: Remedy) -> None:
    default = decide(remedy, 100, 1000, "EUR", GuaranteePolicy())
    assert decide(remedy, 100, 1000, "EUR", LIMITED, approved_claims=1) == default


@pytest.mark.parametrize("remedy", list(Remedy))
@pytest.mark.parametrize("claims", [2, 3, 10])
def test_past_the_claim_limit_staff_decide(remedy: Remedy, claims: int) -> None:
    decision = decide(remedy, 100, 1000, "EUR", LIMITED, approved_claims=claims)
    assert (decision.status, decision.amount) == (ConcernStatus.PENDING, 0)
    assert f"{claims} approved claims in the last 90 days" in decision.reason


def test_past_the_claim_limit_the_policy_may_refuse_at_once() -> None:
    decision = decide(Remedy.REDO, 0, 1000, "EUR", STRICT, tier="trusted", approved_claims=2)
    assert (decision.status, decision.amount) == (ConcernStatus.REJECTED, 0)
    assert "the bill stays as it is" in decision.reason
    one = decide(
        Remedy.PARTIAL,
        50,
        1000,
        "EUR",
        GuaranteePolicy(claim_limit=1, over_limit=OverLimit.REJECT),
        approved_claims=1,
    )
    assert one.status is ConcernStatus.REJECTED
    assert "1 approved claim in the last 90 days" in one.reason


def test_a_limit_of_zero_sends_every_concern_to_staff() -> None:
    none = GuaranteePolicy(claim_limit=0)
    assert decide(Remedy.REDO, 0, 1000, "EUR", none).status is ConcernStatus.PENDING


def test_the_tier_is_checked_before_the_claim_limit() -> None:
    # A reviewed tier waits for staff even where the limit would refuse: a
    # person, not the rule, turns down someone the shop wants to look at.
    decision = decide(Remedy.PARTIAL, 50, 1000, "EUR", STRICT, tier="new", approved_claims=5)
    assert decision.status is ConcernStatus.PENDING


# --- remedies under a policy without review -------------------------------------------------


def test_a_waiver_without_review_goes_through_within_the_ceiling() -> None:
    open_policy = GuaranteePolicy(waive_needs_review=False, auto_approve_percent=Decimal(100))
    decision = decide(Remedy.WAIVE, 1000, 1000, "EUR", open_policy)
    assert (decision.status, decision.amount) == (ConcernStatus.APPROVED, 1000)
    assert decide(Remedy.WAIVE, 1000, 1000, "EUR", GuaranteePolicy()).status is (
        ConcernStatus.PENDING
    )

"""Satisfaction guarantee: what a concern gets at once, and what waits for staff."""

from __future__ import annotations

from decimal import Decimal

import pytest

from servefirst.guarantee.rules import (
    ConcernStatus,
    Decision,
    GuaranteePolicy,
    Remedy,
    decide,
    requested_amount,
)
from servefirst.kit.errors import InvalidRequest

DEFAULT = GuaranteePolicy()


# --- the policy --------------------------------------------------------------------------------


def test_default_policy_auto_approves_up_to_a_fifth_and_reviews_waivers() -> None:
    assert DEFAULT.auto_approve_percent == Decimal(20)
    assert DEFAULT.waive_needs_review is True
    assert GuaranteePolicy.from_policy({}) == DEFAULT
    assert GuaranteePolicy.from_policy(None) == DEFAULT  # type: ignore[arg-type]


def test_merchant_policy_sets_the_guarantee() -> None:
    policy = GuaranteePolicy.from_policy(
        {"guarantee": {"auto_approve_percent": 12.5, "waive_needs_review": False}}
    )
    assert policy.auto_approve_percent == Decimal("12.5")
    assert policy.waive_needs_review is False


# --- redo --------------------------------------------------------------------------------------


def test_a_redo_is_approved_and_costs_the_customer_nothing_off_the_bill() -> None:
    assert requested_amount(Remedy.REDO, None, 760) == 0
    assert requested_amount(Remedy.REDO, 500, 760) == 0  # an amount on a redo is ignored
    decision = decide(Remedy.REDO, 0, 760, "EUR", DEFAULT)
    assert decision.status is ConcernStatus.APPROVED
    assert decision.amount == 0
    assert "again" in decision.reason


# --- partial -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "total"), [(1, 1000), (150, 1000), (200, 1000), (760, 3800)])
def test_a_partial_discount_up_to_a_fifth_is_approved_at_once(amount: int, total: int) -> None:
    decision = decide(Remedy.PARTIAL, amount, total, "EUR", DEFAULT)
    assert decision == Decision(
        ConcernStatus.APPROVED, amount, "Approved: the discount has been taken off your bill."
    )


@pytest.mark.parametrize(("amount", "total"), [(201, 1000), (500, 1000), (1000, 1000), (761, 3800)])
def test_a_larger_partial_discount_waits_for_staff(amount: int, total: int) -> None:
    decision = decide(Remedy.PARTIAL, amount, total, "EUR", DEFAULT)
    assert decision.status is ConcernStatus.PENDING
    assert decision.amount == 0  # nothing is granted until staff decide
    assert "20%" in decision.reason


def test_the_ceiling_is_rounded_half_up_on_the_minor_unit() -> None:
    # 20% of 1003 is 200.6: the ceiling is 201, the one rounding rule of Money.
    assert decide(Remedy.PARTIAL, 201, 1003, "EUR", DEFAULT).status is ConcernStatus.APPROVED
    assert decide(Remedy.PARTIAL, 202, 1003, "EUR", DEFAULT).status is ConcernStatus.PENDING


def test_the_merchant_percent_is_the_ceiling() -> None:
    generous = GuaranteePolicy(auto_approve_percent=Decimal(50))
    assert decide(Remedy.PARTIAL, 500, 1000, "EUR", generous).status is ConcernStatus.APPROVED
    assert decide(Remedy.PARTIAL, 501, 1000, "EUR", generous).status is ConcernStatus.PENDING
    strict = GuaranteePolicy(auto_approve_percent=Decimal(0))
    assert decide(Remedy.PARTIAL, 1, 1000, "EUR", strict).status is ConcernStatus.PENDING


def test_repeated_partial_claims_cannot_farm_the_whole_bill() -> None:
    # A customer who asks for 20% off, then 20% of what is left, and so on,
    # must not talk the bill down to nothing without anyone looking: what was
    # already granted counts against the same ceiling.
    subtotal, granted = 1000, 0
    approved_at_once = 0
    for _ in range(10):
        total = subtotal - granted
        decision = decide(
            Remedy.PARTIAL, total // 5, total, "EUR", DEFAULT, already_granted=granted
        )
        if decision.status is ConcernStatus.APPROVED:
            approved_at_once += 1
            granted += decision.amount
    assert approved_at_once == 1
    assert granted == 200


def test_already_granted_discounts_count_against_the_ceiling() -> None:
    # 1000 subtotal, 150 already taken off: 50 more is still within a fifth.
    assert (
        decide(Remedy.PARTIAL, 50, 850, "EUR", DEFAULT, already_granted=150).status
        is ConcernStatus.APPROVED
    )
    assert (
        decide(Remedy.PARTIAL, 51, 850, "EUR", DEFAULT, already_granted=150).status
        is ConcernStatus.PENDING
    )


# --- waive -------------------------------------------------------------------------------------


def test_a_waiver_waits_for_staff() -> None:
    assert requested_amount(Remedy.WAIVE, None, 760) == 760  # everything still owed
    decision = decide(Remedy.WAIVE, 760, 760, "EUR", DEFAULT)
    assert decision.status is ConcernStatus.PENDING
    assert decision.amount == 0
    assert "staff" in decision.reason


def test_a_waiver_of_part_of_the_bill_is_checked() -> None:
    assert requested_amount(Remedy.WAIVE, 300, 760) == 300
    with pytest.raises(InvalidRequest):
        requested_amount(Remedy.WAIVE, 761, 760)


def test_without_review_a_waiver_still_only_goes_through_up_to_the_ceiling() -> None:
    no_review = GuaranteePolicy(waive_needs_review=False)
    assert decide(Remedy.WAIVE, 100, 1000, "EUR", no_review).status is ConcernStatus.APPROVED
    assert decide(Remedy.WAIVE, 1000, 1000, "EUR", no_review).status is ConcernStatus.PENDING


# --- bad amounts -------------------------------------------------------------------------------


def test_a_partial_remedy_needs_an_amount() -> None:
    with pytest.raises(InvalidRequest) as refused:
        requested_amount(Remedy.PARTIAL, None, 760)
    assert refused.value.code == "parameter_missing"
    assert refused.value.param == "amount"
    assert refused.value.status == 422


@pytest.mark.parametrize("remedy", [Remedy.PARTIAL, Remedy.WAIVE])
@pytest.mark.parametrize("amount", [0, -1, -760])
def test_an_amount_must_be_positive(remedy: Remedy, amount: int) -> None:
    with pytest.raises(InvalidRequest) as refused:
        requested_amount(remedy, amount, 760)
    assert refused.value.code == "parameter_invalid"
    assert refused.value.param == "amount"


@pytest.mark.parametrize("remedy", [Remedy.PARTIAL, Remedy.WAIVE])
def test_an_amount_above_what_is_owed_is_refused(remedy: Remedy) -> None:
    with pytest.raises(InvalidRequest) as refused:
        requested_amount(remedy, 761, 760)
    assert refused.value.code == "amount_exceeds_due"
    assert refused.value.param == "amount"
    assert requested_amount(remedy, 760, 760) == 760


def test_unknown_remedy_is_not_a_remedy() -> None:
    with pytest.raises(ValueError):
        Remedy("refund")

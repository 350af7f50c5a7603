"""The booking rules with plain objects: deposits, presets, outcomes, holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servefirst.bookings.rules import (
    CAFE_POLICY,
    PRESETS,
    SALON_POLICY,
    BookingAction,
    BookingStatus,
    DepositMode,
    DepositPolicy,
    HoldPlan,
    IllegalBookingTransition,
    Outcome,
    decide_deposit,
    plan_hold,
    settle_cancellation,
    settle_no_show,
    transition,
)
from servefirst.kit.errors import InvalidRequest
from servefirst.trust.rules import Tier

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("status", list(BookingStatus))
@pytest.mark.parametrize("action", list(BookingAction))
def test_only_a_confirmed_booking_moves(status: BookingStatus, action: BookingAction) -> None:
    if status is BookingStatus.CONFIRMED:
        expected = {
            BookingAction.CHECK_IN: BookingStatus.CHECKED_IN,
            BookingAction.CANCEL: BookingStatus.CANCELLED,
            BookingAction.NO_SHOW: BookingStatus.NO_SHOW,
            BookingAction.RESCHEDULE: BookingStatus.CONFIRMED,  # a move keeps it booked
        }[action]
        assert transition(status, action) is expected
    else:
        with pytest.raises(IllegalBookingTransition) as refused:
            transition(status, action)
        assert refused.value.code == "booking_state_invalid"
        assert refused.value.status == 409


def test_presets_are_the_ones_salon_owners_know() -> None:
    charges = {name: (p.late_cancel_pct, p.no_show_pct) for name, p in PRESETS.items()}
    assert charges == {
        "flexible": (0, 10),
        "fair": (10, 30),
        "moderate": (30, 50),
        "strict": (50, 100),
    }


def test_percentage_deposit_is_clamped_and_rounded_half_up() -> None:
    policy = DepositPolicy(enabled=True, percent=Decimal(15), minimum=200, maximum=2000)
    assert policy.deposit_amount(3500) == 525
    assert policy.deposit_amount(1000) == 200  # the minimum
    assert policy.deposit_amount(50000) == 2000  # the maximum
    assert policy.deposit_amount(150) == 150  # never more than the price
    assert DepositPolicy(enabled=True, percent=Decimal(15)).deposit_amount(3) == 0  # 0.45 -> 0
    assert DepositPolicy(enabled=True, percent=Decimal(15)).deposit_amount(10) == 2  # 1.5 -> 2


def test_fixed_deposit_wins_over_percentage() -> None:
    policy = DepositPolicy(enabled=True, percent=Decimal(50), fixed=1000)
    assert policy.deposit_amount(8500) == 1000
    assert policy.deposit_amount(800) == 800


@pytest.mark.parametrize(
    "changes",
    [
        {"preset": "lenient"},
        {"percent": Decimal(101)},
        {"percent": Decimal(-1)},
        {"minimum": -1},
        {"minimum": 500, "maximum": 100},
        {"hold_days": 0},
    ],
)
def test_nonsense_policies_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidRequest):
        DepositPolicy(**changes)  # type: ignore[arg-type]


def test_policy_round_trips_through_its_stored_form() -> None:
    policy = DepositPolicy(
        enabled=True,
        percent=Decimal("12.5"),
        minimum=100,
        maximum=None,
        preset="strict",
        mode=DepositMode.HOLD,
        required_for=frozenset({Tier.RESTRICTED}),
    )
    assert DepositPolicy.from_dict(policy.as_dict()) == policy
    assert DepositPolicy.from_dict(None) == DepositPolicy()


def test_cafe_takes_no_deposit_salon_asks_the_tiers_it_names() -> None:
    cafe = decide_deposit(CAFE_POLICY, price=1250, tier=Tier.NEW, no_shows=0)
    assert not cafe.required and cafe.amount == 0
    # Issue 23: new customers are no longer always asked; the no-show model decides,
    # unless the policy names them.
    assert not decide_deposit(SALON_POLICY, price=3500, tier=Tier.NEW, no_shows=0).required
    salon_new = decide_deposit(
        SALON_POLICY, price=3500, tier=Tier.NEW, no_shows=0, required_for=frozenset({Tier.NEW})
    )
    assert salon_new.required and salon_new.amount == 525
    assert "New customer" in salon_new.reason
    # 10-20% of the price, as a salon owner expects
    assert Decimal("0.10") <= Decimal(salon_new.amount) / 3500 <= Decimal("0.20")


@pytest.mark.parametrize("tier", [Tier.TRUSTED, Tier.STANDARD])
def test_earned_trust_means_no_deposit(tier: Tier) -> None:
    decision = decide_deposit(SALON_POLICY, price=3500, tier=tier, no_shows=0)
    assert not decision.required
    assert "no deposit needed" in decision.reason


def test_repeated_no_shows_bring_deposits_back_even_for_the_trusted() -> None:
    once = decide_deposit(SALON_POLICY, price=3500, tier=Tier.TRUSTED, no_shows=1)
    twice = decide_deposit(SALON_POLICY, price=3500, tier=Tier.TRUSTED, no_shows=2)
    assert not once.required
    assert twice.required and "2 missed bookings" in twice.reason


def test_cancelling_in_time_refunds_everything() -> None:
    result = settle_cancellation(
        SALON_POLICY, price=3500, deposit=525, starts_at=NOW + timedelta(hours=24), now=NOW
    )
    assert (result.outcome, result.fee, result.refund) == (Outcome.REFUND, 0, 525)


def test_late_cancellation_keeps_the_fee_and_refunds_the_rest() -> None:
    # fair: 10% of 35.00 = 3.50 kept of the 5.25 deposit
    result = settle_cancellation(
        SALON_POLICY, price=3500, deposit=525, starts_at=NOW + timedelta(hours=23), now=NOW
    )
    assert (result.outcome, result.fee, result.refund) == (Outcome.FORFEIT, 350, 175)


def test_late_cancellation_under_flexible_is_free() -> None:
    policy = DepositPolicy(enabled=True, percent=Decimal(20), preset="flexible")
    result = settle_cancellation(
        policy, price=3500, deposit=700, starts_at=NOW + timedelta(hours=1), now=NOW
    )
    assert (result.outcome, result.fee, result.refund) == (Outcome.REFUND, 0, 700)


def test_no_show_fee_is_capped_by_the_deposit() -> None:
    strict = DepositPolicy(enabled=True, percent=Decimal(20), preset="strict")
    result = settle_no_show(
        strict, price=3500, deposit=700, starts_at=NOW - timedelta(hours=1), now=NOW
    )
    assert (result.outcome, result.fee, result.refund) == (Outcome.FORFEIT, 700, 0)


def test_no_show_before_the_slot_is_refused() -> None:
    with pytest.raises(InvalidRequest):
        settle_no_show(
            SALON_POLICY, price=3500, deposit=525, starts_at=NOW + timedelta(minutes=5), now=NOW
        )


def test_no_show_fee_expires_after_the_charge_window() -> None:
    inside = settle_no_show(
        SALON_POLICY, price=3500, deposit=525, starts_at=NOW - timedelta(days=14), now=NOW
    )
    outside = settle_no_show(
        SALON_POLICY,
        price=3500,
        deposit=525,
        starts_at=NOW - timedelta(days=14, seconds=1),
        now=NOW,
    )
    assert inside.outcome is Outcome.FORFEIT
    assert (outside.outcome, outside.fee, outside.refund) == (Outcome.NO_CHARGE, 0, 525)


@given(
    price=st.integers(0, 10**8),
    percent=st.decimals(0, 100, places=2),
    preset=st.sampled_from(sorted(PRESETS)),
    hours_ahead=st.integers(-48, 72),
)
def test_a_deposit_is_always_split_exactly(
    price: int, percent: Decimal, preset: str, hours_ahead: int
) -> None:
    policy = DepositPolicy(enabled=True, percent=percent, preset=preset)
    deposit = policy.deposit_amount(price)
    assert 0 <= deposit <= price
    starts_at = NOW + timedelta(hours=hours_ahead)
    outcomes = [
        settle_cancellation(policy, price=price, deposit=deposit, starts_at=starts_at, now=NOW)
    ]
    if hours_ahead <= 0:
        outcomes.append(
            settle_no_show(policy, price=price, deposit=deposit, starts_at=starts_at, now=NOW)
        )
    for result in outcomes:
        assert result.fee + result.refund == deposit
        assert result.fee >= 0 and result.refund >= 0


@pytest.mark.parametrize(
    ("days_ahead", "plan"),
    [(1, HoldPlan.HOLD), (7, HoldPlan.HOLD), (8, HoldPlan.HOLD_AND_RENEW), (15, HoldPlan.CAPTURE)],
)
def test_hold_plan_depends_on_how_far_ahead(days_ahead: int, plan: HoldPlan) -> None:
    assert plan_hold(starts_at=NOW + timedelta(days=days_ahead), now=NOW, hold_days=7) is plan

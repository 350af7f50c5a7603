"""Loyalty's pure rules: what a paid tab earns, what a refund takes back, what
a reward is worth on a bill; and, over any story of visits and refunds, a
balance that never goes below zero."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servefirst.loyalty import rules
from servefirst.loyalty.rules import ProgramInvalid, RewardRefused, RewardSpec, RewardType

MONDAY_3PM = datetime(2026, 11, 30, 15, 0)
MONDAY_5PM = datetime(2026, 11, 30, 17, 0)


def stamp_card(**extra: object) -> rules.LoyaltyProgram:
    return rules.checked_program(
        {
            "kind": "visits",
            "visits_per_reward": 10,
            "min_spend": 300,
            "reward": {"type": "free_service", "service_id": "svc_flat"},
            **extra,
        }
    )


def points(**extra: object) -> rules.LoyaltyProgram:
    return rules.checked_program(
        {
            "kind": "points",
            "points_per_unit": 1,
            "points_per_reward": 100,
            "reward": {"type": "amount_off", "amount": 500},
            **extra,
        }
    )


def test_a_stamp_needs_the_minimum_spend() -> None:
    card = stamp_card()
    assert rules.earned(card, 299, "EUR", MONDAY_3PM) == 0
    assert rules.earned(card, 300, "EUR", MONDAY_3PM) == 1
    assert rules.earned(card, 9000, "EUR", MONDAY_3PM) == 1


def test_a_waived_tab_earns_nothing_even_without_a_minimum() -> None:
    assert rules.earned(stamp_card(min_spend=0), 0, "EUR", MONDAY_3PM) == 0


def test_points_count_whole_euros_and_yen_have_no_cents() -> None:
    assert rules.earned(points(), 1299, "EUR", MONDAY_3PM) == 12
    assert rules.earned(points(points_per_unit=3), 1299, "JPY", MONDAY_3PM) == 3897


def test_double_points_only_inside_the_window() -> None:
    happy = points(promotions=[{"weekdays": ["mon"], "starts": "14:00", "ends": "16:00"}])
    assert rules.earned(happy, 1000, "EUR", MONDAY_3PM) == 20
    assert rules.earned(happy, 1000, "EUR", MONDAY_5PM) == 10
    assert rules.earned(happy, 1000, "EUR", MONDAY_3PM + timedelta(days=1)) == 10


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"kind": "coins"}, "kind"),
        ({"visits_per_reward": 0}, "visits_per_reward"),
        ({"min_spend": -1}, "min_spend"),
        ({"reward": {"type": "free_service"}}, "reward.service_id"),
        ({"reward": {"type": "percent_off", "percent": "120"}}, "reward.percent"),
        ({"reward": {"type": "amount_off", "amount": 1.5}}, "reward.amount"),
        ({"expires_after_days": 0}, "expires_after_days"),
        ({"promotions": [{"starts": "16:00", "ends": "14:00"}]}, "promotions"),
    ],
)
def test_a_bad_programme_names_its_field(change: dict[str, object], param: str) -> None:
    body = {
        "kind": "visits",
        "visits_per_reward": 10,
        "reward": {"type": "amount_off", "amount": 100},
        **change,
    }
    with pytest.raises(ProgramInvalid) as refused:
        rules.checked_program(body)
    assert refused.value.param.startswith(param)


def test_a_programme_reads_back_as_it_was_kept() -> None:
    happy = points(promotions=[{"weekdays": ["fri"], "starts": "17:00", "ends": "19:00"}])
    assert rules.checked_program(happy.as_stored()) == happy


def test_rewards_are_worth_what_they_say_and_never_more_than_is_due() -> None:
    off = RewardSpec(RewardType.AMOUNT_OFF, amount=500)
    assert rules.reward_value(off, total=800, due=800, line_prices={}) == 500
    with pytest.raises(RewardRefused) as big:
        rules.reward_value(off, total=400, due=400, line_prices={})
    assert big.value.code == "reward_exceeds_due"
    tenth = RewardSpec(RewardType.PERCENT_OFF, percent=Decimal("12.5"))
    assert rules.reward_value(tenth, total=1004, due=1004, line_prices={}) == 126  # 125.5 up
    free = RewardSpec(RewardType.FREE_SERVICE, service_id="svc_flat")
    assert rules.reward_value(free, total=600, due=600, line_prices={"svc_flat": 380}) == 380
    with pytest.raises(RewardRefused) as absent:
        rules.reward_value(free, total=600, due=600, line_prices={"svc_tea": 250})
    assert absent.value.code == "reward_not_applicable"


def test_stamps_lapse_after_the_days_without_a_visit() -> None:
    visit = datetime(2026, 6, 1, tzinfo=UTC)
    assert not rules.lapsed(visit, visit + timedelta(days=179), 180)
    assert rules.lapsed(visit, visit + timedelta(days=180), 180)
    assert not rules.lapsed(visit, visit + timedelta(days=999), None)


# --- a customer's story, told through the rules as the service tells it -------------------


class Card:
    """The service's bookkeeping in miniature: a journal of signed moves."""

    def __init__(self, program: rules.LoyaltyProgram) -> None:
        self.program = program
        self.moves: list[int] = []
        self.earned: dict[int, tuple[int, int, int]] = {}  # tab -> (earned, total, refunded)
        self.taken: dict[int, int] = {}

    @property
    def balance(self) -> int:
        return sum(self.moves)

    def pay(self, tab: int, total: int) -> None:
        got = rules.earned(self.program, total, "EUR", MONDAY_3PM)
        self.moves.append(got)
        self.earned[tab] = (got, total, 0)
        for _ in range(rules.rewards_reached(self.balance, self.program.per_reward)):
            self.moves.append(-self.program.per_reward)

    def refund(self, tab: int, amount: int) -> None:
        got, total, refunded = self.earned[tab]
        refunded = min(total, refunded + amount)
        self.earned[tab] = (got, total, refunded)
        owed = got - rules.kept_after_refund(got, total, refunded) - self.taken.get(tab, 0)
        taken = rules.take_back(self.balance, owed)
        self.moves.append(-taken)
        self.taken[tab] = self.taken.get(tab, 0) + taken


story = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(0, 5000)),
        st.tuples(st.just("refund"), st.integers(1, 5000)),
    ),
    max_size=40,
)


@given(story, st.sampled_from(["visits", "points"]))
def test_a_balance_never_goes_below_zero(steps: list[tuple[str, int]], kind: str) -> None:
    card = Card(stamp_card(visits_per_reward=3) if kind == "visits" else points())
    for action, amount in steps:
        if action == "pay":
            card.pay(len(card.earned), amount)
        elif card.earned:
            card.refund(amount % len(card.earned), amount)
        assert card.balance >= 0
        assert card.balance < card.program.per_reward  # rewards are issued as soon as reached


@given(st.integers(1, 100_000), st.integers(0, 10_000))
def test_a_full_refund_takes_back_everything_its_payment_earned(total: int, earned: int) -> None:
    assert rules.kept_after_refund(earned, total, total) == 0
    assert rules.kept_after_refund(earned, total, 0) == earned


@given(
    st.integers(1, 100_000),
    st.integers(0, 10_000),
    st.integers(0, 100_000),
    st.integers(0, 100_000),
)
def test_more_refunded_never_keeps_more(total: int, earned: int, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert (
        0
        <= rules.kept_after_refund(earned, total, high)
        <= rules.kept_after_refund(earned, total, low)
        <= earned
    )

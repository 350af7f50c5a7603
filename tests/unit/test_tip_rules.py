"""A tip is a share of the bill before any reward: the suggested tips, the
question about a large tip and whether a card is needed all follow one rule
(``payments.tip_rules``), whichever reward the customer chooses."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from servefirst.kit.money import Money
from servefirst.payments import tip_rules


def test_suggested_tips_are_a_share_of_the_bill_before_the_reward() -> None:
    # A flat white and a croissant, 6.00: 10, 15 and 20 % of that, whatever a reward takes off.
    tips = tip_rules.suggested_tips(Money(600, "EUR"))

    assert [(p, tip.amount) for p, tip in tips] == [(0, 0), (10, 60), (15, 90), (20, 120)]


def test_suggested_tips_round_half_up_to_the_cent() -> None:
    # 15 % of 19.99 is 2.9985.
    assert dict(tip_rules.suggested_tips(Money(1999, "EUR")))[15] == Money(300, "EUR")


def test_a_tip_more_than_the_bill_is_asked_about_and_one_up_to_it_is_not() -> None:
    assert tip_rules.tip_to_question(68000, 680)
    assert not tip_rules.tip_to_question(680, 680)
    # 3.00 on a 6.00 bill a reward brings to 2.20: a generous tip, not a slipped mark.
    assert not tip_rules.tip_to_question(300, 600)


def test_a_reward_that_pays_the_whole_bill_needs_no_card_unless_there_is_a_tip() -> None:
    assert not tip_rules.card_needed(0, 0)
    assert tip_rules.card_needed(0, 38)
    assert tip_rules.card_needed(220, 0)


@given(bill=st.integers(min_value=0, max_value=10**9))
def test_no_suggested_tip_is_ever_asked_about(bill: int) -> None:
    for _percent, tip in tip_rules.suggested_tips(Money(bill, "EUR")):
        assert not tip_rules.tip_to_question(tip.amount, bill)

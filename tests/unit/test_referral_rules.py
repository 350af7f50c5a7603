"""Referral rules: who may not refer whom, when the referrer is thanked, the cap."""

from __future__ import annotations

import pytest

from servefirst.loyalty.referral_rules import (
    Contact,
    checked_referral_program,
    earns_referrer_reward,
    is_self_referral,
    thanks_taken_back,
    under_cap,
)
from servefirst.loyalty.rules import ProgramInvalid

RITA = Contact("rita@example.com", "912345678")


@pytest.mark.parametrize(
    ("friend", "same"),
    [
        (Contact("rita@example.com", None), True),
        (Contact(None, "912345678"), True),
        (Contact("joana@example.com", "913000000"), False),
        (Contact(None, None), False),
    ],
)
def test_the_same_email_or_phone_is_the_same_person(friend: Contact, same: bool) -> None:
    assert is_self_referral(friend, RITA) is same


def test_no_contact_on_either_side_is_no_match() -> None:
    assert not is_self_referral(Contact(None, None), Contact(None, None))


def test_only_a_first_tab_paid_for_something_thanks_the_referrer() -> None:
    assert earns_referrer_reward(paid_tabs=1, total=3000, already_rewarded=False)
    assert not earns_referrer_reward(paid_tabs=1, total=0, already_rewarded=False)  # waived
    assert not earns_referrer_reward(paid_tabs=2, total=3000, already_rewarded=False)
    assert not earns_referrer_reward(paid_tabs=1, total=3000, already_rewarded=True)


def test_the_cap_counts_this_months_rewards() -> None:
    assert under_cap(4, 5) and not under_cap(5, 5) and not under_cap(0, 0)


def test_defaults_and_refusals() -> None:
    reward = {"type": "amount_off", "amount": 500}
    program = checked_referral_program({"friend_reward": reward, "referrer_reward": reward})
    assert (program.monthly_cap, program.expires_after_days) == (5, 30)
    with pytest.raises(ProgramInvalid) as refused:
        checked_referral_program({"friend_reward": reward, "referrer_reward": {"type": "x"}})
    assert refused.value.param == "referrer_reward.type"


def test_a_first_visit_refunded_in_full_or_voided_to_nothing_takes_the_unused_thanks_back() -> None:
    assert thanks_taken_back(paid_for=0, paid_tabs=1, thanks_unused=True)


@pytest.mark.parametrize(
    ("paid_for", "paid_tabs", "unused"),
    [
        (500, 1, True),  # refunded or voided in part: still paid for something
        (0, 2, True),  # the friend came back and paid: the referral brought a customer
        (0, 1, False),  # the referrer used it already: not clawed back
    ],
)
def test_the_thanks_stays_when_the_friend_still_paid_or_it_was_used(
    paid_for: int, paid_tabs: int, unused: bool
) -> None:
    assert not thanks_taken_back(paid_for=paid_for, paid_tabs=paid_tabs, thanks_unused=unused)

"""What a card dispute the merchant lost takes back of the loyalty a tab
earned: as a refund of the disputed money would, in proportion, beside what
refunds and voids took already, and never more than the tab earned."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from servefirst.loyalty import take_back_rules as rules


def test_a_whole_bill_disputed_and_lost_takes_back_all_it_earned() -> None:
    # 25.00 earned 25 points; the bank gave the whole 25.00 back.
    assert rules.owed_after_dispute(25, 0, 0, 0, total=2500, refunded=0, disputed=2500) == 25


def test_a_dispute_of_part_of_the_bill_takes_back_its_share() -> None:
    assert rules.owed_after_dispute(25, 0, 0, 0, total=2500, refunded=0, disputed=1000) == 10


def test_a_stamp_goes_with_any_lost_dispute_as_with_any_refund() -> None:
    assert rules.owed_after_dispute(1, 0, 0, 0, total=2500, refunded=0, disputed=500) == 1


def test_a_dispute_of_what_a_refund_left_takes_back_the_rest() -> None:
    # 10.00 refunded took 10 back; the remaining 15.00 disputed and lost takes the other 15.
    assert rules.owed_after_dispute(25, 0, 10, 0, total=2500, refunded=1000, disputed=1500) == 15


def test_a_refund_after_a_lost_dispute_takes_only_its_own_share() -> None:
    # Two payments of 12.50: the first disputed and lost took 12 or 13 back;
    # refunding the second takes what the tab still holds, never more.
    by_dispute = rules.owed_after_dispute(25, 0, 0, 0, total=2500, refunded=0, disputed=1250)
    assert by_dispute == 13
    after = rules.owed_after_refund(25, 0, 0, 2500, 1250, by_disputes=by_dispute)
    assert after == 12 and by_dispute + after == 25


def test_a_void_after_a_lost_dispute_counts_what_the_dispute_took() -> None:
    # The dispute took 10 of 25; the void of half of what is left can take no more than 15.
    assert rules.owed_after_void(25, 0, 10, bill_before=2500, bill_after=0) == 15


def test_a_dispute_names_itself_and_is_read_back_apart_from_refunds_and_voids() -> None:
    reference = rules.dispute_reference("dp_1NXWPnCo6bFb1KQx")
    assert reference == "dispute dp_1NXWPnCo6bFb1KQx"
    assert rules.made_by_dispute(reference) and not rules.made_by_void(reference)
    assert len(rules.dispute_reference("dp_" + "x" * 24)) <= 40  # a Stripe id fits the journal
    taken = rules.taken_so_far(
        [("earn", 25, None), ("take_back", -5, "line 3"), ("take_back", -4, "re_01J")]
        + [("take_back", -3, reference)]
    )
    assert taken == rules.Taken(earned=25, by_voids=5, by_refunds=4, by_disputes=3)
    assert taken.holds == 13


@given(
    earned=st.integers(0, 500),
    total=st.integers(1, 100_000),
    refund_share=st.integers(0, 100),
    dispute_share=st.integers(0, 100),
    dispute_first=st.booleans(),
)
def test_refunds_and_lost_disputes_in_any_order_never_take_more_than_earned(
    earned: int, total: int, refund_share: int, dispute_share: int, dispute_first: bool
) -> None:
    refunded = total * refund_share // 100
    disputed = min(total - refunded, total * dispute_share // 100)
    by_refunds = by_disputes = 0
    for step in ("dispute", "refund") if dispute_first else ("refund", "dispute"):
        if step == "dispute":
            gone = refunded if not dispute_first else 0
            by_disputes += rules.owed_after_dispute(
                earned, 0, by_refunds, by_disputes, total, gone, disputed
            )
        else:
            by_refunds += rules.owed_after_refund(
                earned, 0, by_refunds, total, refunded, by_disputes=by_disputes
            )
    assert 0 <= by_refunds + by_disputes <= earned
    if refunded + disputed >= total:
        assert by_refunds + by_disputes == earned  # all the money went back: nothing kept

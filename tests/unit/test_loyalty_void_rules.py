"""What a line voided on a paid tab takes back of the loyalty it earned, beside
what a refund takes back: in proportion to what came off the bill, and, over
any story of voids and refunds on one tab, never more than the tab earned."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from servefirst.loyalty import rules


def test_a_toner_not_done_takes_back_its_share_of_the_points() -> None:
    # 25.00 earned 25 points; the 10.00 toner comes off: 10 of them go.
    assert rules.owed_after_void(25, 0, 0, bill_before=2500, bill_after=1500) == 10


def test_a_bill_voided_to_nothing_takes_back_everything_still_kept() -> None:
    assert rules.owed_after_void(25, 10, 0, bill_before=1500, bill_after=0) == 15


def test_a_stamp_goes_with_a_void_as_it_goes_with_a_refund() -> None:
    assert rules.owed_after_void(1, 0, 0, bill_before=2500, bill_after=1500) == 1
    assert rules.owed_after_refund(1, 0, 0, total=2500, refunded=1000) == 1


def test_a_void_that_takes_nothing_off_the_bill_takes_nothing_back() -> None:
    assert rules.owed_after_void(25, 0, 0, bill_before=2500, bill_after=2500) == 0


def test_a_tab_that_earned_nothing_owes_nothing() -> None:
    assert rules.owed_after_void(0, 0, 0, bill_before=2500, bill_after=0) == 0
    assert rules.owed_after_refund(0, 0, 0, total=2500, refunded=2500) == 0


def test_a_void_names_its_line_and_a_refund_does_not_pass_for_one() -> None:
    assert rules.void_reference(3) == "line 3"
    assert rules.made_by_void(rules.void_reference(3))
    assert not rules.made_by_void("rfd_01JABCDEF")
    assert not rules.made_by_void(None)


@given(
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    st.integers(1, 100_000),
    st.integers(0, 100_000),
)
def test_refunds_alone_take_back_what_they_always_did(
    earned: int, taken: int, total: int, refunded: int
) -> None:
    """Before voids followed loyalty, a refund owed this; with no void it still does."""
    taken = min(taken, earned)
    before = max(0, earned - rules.kept_after_refund(earned, total, refunded) - taken)
    assert rules.owed_after_refund(earned, 0, taken, total, refunded) == before


# --- any story of voids and refunds on one paid tab --------------------------------------


class PaidTab:
    """One tab's loyalty as the service keeps it: what voids and refunds took back."""

    def __init__(self, earned: int, bill: int) -> None:
        self.earned, self.first_bill, self.bill = earned, bill, bill
        self.refunded = self.by_voids = self.by_refunds = 0
        self.voids = 0

    @property
    def kept(self) -> int:
        return self.earned - self.by_voids - self.by_refunds

    def void(self, amount: int, held: int) -> None:
        """A line of ``amount`` comes off, while the bill still covers it."""
        amount = min(amount, self.bill - self.refunded)
        if amount <= 0:
            return  # refunded in full: no line comes off what was given back
        before, self.bill = self.bill, self.bill - amount
        owed = rules.owed_after_void(
            self.earned, self.by_voids, self.by_refunds, before, self.bill, self.refunded
        )
        assert owed >= 0
        self.by_voids += rules.take_back(held, owed)
        self.voids += 1

    def refund(self, amount: int, held: int) -> None:
        self.refunded = min(self.bill, self.refunded + amount)
        owed = rules.owed_after_refund(
            self.earned, self.by_voids, self.by_refunds, self.bill, self.refunded
        )
        assert owed >= 0
        self.by_refunds += rules.take_back(held, owed)


steps = st.lists(
    st.tuples(
        st.sampled_from(["void", "refund"]),
        st.integers(1, 5_000),
        # What the card holds when the step comes: often plenty, sometimes
        # less (the points went into a reward already used).
        st.one_of(st.just(10**9), st.integers(0, 50)),
    ),
    max_size=12,
)


@given(st.integers(0, 500), st.integers(1, 20_000), steps)
def test_never_more_is_taken_back_than_the_tab_earned(
    earned: int, bill: int, story: list[tuple[str, int, int]]
) -> None:
    tab = PaidTab(earned, bill)
    for action, amount, held in story:
        (tab.void if action == "void" else tab.refund)(amount, held)
        assert 0 <= tab.by_voids + tab.by_refunds <= earned


@given(st.integers(0, 500), st.integers(1, 20_000), steps, st.sampled_from(["void", "refund"]))
def test_a_bill_that_comes_to_nothing_keeps_nothing(
    earned: int, bill: int, story: list[tuple[str, int, int]], last: str
) -> None:
    """Whatever came before, the last line voided or a refund of all that is
    left takes back the rest, where the card holds it."""
    tab = PaidTab(earned, bill)
    for action, amount, held in story:
        (tab.void if action == "void" else tab.refund)(amount, held)
    if last == "void" and tab.bill > tab.refunded:
        tab.void(tab.bill, 10**9)
    else:
        tab.refund(tab.bill, 10**9)  # all of it, or again: refunded whole already
    assert tab.kept == 0


@given(st.integers(0, 500), st.integers(1, 20_000), st.lists(st.integers(1, 5_000), max_size=12))
def test_voids_keep_the_share_of_the_bill_left_to_within_a_point_a_void(
    earned: int, bill: int, voids: list[int]
) -> None:
    """In proportion: never more than the share of the bill still standing,
    and never less by more than the rounding down of each void."""
    tab = PaidTab(earned, bill)
    for amount in voids:
        tab.void(amount, 10**9)
        share = earned * tab.bill  # the tab's fair keep, times the first bill
        assert tab.kept * tab.first_bill <= share
        assert (tab.kept + tab.voids) * tab.first_bill >= share

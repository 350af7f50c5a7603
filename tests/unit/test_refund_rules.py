"""What a refund may give back, and when a line may come off a tab (pure rules)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servefirst.kit.errors import Conflict, InvalidRequest
from servefirst.payments.refund_rules import (
    KEY_REUSED,
    UNREACHABLE,
    Refundable,
    bill_first,
    clean_reason,
    deposit_after_void,
    ensure_can_void_line,
    ensure_nothing_refunded_since,
    paid_by_deposit_alone,
    refund_parts,
    refund_state,
    why_still_pending,
)
from servefirst.tabs.rules import Bill


def test_neither_part_given_takes_all_that_is_left_of_both() -> None:
    left = Refundable.of(830, 100, [(300, 20)])
    assert refund_parts(left, None, None) == (530, 80)


def test_one_part_given_leaves_the_other_at_zero() -> None:
    left = Refundable.of(830, 100, [])
    assert refund_parts(left, 200, None) == (200, 0)
    assert refund_parts(left, None, 50) == (0, 50)


def test_more_than_is_left_of_a_part_is_refused_naming_it() -> None:
    left = Refundable.of(500, 50, [(400, 0)])
    with pytest.raises(InvalidRequest) as bill:
        refund_parts(left, 101, None)
    assert (bill.value.code, bill.value.param, bill.value.status) == (
        "amount_exceeds_refundable",
        "amount",
        422,
    )
    with pytest.raises(InvalidRequest) as tip:
        refund_parts(left, None, 51)
    assert tip.value.param == "tip"


def test_a_payment_refunded_in_full_has_nothing_left() -> None:
    with pytest.raises(Conflict) as nothing:
        refund_parts(Refundable.of(500, 0, [(500, 0)]), None, None)
    assert nothing.value.code == "nothing_to_refund"


def test_only_a_succeeded_payment_is_refunded() -> None:
    with pytest.raises(Conflict) as pending:
        refund_parts(Refundable.of(500, 0, []), None, None, payment_status="pending")
    assert pending.value.code == "payment_not_refundable"


def test_a_refund_of_nothing_is_refused() -> None:
    with pytest.raises(InvalidRequest):
        refund_parts(Refundable.of(500, 0, []), 0, 0)


@given(
    paid=st.integers(0, 10_000),
    tip=st.integers(0, 1_000),
    asks=st.lists(st.tuples(st.integers(0, 4_000), st.integers(0, 400)), max_size=8),
)
def test_refunds_never_give_back_more_than_was_paid(
    paid: int, tip: int, asks: list[tuple[int, int]]
) -> None:
    taken: list[tuple[int, int]] = []
    for amount, tip_part in asks:
        with contextlib.suppress(Conflict, InvalidRequest):
            taken.append(refund_parts(Refundable.of(paid, tip, taken), amount, tip_part))
    assert sum(a for a, _ in taken) <= paid
    assert sum(t for _, t in taken) <= tip


def test_money_taken_back_without_saying_which_part_takes_the_bill_then_the_tip() -> None:
    left = Refundable(2500, 500)
    assert bill_first(left, 2000) == (2000, 0)
    assert bill_first(left, 2700) == (2500, 200)
    assert bill_first(left, 9999) == (2500, 500)  # never more than is left
    assert bill_first(Refundable(1500, 500), 3000) == (1500, 500)  # after a 1000 refund
    assert bill_first(Refundable(0, 0), 3000) == (0, 0)
    assert bill_first(left, -5) == (0, 0)


@given(
    st.integers(min_value=-100, max_value=5000),
    st.integers(min_value=-100, max_value=1000),
    st.integers(min_value=-100, max_value=8000),
)
def test_what_bill_first_takes_is_never_more_than_asked_nor_than_is_left(
    amount: int, tip: int, money: int
) -> None:
    part, tip_part = bill_first(Refundable(amount, tip), money)
    assert 0 <= part <= max(amount, 0) and 0 <= tip_part <= max(tip, 0)
    assert part + tip_part == min(max(money, 0), max(amount, 0) + max(tip, 0))
    assert tip_part == 0 or part == max(amount, 0)  # the tip only once the bill is all taken


def test_a_reason_is_needed_and_kept_tidy() -> None:
    assert clean_reason("  charged   twice ") == "charged twice"
    with pytest.raises(InvalidRequest):
        clean_reason("   ")


def test_a_line_comes_off_only_while_what_is_due_covers_it() -> None:
    ensure_can_void_line("served", Bill(830, paid=450), 380, voided=False)
    with pytest.raises(Conflict) as covered:
        ensure_can_void_line("served", Bill(830, paid=500), 380, voided=False)
    assert covered.value.code == "refund_first"
    with pytest.raises(Conflict) as paid:
        ensure_can_void_line("paid", Bill(830, paid=830), 380, voided=False)
    assert paid.value.code == "refund_first"
    with pytest.raises(Conflict) as twice:
        ensure_can_void_line("open", Bill(830), 380, voided=True)
    assert twice.value.code == "line_already_voided"
    with pytest.raises(Conflict):
        ensure_can_void_line("void", Bill(0), 0, voided=False)


def test_a_booked_colour_swapped_for_a_cut_keeps_only_the_deposit_the_cut_needs() -> None:
    """45.00 colour booked with a 20.00 deposit, a 15.00 cut done: 40.00 is
    due, the deposit can come down to 15.00, so the colour may come off."""
    bill = Bill(4500 + 1500, deposit_applied=2000)
    ensure_can_void_line("open", bill, 4500, voided=False)
    assert deposit_after_void(bill, 4500) == 1500
    # Cash paid after check-in stays; the deposit covers only what it leaves.
    part_paid = Bill(6000, paid=1000, deposit_applied=2000)
    ensure_can_void_line("open", part_paid, 4500, voided=False)
    assert deposit_after_void(part_paid, 4500) == 500
    # The whole bill voided: none of the deposit is the bill's any more.
    assert deposit_after_void(Bill(4500, deposit_applied=2000), 4500) == 0
    # A line the deposit alone never touched keeps all of it.
    assert deposit_after_void(Bill(6000, deposit_applied=2000), 1500) == 2000


def test_a_line_a_payment_covers_is_refused_even_with_a_deposit_behind_it() -> None:
    with pytest.raises(Conflict) as covered:
        ensure_can_void_line("open", Bill(6000, paid=2500, deposit_applied=2000), 4500, False)
    assert covered.value.code == "refund_first"
    assert covered.value.details == {"amount_due": 1500, "deposit_applied": 2000}


def test_a_tab_its_deposit_paid_alone_has_no_payment_to_refund_first() -> None:
    """A cut (15.00) and a toner (10.00) paid by the booking's deposit: the
    toner comes off the paid tab and 10.00 of the deposit is no longer needed."""
    by_deposit = Bill(2500, deposit_applied=2500)
    assert paid_by_deposit_alone("paid", by_deposit)
    ensure_can_void_line("paid", by_deposit, 1000, voided=False)
    assert deposit_after_void(by_deposit, 1000) == 1500
    # Any real payment on a paid tab still asks for its refund first.
    part_paid = Bill(3000, paid=500, deposit_applied=2500)
    assert not paid_by_deposit_alone("paid", part_paid)
    with pytest.raises(Conflict) as refused:
        ensure_can_void_line("paid", part_paid, 1000, voided=False)
    assert refused.value.code == "refund_first"
    # Neither a deposit nor a payment (a reward paid it all): nothing to give back.
    assert not paid_by_deposit_alone("paid", Bill(2500, adjustments=2500))
    # Only a paid tab: an unpaid one follows the usual rule, a written-off one none.
    assert not paid_by_deposit_alone("served", by_deposit)
    with pytest.raises(Conflict):
        ensure_can_void_line("written_off", by_deposit, 1000, voided=False)


@given(
    lines=st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=5),
    adjustments=st.integers(min_value=0, max_value=5_000),
    paid=st.integers(min_value=0, max_value=50_000),
    deposit=st.integers(min_value=0, max_value=50_000),
    which=st.integers(min_value=0, max_value=4),
)
def test_after_a_void_the_tab_is_never_overpaid_and_the_deposit_never_negative(
    lines: list[int], adjustments: int, paid: int, deposit: int, which: int
) -> None:
    subtotal = sum(lines)
    adjustments = min(adjustments, subtotal)
    paid = min(paid, subtotal - adjustments)
    deposit = min(deposit, subtotal - adjustments - paid)
    bill = Bill(subtotal, adjustments, paid, deposit)
    line = lines[which % len(lines)]
    try:
        ensure_can_void_line("open", bill, line, voided=False)
    except Conflict:
        assert line > bill.due + deposit
        return
    kept = deposit_after_void(bill, line)
    assert 0 <= kept <= deposit
    after = Bill(subtotal - line, adjustments, paid, kept)
    assert paid + kept + adjustments <= subtotal - line  # the tab's never_overpaid check
    # The deposit comes down only as far as the smaller bill needs it: either
    # it stays whole, or nothing is left to pay once it is lowered.
    assert after.due >= 0
    assert kept == deposit or after.due == 0


def test_a_paid_tab_says_refunded_only_once_money_went_back() -> None:
    assert refund_state(paid=800, tips=100, refunded=0, tips_refunded=0) is None
    assert refund_state(paid=800, tips=100, refunded=0, tips_refunded=50) == "partly refunded"
    assert refund_state(paid=800, tips=100, refunded=800, tips_refunded=0) == "partly refunded"
    assert refund_state(paid=800, tips=100, refunded=800, tips_refunded=100) == "refunded"
    assert refund_state(paid=0, tips=0, refunded=0, tips_refunded=0) is None
    # 6.00 of the bill was the booking's deposit: giving back the 4.00 paid at the end is a part.
    paid_with_deposit = {"paid": 400, "tips": 0, "deposit_applied": 600}
    assert refund_state(refunded=400, tips_refunded=0, **paid_with_deposit) == "partly refunded"


def test_a_refund_form_that_saw_as_many_refunds_as_there_are_goes_on() -> None:
    ensure_nothing_refunded_since(1, 1)
    ensure_nothing_refunded_since(None, 3)  # a form that did not say: nothing to compare


def test_a_refund_form_sent_again_after_a_refund_was_made_is_refused() -> None:
    with pytest.raises(Conflict) as refused:
        ensure_nothing_refunded_since(0, 1)
    assert refused.value.code == "refunded_since"
    assert refused.value.status == 409


def test_a_refund_held_up_by_a_refused_key_says_so_until_the_processor_answers_otherwise() -> None:
    assert why_still_pending(None, KEY_REUSED) == KEY_REUSED
    # A processor not reached says nothing new: held up it stays, as it was.
    assert why_still_pending(KEY_REUSED, UNREACHABLE) == KEY_REUSED
    assert why_still_pending(None, UNREACHABLE) is None
    # The processor holds the refund now (pending there): no longer held up.
    assert why_still_pending(KEY_REUSED, None) is None

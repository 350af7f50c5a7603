"""Tab rules: the state machine, what is owed, and the guards in front of each use case."""

from __future__ import annotations

import itertools

import pytest

from servefirst.kit.errors import Conflict, InvalidRequest
from servefirst.kit.money import MAX_AMOUNT
from servefirst.tabs.rules import (
    CLOSED,
    MAX_QUANTITY,
    TRANSITIONS,
    UNPAID,
    Bill,
    IllegalTransition,
    TabAction,
    TabStatus,
    ensure_can_add_line,
    ensure_can_pay,
    ensure_can_serve,
    ensure_can_void,
    ensure_nothing_paid_since,
    line_amount,
    status_after_payment,
    transition,
)

S, A = TabStatus, TabAction

#: The state machine as the module docstring draws it, written out independently.
ALLOWED: dict[tuple[TabStatus, TabAction], TabStatus] = {
    (S.OPEN, A.SERVE): S.SERVED,
    (S.OPEN, A.VOID): S.VOID,
    (S.SERVED, A.SETTLE): S.PAID,
    (S.SERVED, A.MARK_OVERDUE): S.OVERDUE,
    (S.SERVED, A.WRITE_OFF): S.WRITTEN_OFF,
    (S.OVERDUE, A.SETTLE): S.PAID,
    (S.OVERDUE, A.WRITE_OFF): S.WRITTEN_OFF,
}

EVERY_PAIR = list(itertools.product(TabStatus, TabAction))


def test_the_transition_table_is_the_documented_one() -> None:
    assert TRANSITIONS == ALLOWED


@pytest.mark.parametrize(("status", "action"), EVERY_PAIR, ids=lambda v: str(v))
def test_every_status_and_action(status: TabStatus, action: TabAction) -> None:
    if (status, action) in ALLOWED:
        assert transition(status, action) is ALLOWED[(status, action)]
        # the plain string stored in the database works the same
        assert transition(status.value, action) is ALLOWED[(status, action)]
    else:
        with pytest.raises(IllegalTransition) as refused:
            transition(status, action)
        error = refused.value
        assert error.status == 409
        assert error.code == "tab_state_invalid"
        assert error.details == {"tab_status": status.value}
        assert status.value in error.message
        assert action.value.replace("_", " ") in error.message


@pytest.mark.parametrize("status", sorted(CLOSED))
def test_a_closed_tab_allows_nothing(status: TabStatus) -> None:
    for action in TabAction:
        with pytest.raises(IllegalTransition):
            transition(status, action)


def test_unpaid_and_closed_partition_the_statuses() -> None:
    assert set(TabStatus) == UNPAID | CLOSED
    assert not UNPAID & CLOSED
    assert {S.OPEN, S.SERVED, S.OVERDUE} == UNPAID


def test_an_unknown_status_is_not_a_transition() -> None:
    with pytest.raises(ValueError):
        transition("lost", A.SERVE)


def test_illegal_transition_is_a_conflict() -> None:
    assert issubclass(IllegalTransition, Conflict)


# --- the bill ----------------------------------------------------------------------------------


def test_bill_total_is_lines_less_discounts_and_due_is_what_is_left() -> None:
    bill = Bill(subtotal=2000, adjustments=400, paid=1000, deposit_applied=500)
    assert bill.total == 1600
    assert bill.due == 100


def test_a_fresh_bill_owes_its_subtotal() -> None:
    bill = Bill(subtotal=760)
    assert bill.total == 760
    assert bill.due == 760


def test_an_empty_bill_owes_nothing() -> None:
    assert Bill(0).total == 0
    assert Bill(0).due == 0


# --- lines -------------------------------------------------------------------------------------


def test_lines_go_on_an_open_tab() -> None:
    ensure_can_add_line(S.OPEN)
    ensure_can_add_line("open")


@pytest.mark.parametrize("status", [s for s in TabStatus if s is not S.OPEN])
def test_lines_do_not_go_on_a_tab_that_is_not_open(status: TabStatus) -> None:
    with pytest.raises(IllegalTransition) as refused:
        ensure_can_add_line(status)
    assert refused.value.code == "tab_not_open"
    assert refused.value.status == 409
    assert refused.value.details == {"tab_status": status.value}
    assert f"this tab is {status.value}" in refused.value.message


def test_line_amount_is_price_times_quantity() -> None:
    assert line_amount(380, 2) == 760
    assert line_amount(380, MAX_QUANTITY) == 380 * MAX_QUANTITY
    assert line_amount(0, 1) == 0  # a free glass of water


@pytest.mark.parametrize("quantity", [0, -1, MAX_QUANTITY + 1])
def test_line_quantity_must_be_sensible(quantity: int) -> None:
    with pytest.raises(InvalidRequest) as refused:
        line_amount(380, quantity)
    assert refused.value.param == "quantity"
    assert refused.value.status == 422


def test_a_line_above_the_maximum_amount_is_refused() -> None:
    with pytest.raises(InvalidRequest) as refused:
        line_amount(MAX_AMOUNT // 10 + 1, 10)
    assert refused.value.status == 422


# --- paying ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", sorted(UNPAID))
def test_a_payment_is_taken_while_something_is_owed(status: TabStatus) -> None:
    bill = Bill(subtotal=760)
    ensure_can_pay(status, bill, 760, 100)
    ensure_can_pay(status, bill, 1, 0)  # part payment


def test_an_open_tab_can_be_prepaid() -> None:
    ensure_can_pay(S.OPEN, Bill(subtotal=1500), 1500, 0)


def test_paying_a_paid_tab_says_so() -> None:
    with pytest.raises(Conflict) as refused:
        ensure_can_pay(S.PAID, Bill(760, paid=760), 100, 0)
    assert refused.value.code == "tab_already_paid"
    assert refused.value.status == 409


@pytest.mark.parametrize("status", [S.WRITTEN_OFF, S.VOID])
def test_a_written_off_or_void_tab_takes_no_payment(status: TabStatus) -> None:
    with pytest.raises(IllegalTransition) as refused:
        ensure_can_pay(status, Bill(760), 760, 0)
    assert refused.value.code == "tab_state_invalid"
    assert refused.value.details == {"tab_status": status.value}


@pytest.mark.parametrize(
    "bill",
    [Bill(0), Bill(760, paid=760), Bill(760, adjustments=760), Bill(760, deposit_applied=760)],
)
def test_nothing_to_pay(bill: Bill) -> None:
    with pytest.raises(Conflict) as refused:
        ensure_can_pay(S.SERVED, bill, 100, 0)
    assert refused.value.code == "nothing_to_pay"
    assert refused.value.status == 409


@pytest.mark.parametrize("amount", [0, -100])
def test_a_payment_must_be_positive(amount: int) -> None:
    with pytest.raises(InvalidRequest) as refused:
        ensure_can_pay(S.SERVED, Bill(760), amount, 0)
    assert refused.value.param == "amount"
    assert refused.value.code == "parameter_invalid"


def test_a_payment_above_what_is_owed_is_refused_with_the_amount_due() -> None:
    bill = Bill(subtotal=1000, adjustments=100, paid=200)  # 700 due
    with pytest.raises(InvalidRequest) as refused:
        ensure_can_pay(S.SERVED, bill, 701, 0)
    error = refused.value
    assert error.code == "amount_exceeds_due"
    assert error.param == "amount"
    assert error.status == 422
    assert error.details == {"amount_due": 700}
    assert error.to_dict()["error"]["amount_due"] == 700
    ensure_can_pay(S.SERVED, bill, 700, 0)


def test_a_tip_cannot_be_negative() -> None:
    with pytest.raises(InvalidRequest) as refused:
        ensure_can_pay(S.SERVED, Bill(760), 760, -1)
    assert refused.value.param == "tip"


def test_a_tip_may_be_zero_or_generous() -> None:
    ensure_can_pay(S.SERVED, Bill(760), 760, 0)
    ensure_can_pay(S.SERVED, Bill(760), 760, 5000)


# --- after a payment ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.SERVED, S.OVERDUE])
def test_a_served_or_overdue_tab_with_nothing_left_is_paid(status: TabStatus) -> None:
    assert status_after_payment(status, Bill(760, paid=760)) is S.PAID
    assert status_after_payment(status.value, Bill(760, paid=500, adjustments=260)) is S.PAID
    assert status_after_payment(status, Bill(760, paid=360, deposit_applied=400)) is S.PAID


@pytest.mark.parametrize("status", [S.SERVED, S.OVERDUE])
def test_a_part_payment_leaves_the_status(status: TabStatus) -> None:
    assert status_after_payment(status, Bill(760, paid=700)) is status


def test_a_prepaid_open_tab_stays_open_until_served() -> None:
    # Serving it later settles it (tabs.service.serve); paying alone does not.
    assert status_after_payment(S.OPEN, Bill(760, paid=760)) is S.OPEN
    assert status_after_payment(S.OPEN, Bill(760, paid=100)) is S.OPEN


@pytest.mark.parametrize("status", sorted(CLOSED))
def test_a_closed_tab_keeps_its_status(status: TabStatus) -> None:
    assert status_after_payment(status, Bill(760, paid=760)) is status


# --- voiding and serving -----------------------------------------------------------------------


def test_an_empty_open_tab_can_be_voided() -> None:
    ensure_can_void(S.OPEN, Bill(0))
    # everything on it was taken off again by a guarantee waiver
    ensure_can_void(S.OPEN, Bill(760, adjustments=760))


@pytest.mark.parametrize(
    "bill",
    [
        Bill(760),
        Bill(760, paid=760),
        Bill(760, deposit_applied=760),
        Bill(0, paid=0, deposit_applied=1),
    ],
)
def test_a_tab_with_money_on_it_cannot_be_voided(bill: Bill) -> None:
    with pytest.raises(Conflict) as refused:
        ensure_can_void(S.OPEN, bill)
    assert refused.value.code == "tab_not_empty"
    assert refused.value.status == 409


@pytest.mark.parametrize("status", [s for s in TabStatus if s is not S.OPEN])
def test_only_an_open_tab_can_be_voided(status: TabStatus) -> None:
    with pytest.raises(IllegalTransition) as refused:
        ensure_can_void(status, Bill(0))
    assert refused.value.code == "tab_state_invalid"


def test_a_tab_with_lines_can_be_served() -> None:
    ensure_can_serve(S.OPEN, 1)
    ensure_can_serve("open", 3)


def test_an_empty_tab_cannot_be_served() -> None:
    with pytest.raises(Conflict) as refused:
        ensure_can_serve(S.OPEN, 0)
    assert refused.value.code == "tab_empty"
    assert refused.value.status == 409


@pytest.mark.parametrize("status", [s for s in TabStatus if s is not S.OPEN])
def test_only_an_open_tab_can_be_served(status: TabStatus) -> None:
    with pytest.raises(IllegalTransition) as refused:
        ensure_can_serve(status, 2)
    assert refused.value.code == "tab_state_invalid"


def test_a_cash_form_that_saw_as_many_payments_as_there_are_goes_on() -> None:
    ensure_nothing_paid_since(2, 2)
    ensure_nothing_paid_since(None, 1)  # a form that did not say: nothing to compare


def test_a_cash_form_sent_again_after_a_payment_was_recorded_is_refused() -> None:
    with pytest.raises(Conflict) as refused:
        ensure_nothing_paid_since(0, 1)
    assert refused.value.code == "paid_since"
    assert refused.value.status == 409

"""What money under a card dispute allows: no refund while the bank holds it
(open) or gave it back (lost); a won dispute frees it; a void that needs a
refund is refused for the dispute, one the due covers is not. And how a
dispute closes: open to lost or won, each final."""

from __future__ import annotations

import pytest

from servefirst.kit.errors import Conflict
from servefirst.payments.dispute_rules import (
    BookingCharge,
    BookingLoss,
    Disputed,
    DisputedBooking,
    DisputeStatus,
    booking_loss,
    closed_at_processor,
    closes_lost_at_processor,
    deposit_refusal,
    ensure_can_close,
    ensure_not_under_dispute,
    first_holding,
    stripe_verdict,
    won_at_processor,
)
from servefirst.payments.refund_rules import ensure_can_void_line
from servefirst.tabs.rules import Bill, TabStatus


def dispute(status: str, dispute_id: str = "dp_1", amount: int = 2500) -> Disputed:
    return Disputed(dispute_id, "pay_1", status, amount)


@pytest.mark.parametrize("status", ["open", "lost"])
def test_a_payment_under_an_open_or_lost_dispute_is_not_refunded(status: str) -> None:
    with pytest.raises(Conflict) as refused:
        ensure_not_under_dispute([dispute(status)])
    assert (refused.value.status, refused.value.code) == (409, "payment_disputed")
    assert refused.value.details == {
        "payment_id": "pay_1",
        "dispute_id": "dp_1",
        "dispute_status": status,
    }


def test_a_won_dispute_or_none_leaves_the_payment_refundable() -> None:
    ensure_not_under_dispute([])
    ensure_not_under_dispute([dispute("won")])


def test_of_several_disputes_the_lost_one_is_the_one_said() -> None:
    """What the customer already got back comes before what the bank still decides."""
    found = [dispute("won", "dp_a"), dispute("open", "dp_b"), dispute("lost", "dp_c")]
    assert first_holding(found) == dispute("lost", "dp_c")
    assert first_holding([dispute("won")]) is None


def test_an_open_dispute_closes_lost_or_won_and_each_is_final() -> None:
    assert ensure_can_close("open", DisputeStatus.LOST) is True
    assert ensure_can_close("open", DisputeStatus.WON) is True
    assert ensure_can_close("lost", DisputeStatus.LOST) is False  # again: nothing changes
    assert ensure_can_close("won", DisputeStatus.WON) is False
    for status, to in (("lost", DisputeStatus.WON), ("won", DisputeStatus.LOST)):
        with pytest.raises(Conflict) as refused:
            ensure_can_close(status, to)
        assert refused.value.code == "dispute_closed"


PART_PAID = Bill(subtotal=2880, paid=2500)  # 3.80 still due


def test_a_void_the_due_covers_is_done_whatever_the_dispute() -> None:
    ensure_can_void_line(TabStatus.SERVED, PART_PAID, 380, False, dispute("open"))


@pytest.mark.parametrize(
    ("status", "bill"), [(TabStatus.SERVED, PART_PAID), (TabStatus.PAID, Bill(2500, paid=2500))]
)
def test_a_void_that_needs_a_refund_is_refused_for_the_dispute_not_sent_to_refund(
    status: TabStatus, bill: Bill
) -> None:
    with pytest.raises(Conflict) as disputed:
        ensure_can_void_line(status, bill, 2500, False, dispute("lost"))
    assert disputed.value.code == "payment_disputed"
    with pytest.raises(Conflict) as usual:
        ensure_can_void_line(status, bill, 2500, False, None)
    assert usual.value.code == "refund_first"


@pytest.mark.parametrize(
    ("stripe_status", "verdict"),
    [
        ("lost", DisputeStatus.LOST),
        ("won", DisputeStatus.WON),
        ("warning_closed", DisputeStatus.CLOSED),  # an inquiry ended with no chargeback
        ("charge_refunded", DisputeStatus.CLOSED),  # refunded first: the refund is booked
        ("prevented", DisputeStatus.CLOSED),  # the card network stopped it
        ("warning_needs_response", None),
        ("warning_under_review", None),
        ("needs_response", None),
        ("under_review", None),
        ("", None),
    ],
)
def test_stripe_s_statuses_decide_won_lost_closed_or_nothing_yet(
    stripe_status: str, verdict: DisputeStatus | None
) -> None:
    assert stripe_verdict(stripe_status) is verdict


def test_stripe_s_lost_closes_an_open_or_won_dispute_and_leaves_a_lost_one_be() -> None:
    assert closes_lost_at_processor("open")
    assert closes_lost_at_processor("won")  # the money is gone at the processor all the same
    assert not closes_lost_at_processor("lost")
    assert closes_lost_at_processor("closed")
    # Won back after a loss: Stripe's won was its last word; a late lost is older.
    assert not closes_lost_at_processor("won", won_back=True)


def test_stripe_s_won_wins_an_open_dispute_and_books_a_lost_one_back() -> None:
    assert won_at_processor("open") == "won"
    assert won_at_processor("lost") == "won_back"
    assert won_at_processor("won") is None and won_at_processor("closed") is None


def test_only_an_open_dispute_closes_without_a_loss_and_a_closed_one_frees_its_payment() -> None:
    assert closed_at_processor("open")
    assert not any(closed_at_processor(s) for s in ("lost", "won", "closed"))
    ensure_not_under_dispute([dispute("closed")])
    with pytest.raises(Conflict):
        ensure_can_close("closed", DisputeStatus.LOST)


def booking(
    charge: BookingCharge,
    status: str,
    *,
    kept: int = 0,
    applied: int = 0,
    tab_id: str | None = None,
    lost_before: int = 0,
) -> DisputedBooking:
    return DisputedBooking("bkg_1", charge, status, kept, applied, tab_id, lost_before)


def test_a_fee_charged_on_the_card_is_revenue_the_bank_takes_back_whatever_the_booking() -> None:
    # A late move's fee leaves the booking's deposit held for its new time.
    for status in ("forfeited", "held", "applied", "none"):
        fee = booking(BookingCharge.FEE, status, kept=900)
        assert booking_loss(fee, 900) == BookingLoss(900)
    assert booking_loss(booking(BookingCharge.FEE, "forfeited", kept=900), 1200) == BookingLoss(900)
    two_fees = booking(BookingCharge.FEE, "forfeited", kept=1500, lost_before=900)
    assert booking_loss(two_fees, 600) == BookingLoss(600)
    assert booking_loss(two_fees, 900) == BookingLoss(600)


def test_a_deposit_kept_as_a_fee_loses_what_was_kept_and_one_applied_loses_the_tab_s_bill() -> None:
    kept = booking(BookingCharge.DEPOSIT, "forfeited", kept=300, applied=600)
    assert booking_loss(kept, 600) == BookingLoss(300)
    applied = booking(BookingCharge.DEPOSIT, "applied", applied=600, tab_id="tab_1")
    assert booking_loss(applied, 600) == BookingLoss(600, "tab_1")
    assert booking_loss(applied, 400) == BookingLoss(400, "tab_1")
    again = booking(BookingCharge.DEPOSIT, "applied", applied=600, tab_id="tab_1", lost_before=600)
    assert booking_loss(again, 600) == BookingLoss(0, "tab_1")


def test_a_deposit_applied_after_a_late_move_kept_its_fee_loses_the_bill_then_the_fee() -> None:
    moved_then_applied = booking(
        BookingCharge.DEPOSIT, "applied", kept=400, applied=200, tab_id="tab_1"
    )
    assert booking_loss(moved_then_applied, 600) == BookingLoss(600, "tab_1", fee=400)
    assert booking_loss(moved_then_applied, 300) == BookingLoss(300, "tab_1", fee=100)
    assert booking_loss(moved_then_applied, 150) == BookingLoss(150, "tab_1", fee=0)


def test_a_deposit_refunded_after_a_late_move_kept_its_fee_loses_that_fee() -> None:
    moved_then_cancelled = booking(BookingCharge.DEPOSIT, "refunded", kept=400)
    assert booking_loss(moved_then_cancelled, 400) == BookingLoss(400)
    assert booking_loss(moved_then_cancelled, 600) == BookingLoss(400)


def test_a_deposit_held_or_refunded_is_not_booked_and_the_refusal_says_which() -> None:
    for status in ("held", "pending", "none"):
        assert booking_loss(booking(BookingCharge.DEPOSIT, status, kept=600), 600) is None
    assert booking_loss(booking(BookingCharge.DEPOSIT, "refunded"), 600) is None
    held = deposit_refusal("dp_1", "bkg_1", "held")
    assert (held.status, held.code) == (409, "dispute_of_deposit")
    assert held.details == {"dispute_id": "dp_1", "booking_id": "bkg_1", "deposit_status": "held"}
    assert "bkg_1" in held.message and "still expects it" in held.message
    refunded = deposit_refusal("dp_1", "bkg_1", "refunded")
    assert "already went back to the customer's card" in refunded.message
    assert "still expects" not in refunded.message


def test_a_deposit_refund_the_processor_refused_is_given_back_by_the_bank_first_not_lost() -> None:
    refused = DisputedBooking("bkg_1", BookingCharge.DEPOSIT, "refunded", 0, 0, None, 0, 600)
    assert booking_loss(refused, 600) == BookingLoss(0, held=600)
    kept_and_refused = DisputedBooking(
        "bkg_1", BookingCharge.DEPOSIT, "forfeited", 400, 0, None, 0, 200
    )
    assert booking_loss(kept_and_refused, 600) == BookingLoss(400, held=200)
    assert booking_loss(kept_and_refused, 300) == BookingLoss(100, held=200)

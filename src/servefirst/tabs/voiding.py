"""Taking a wrong line off a tab: the line stays, struck through with the
reason, and its charge is reversed in the ledger. Only while what is still due,
with a booking deposit applied to the bill, covers it: money a payment already
took for it is refunded first (``payments.refunds``). A tab its deposit paid
alone is paid with no payment to refund: its lines still come off, and it
stays paid (``refund_rules.ensure_can_void_line``).

A deposit comes down with the bill (a cheaper service done than was booked):
the part the bill no longer needs goes back to the card it was taken on
(``bookings.deposit_returns``), asked in the void's transaction and sent to
the processor once that is committed, as a check-in above the bill does. What
such a paid tab earned of loyalty is taken back in proportion
(``loyalty.service.tab_line_voided``)."""

from __future__ import annotations

from dataclasses import dataclass

from servefirst.bookings import deposit_refunds, deposit_returns
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.errors import ServefirstError
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind, Side
from servefirst.loyalty import service as loyalty
from servefirst.payments.dispute_repository import DisputeRepository
from servefirst.payments.dispute_rules import first_holding
from servefirst.payments.refund_rules import (
    clean_reason,
    deposit_after_void,
    ensure_can_void_line,
)
from servefirst.tabs.closing import settle
from servefirst.tabs.models import Tab
from servefirst.tabs.reading import bill_of
from servefirst.tabs.rules import TabStatus, ensure_no_payment_waiting, status_after_payment
from servefirst.taxes import service as taxes


@dataclass(frozen=True)
class Voided:
    """A line voided (committed by the caller), and the booking whose deposit
    the smaller bill gave back part of: its refund is sent after the commit."""

    tab: Tab
    deposit_refund_of: str | None = None


def void_line(uow: UnitOfWork, tab_id: str, line_no: int, *, reason: str) -> Tab:
    """Void in this thread (the console): a deposit given back is refunded in
    turn, after the void is committed (``deposit_refunds.refunds_in_turn``)."""
    voided = begin_void_line(uow, tab_id, line_no, reason=reason)
    if voided.deposit_refund_of is not None:
        deposit_refunds.refunds_in_turn(uow, voided.deposit_refund_of)
    return voided.tab


def begin_void_line(uow: UnitOfWork, tab_id: str, line_no: int, *, reason: str) -> Voided:
    """The void and everything it moves, for the caller to commit; a deposit
    given back is only asked of its processor (phase 1)."""
    tab = uow.tabs.lock(tab_id)
    # A card payment waiting for the processor may yet take what is due now.
    ensure_no_payment_waiting(tab.pending_payment_id)
    words = clean_reason(reason)
    line = uow.tabs.line(tab, line_no)
    tax = None if line.voided_at is not None else taxes.for_void(tab, line)
    # What the bill shrinks by: the line, and the tax on top when prices exclude it.
    charged = -tax[1].charged if tax is not None else line.amount
    bill = bill_of(tab)
    # A dispute of the tab's money, open or lost: no refund can make room.
    disputed = first_holding(DisputeRepository(uow).of_tab(tab.tab_id))
    try:
        ensure_can_void_line(tab.status, bill, charged, line.voided_at is not None, disputed)
    except ServefirstError as refused:
        refused.figures.setdefault("currency", tab.currency)  # for the page's words
        raise
    # What of the deposit the smaller bill still needs; the rest goes back.
    deposit_kept = deposit_after_void(bill, charged)
    given_back = bill.deposit_applied - deposit_kept
    uow.tabs.void_line(
        tab,
        line,
        at=uow.clock.now(),
        reason=words,
        charged=charged,
        taxes=tax[0].as_dict() if tax is not None else None,
        deposit_applied=deposit_kept if given_back else None,
    )
    if charged or (tax is not None and tax[1].moved):
        # The reverse of the line's charge, its tax in proportion: the
        # customer no longer owes it.
        tax_back = -taxes.tax_part(tax[1] if tax is not None else None)
        entry_id = ledger.post(
            uow,
            EntryBuilder(
                EntryKind.TAB_CHARGE_REVERSAL,
                tab.currency,
                memo=f"void: {line.name}"[:200],
                tab_id=tab.tab_id,
            )
            .leg(Account.REVENUE, Side.DEBIT, charged - tax_back)
            .leg(Account.TAX_PAYABLE, Side.DEBIT, tax_back)
            .credit(Account.RECEIVABLES, charged)
            .build(),
        )
        if tax is not None:
            taxes.record(uow, tab, entry_id, tax[1])
    booking_id = None
    if given_back:
        booking_id = deposit_returns.give_back(uow, tab.tab_id, given_back)
    emit(
        uow,
        "tab.line_voided",
        tab.tab_id,
        {
            "line_no": line_no,
            "amount": line.amount,
            "reason": words,
            "deposit_given_back": given_back,
            # Paid already (by its deposit alone): the customer had their
            # receipt; the messages send it again, saying what goes back.
            "tab_status": tab.status,
        },
    )
    # A served tab with nothing left to pay is settled, as serving settles one
    # (its other lines already paid for, or covered by a deposit); one paid
    # already (by its deposit alone) stays as it is, and what it earned of
    # loyalty follows its bill down, as after a refund.
    was = TabStatus(tab.status)
    if was is TabStatus.PAID:
        loyalty.tab_line_voided(uow, tab, line_no=line_no, bill_before=bill.total)
    elif status_after_payment(was, bill_of(tab)) is TabStatus.PAID:
        settle(uow, tab)
    return Voided(tab, booking_id)

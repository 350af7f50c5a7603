"""A card dispute the merchant lost, in the books.

The customer's bank took the money back from the processor's balance, so it
leaves ``card_clearing`` as a refund of the same money would: the bill's part
first, then the tip (``refund_rules.bill_first``, the split loyalty's
take-back reads too), never more than refunds and earlier lost disputes left
of the payment. The bill's part lands on ``disputes_lost``, a contra-revenue
of its own beside ``refunds`` (an accountant tells chargebacks apart from
money the merchant chose to give back); the tip's part comes off
``tips_payable`` (staff are not owed a tip the bank took back). The tax in
the bill's part stays where it was: whether a chargeback gives back tax is
the accountant's call under their country's rules, not the ledger's.

A lost dispute of a booking's charge (``booking_disputes``) leaves
``card_clearing`` too, where the deposit or the fee was taken, all of it to
``disputes_lost``: a fee, or a deposit kept as one, was revenue
(``no_show_fees``) the bank took back; a deposit applied to a tab paid that
tab's bill, so its loss is that bill's, named with the tab. Neither has a tip.

One entry per dispute, in the transaction that marks it lost; the dispute
keeps its parts and its entry, which is what the reports net. Stripe closing
it won afterwards (the bank sided with the merchant after all) books it back
in a second entry, once: the same accounts and amounts, the sides swapped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind
from servefirst.payments.dispute_repository import DisputeRepository
from servefirst.payments.refund_repository import RefundRepository
from servefirst.payments.refund_rules import Refundable, bill_first
from servefirst.payments.service import ACCOUNT_FOR, Method

if TYPE_CHECKING:
    from servefirst.db.uow import UnitOfWork
    from servefirst.payments.dispute_rules import BookingLoss
    from servefirst.payments.models import Dispute
    from servefirst.tabs.models import Tab


def book_lost(uow: UnitOfWork, dispute: Dispute, tab: Tab) -> None:
    """Post the lost ``dispute`` of the locked ``tab``'s payment, once: a
    dispute already booked, one of a payment the books do not know (or that
    never succeeded), or one that finds nothing left of its payment posts
    nothing."""
    disputes = DisputeRepository(uow)
    payment = disputes.payment_of(dispute)
    if dispute.entry_id is not None or payment is None or payment.status != "succeeded":
        return
    taken = RefundRepository(uow).taken(payment.payment_id)
    taken += disputes.lost_parts(payment.payment_id, besides=dispute.dispute_id)
    bill, tip = bill_first(Refundable.of(payment.amount, payment.tip, taken), dispute.amount)
    if bill + tip <= 0:
        return
    entry_id = ledger.post(
        uow,
        EntryBuilder(
            EntryKind.DISPUTE_LOST,
            tab.currency,
            memo=f"card dispute lost: {dispute.dispute_id}",
            tab_id=tab.tab_id,
        )
        .debit(Account.DISPUTES_LOST, bill)
        .debit(Account.TIPS_PAYABLE, tip)
        .credit(ACCOUNT_FOR[Method(payment.method)], bill + tip)
        .build(),
    )
    disputes.booked(dispute, bill=bill, tip=tip, entry_id=entry_id)


def book_won_back(uow: UnitOfWork, dispute: Dispute, tab: Tab) -> None:
    """The bank gave back the money of the lost ``dispute`` of the locked
    ``tab``'s payment: its loss's entry undone, leg for leg, once. A loss that
    posted nothing (nothing was left of the payment) gives back nothing."""
    disputes = DisputeRepository(uow)
    payment = disputes.payment_of(dispute)
    if dispute.entry_id is None or dispute.won_back_entry_id is not None or payment is None:
        return
    bill, tip = dispute.bill_lost, dispute.tip_lost
    entry_id = ledger.post(
        uow,
        EntryBuilder(
            EntryKind.DISPUTE_WON_BACK,
            tab.currency,
            memo=f"card dispute won after its loss: {dispute.dispute_id}",
            tab_id=tab.tab_id,
        )
        .debit(ACCOUNT_FOR[Method(payment.method)], bill + tip)
        .credit(Account.DISPUTES_LOST, bill)
        .credit(Account.TIPS_PAYABLE, tip)
        .build(),
    )
    disputes.won_back(dispute, entry_id=entry_id)


def book_booking_lost(uow: UnitOfWork, dispute: Dispute, loss: BookingLoss) -> None:
    """Post the lost ``dispute`` of a booking's deposit or fee, once: one
    already booked, or one that finds nothing left to take, posts nothing."""
    if dispute.entry_id is not None or loss.amount + loss.held <= 0:
        return
    entry_id = ledger.post(
        uow,
        EntryBuilder(
            EntryKind.DISPUTE_LOST,
            dispute.currency,
            memo=f"card dispute lost: {dispute.dispute_id} (booking {dispute.booking_id})",
            tab_id=loss.tab_id,
        )
        .debit(Account.DISPUTES_LOST, loss.amount)
        # A refund the processor refused left the deposit owed to the customer;
        # the bank gave it to them instead: the debt is settled, nothing lost.
        .debit(Account.DEPOSITS_HELD, loss.held)
        .credit(Account.CARD_CLEARING, loss.amount + loss.held)
        .build(),
    )
    dispute.fee_lost, dispute.deposit_returned = loss.fee, loss.held
    DisputeRepository(uow).booked(dispute, bill=loss.amount, tip=0, entry_id=entry_id)


def book_booking_won_back(uow: UnitOfWork, dispute: Dispute) -> None:
    """The bank gave back the money of the lost ``dispute`` of a booking's
    charge: its loss's entry undone, leg for leg, once."""
    if dispute.entry_id is None or dispute.won_back_entry_id is not None:
        return
    entry_id = ledger.post(
        uow,
        EntryBuilder(
            EntryKind.DISPUTE_WON_BACK,
            dispute.currency,
            memo=f"card dispute won after its loss: {dispute.dispute_id}"
            f" (booking {dispute.booking_id})",
            tab_id=dispute.tab_id,
        )
        .debit(Account.CARD_CLEARING, dispute.bill_lost + dispute.deposit_returned)
        .credit(Account.DISPUTES_LOST, dispute.bill_lost)
        .credit(Account.DEPOSITS_HELD, dispute.deposit_returned)
        .build(),
    )
    DisputeRepository(uow).won_back(dispute, entry_id=entry_id)


def lost_totals(uow: UnitOfWork) -> tuple[int, int]:
    """(bill, tip) every lost dispute took: what the cash-flow report nets."""
    return DisputeRepository(uow).lost_totals()


def won_back_totals(uow: UnitOfWork) -> tuple[int, int]:
    """(bill, tip) the banks gave back of losses booked before: what the
    cash-flow report takes off the card account's debits, which count them."""
    return DisputeRepository(uow).won_back_totals()


def lost_by_tab(uow: UnitOfWork) -> dict[str, tuple[int, int]]:
    """(bill, tip) each tab's lost disputes took: what the earnings report nets."""
    return DisputeRepository(uow).lost_by_tab()


def lost_of_the_bill(uow: UnitOfWork, tab_id: str) -> int:
    """What the tab's lost disputes gave back of its bill: of each payment,
    what its lost disputes took, up to the bill's part refunds left it (the
    tip last, as a refund made at the processor is read: ``processor_refunds``),
    and what lost disputes of a deposit applied to it took (all of it the bill's)."""
    disputes = DisputeRepository(uow)
    refunds = RefundRepository(uow)
    gone = 0
    for payment_id, disputed in sorted(disputes.lost_by_payment(tab_id).items()):
        payment = disputes.payment(payment_id)
        if payment is None or payment.status != "succeeded":
            continue
        left = Refundable.of(payment.amount, payment.tip, refunds.taken(payment_id))
        gone += bill_first(left, disputed)[0]
    return gone + disputes.lost_of_deposits(tab_id)

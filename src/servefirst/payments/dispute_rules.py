"""Pure rules of card disputes: how a dispute closes, and what money under a
dispute still allows.

A customer's bank that disputes a card payment holds the money while it
decides (``open``), then either gives it back to the customer (``lost``, for
the merchant) or lets the merchant keep it (``won``); an inquiry that ends
before any chargeback, a charge refunded first or a dispute the card network
stopped close it without a loss and without a verdict (``closed``). While a dispute is
open or lost, the payment's money is the bank's to give back, not the
merchant's: a refund on top would pay the customer twice (once by the
chargeback, once by us), and the books would count the money gone twice.
Stripe itself refuses such a refund (``charge_disputed``). A won or closed
dispute frees the payment: it is refunded as any other, up to what is left of it.

The owner marks a dispute lost or won; Stripe's verdict (``charge.dispute.closed``)
closes it too. Stripe's lost is final and its money is gone at the processor, so
it is booked as the owner's mark is, even over an owner's earlier won; only
the owner's own mark counts it against the customer (``disputes``). Stripe's
won is final too: over a loss already booked (the owner marked it lost too
soon, or before Stripe's last word) the money came back, so the loss is
booked back once (``won_back_at_processor``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from servefirst.kit.errors import Conflict


class DisputeStatus(StrEnum):
    OPEN = "open"  # the bank is deciding; the money is held from the merchant
    LOST = "lost"  # the bank gave the money back to the customer
    WON = "won"  # the bank decided for the merchant: the money is the merchant's again
    #: Ended without a loss and without a verdict: an inquiry closed before any
    #: chargeback, a charge refunded first (the refund is its own entry), or a
    #: dispute the card network prevented. Nothing moved; the payment is freed.
    CLOSED = "closed"


#: Disputes under which a payment's money is not the merchant's to give back.
HOLDING = frozenset({DisputeStatus.OPEN.value, DisputeStatus.LOST.value})

#: The code of a refund (or a void that needs one) refused for a dispute.
PAYMENT_DISPUTED = "payment_disputed"


@dataclass(frozen=True)
class Disputed:
    """A dispute of a payment, as the rules read it."""

    dispute_id: str
    payment_id: str
    status: str
    amount: int


def first_holding(disputes: Iterable[Disputed]) -> Disputed | None:
    """The dispute that keeps the payment's money from being given back (a
    lost one before an open one: it is what the customer already got back);
    None when every dispute of it was won, or there is none."""
    holding = [d for d in disputes if d.status in HOLDING]
    holding.sort(key=lambda d: (d.status != DisputeStatus.LOST.value, d.dispute_id))
    return holding[0] if holding else None


def ensure_not_under_dispute(disputes: Iterable[Disputed]) -> None:
    """A payment with an open or lost dispute cannot be refunded: 409
    ``payment_disputed``. A won dispute says nothing."""
    holding = first_holding(disputes)
    if holding is not None:
        raise disputed_refusal(holding, what="refund")


def disputed_refusal(
    dispute: Disputed, *, what: str, figures: dict[str, int] | None = None
) -> Conflict:
    """The refusal of a refund (``what="refund"``) or of a line's void
    (``"void"``) that would give back money the bank holds or gave back."""
    if dispute.status == DisputeStatus.LOST.value:
        why = (
            f"The customer's bank already gave {dispute.amount} of this payment back"
            f" (dispute {dispute.dispute_id}, lost): a refund would pay it twice."
        )
    else:
        why = (
            f"This payment is disputed with the customer's bank (dispute {dispute.dispute_id},"
            " open): the bank decides whether the money goes back; it cannot be refunded"
            " unless the dispute is won."
        )
    if what == "void":
        why += " The line cannot come off while what is due does not cover it."
    return Conflict(
        why,
        code=PAYMENT_DISPUTED,
        details={
            "payment_id": dispute.payment_id,
            "dispute_id": dispute.dispute_id,
            "dispute_status": dispute.status,
        },
        figures={"disputed_amount": dispute.amount, "what": what, **(figures or {})},
    )


#: Stripe's dispute statuses and what each decides. ``lost`` takes the money;
#: ``won`` leaves it with the merchant (and gives back a loss booked early).
#: ``warning_needs_response``, ``warning_under_review``, ``needs_response`` and
#: ``under_review`` are still being decided: nothing. Three end it without a
#: loss (``closed``): ``warning_closed`` an inquiry ended before any chargeback
#: (no money moved), ``charge_refunded`` (older API versions) the merchant
#: refunded the charge first (a refund the books already follow:
#: ``processor_refunds``), ``prevented`` the card network stopped it.
STRIPE_VERDICTS = {
    "won": DisputeStatus.WON,
    "lost": DisputeStatus.LOST,
    "warning_closed": DisputeStatus.CLOSED,
    "charge_refunded": DisputeStatus.CLOSED,
    "prevented": DisputeStatus.CLOSED,
}


def stripe_verdict(stripe_status: str) -> DisputeStatus | None:
    """What Stripe's dispute status decides: won, lost, closed without a
    loss, or nothing yet (None)."""
    return STRIPE_VERDICTS.get(stripe_status)


def closes_lost_at_processor(status: str, *, won_back: bool = False) -> bool:
    """Whether Stripe's lost verdict changes a dispute of ``status``: an open
    one, one closed without a loss, and one the owner marked won before the
    bank decided (the money is gone at the processor whatever was marked:
    the books follow it). Lost already, by the owner or an earlier delivery,
    or won back by Stripe's own won after a loss (``won_back``: Stripe's won
    is its last word, a late lost is an older event): nothing (False)."""
    return status != DisputeStatus.LOST.value and not won_back


def won_at_processor(status: str) -> str | None:
    """What Stripe's won verdict does to a dispute of ``status``: ``"won"``
    for an open one (it is freed), ``"won_back"`` for a lost one (the loss is
    booked back), None when it is won or closed already."""
    if status == DisputeStatus.OPEN.value:
        return "won"
    if status == DisputeStatus.LOST.value:
        return "won_back"
    return None


def closed_at_processor(status: str) -> bool:
    """Whether Stripe's closing without a loss changes a dispute of
    ``status``: only an open one. A lost one stays lost: the owner said the
    bank kept the money, and a status that is no verdict (an inquiry, a
    refund made first) does not say it came back; won stays won."""
    return status == DisputeStatus.OPEN.value


class BookingCharge(StrEnum):
    """What a disputed charge of a booking took (no payment of a tab)."""

    DEPOSIT = "deposit"  # the deposit itself, charged when the booking was made
    #: A no-show, late-cancellation or late-move fee: captured from the
    #: booking's card hold, or charged on the card on file once it lapsed.
    FEE = "fee"


@dataclass(frozen=True)
class DisputedBooking:
    """What became of the money a booking's disputed charge took, as the
    rules read it (``booking_loss``)."""

    booking_id: str
    charge: BookingCharge
    #: The booking's deposit status (``bookings.rules.DepositStatus``).
    deposit_status: str
    #: Kept as fees (``no_show_fees``): the fees charged on the card for a
    #: fee; the part of a captured deposit kept, for the deposit.
    kept: int
    #: Of a captured deposit, what paid the bill of ``tab_id``.
    applied: int
    tab_id: str | None
    #: What the booking's other lost disputes took already.
    lost_before: int
    #: Of a captured deposit, what its refunds the processor refused left in
    #: ``deposits_held`` (the booking says given back; the card never had it).
    refused: int = 0


@dataclass(frozen=True)
class BookingLoss:
    """What a lost dispute of a booking's charge takes out of ``card_clearing``
    into ``disputes_lost``; ``tab_id``: the tab whose bill the deposit paid (the
    loss is that bill's, as a lost dispute of the tab's own payment)."""

    amount: int
    tab_id: str | None = None
    #: Of ``amount``, for a deposit applied to ``tab_id``: what late moves kept
    #: of it as fees, not that tab's bill (its earnings and loyalty leave it out).
    fee: int = 0
    #: Beside ``amount``: what the bank gave back of a deposit whose refund the
    #: processor refused, still owed to the customer in ``deposits_held``.
    held: int = 0


#: Deposit statuses whose chargeback is not booked, and why (``deposit_refusal``).
HELD_STILL = frozenset({"pending", "held"})
REFUNDED = "refunded"


def booking_loss(booking: DisputedBooking, disputed: int) -> BookingLoss | None:
    """``kept_loss`` of what the charge left the merchant, after what the bank
    gave back of a deposit refund the processor refused (``refused``, first:
    the customer's money anyway, likely what they disputed), which settles
    ``deposits_held`` and is no loss. None where the books cannot tell."""
    held = min(disputed, booking.refused) if booking.charge is BookingCharge.DEPOSIT else 0
    loss = kept_loss(booking, disputed - held)
    if held <= 0:
        return loss
    if loss is None:
        return BookingLoss(0, held=held)
    return BookingLoss(loss.amount, loss.tab_id, fee=loss.fee, held=held)


def kept_loss(booking: DisputedBooking, disputed: int) -> BookingLoss | None:
    """The loss of ``disputed`` of a booking's charge, or None where the books
    cannot tell what it takes back. A fee, or a deposit kept as one
    (``forfeited``), was revenue the bank took back; so is what a late move
    kept of a deposit refunded afterwards; a deposit applied to a tab paid
    that tab's bill. Never more than that money less what the
    booking's earlier lost disputes took (0: nothing left to take). A deposit
    still held for the booking, refunded whole, or of any other status: None
    (``deposit_refusal`` says why)."""
    if booking.charge is BookingCharge.FEE or booking.deposit_status == "forfeited":
        left, tab_id = booking.kept, None
    elif booking.deposit_status == REFUNDED and booking.kept > 0:
        # Refunded when the booking ended, after a late move kept its fee: the
        # refund gave back only the rest, the fee is still the merchant's.
        left, tab_id = booking.kept, None
    elif booking.deposit_status == "applied":
        # The charge paid the tab's bill and, before, any late move's fee:
        # the bill's part first, the fee's after it.
        left = booking.applied + booking.kept
        lost = max(0, min(disputed, left - booking.lost_before))
        bill = min(lost, booking.applied)
        return BookingLoss(lost, booking.tab_id, fee=lost - bill)
    else:
        return None
    return BookingLoss(max(0, min(disputed, left - booking.lost_before)), tab_id)


def deposit_refusal(dispute_id: str, booking_id: str, deposit_status: str | None) -> Conflict:
    """The owner's mark of a dispute of a booking's deposit that cannot be
    booked, refused (409 ``dispute_of_deposit``), in words for the deposit's
    state: still held, the booking expects it (applied to its bill at
    check-in, kept or refunded when it ends), so taking it out now would
    decide the booking's deposit by guess; refunded, the money already went
    back to the card and nothing is left for a chargeback to take."""
    details = {"dispute_id": dispute_id, "booking_id": booking_id}
    details["deposit_status"] = deposit_status or ""
    if deposit_status in HELD_STILL:
        why = (
            f"the deposit is still held for booking {booking_id}, which still expects it"
            " (applied to the bill at check-in, or kept or refunded when the booking ends)."
            " Nothing is booked while the booking is to come; mark the dispute lost again"
            " once the booking has ended."
        )
    elif deposit_status == REFUNDED:
        why = (
            f"the deposit of booking {booking_id} was refunded: the money already went back"
            " to the customer's card, so a chargeback would pay it twice and there is nothing"
            " to book. Show Stripe the refund to answer the dispute."
        )
    else:
        why = (
            f"servefirst cannot tell what the deposit of booking {booking_id} left to take"
            " back. Ask your accountant to book it by hand."
        )
    return Conflict(
        f"Dispute {dispute_id} is of a booking's deposit, not of a tab's payment, and is not"
        f" booked: {why}",
        code="dispute_of_deposit",
        details=details,
    )


def ensure_can_close(status: str, to: DisputeStatus) -> bool:
    """Whether marking a dispute ``status`` as ``to`` changes it: an open one
    closes lost or won; marked the same again, nothing changes (False). Won
    and lost are final: the other way round is 409 ``dispute_closed``."""
    if status == to.value:
        return False
    if status != DisputeStatus.OPEN.value:
        raise Conflict(
            f"This dispute was already marked {status}; it cannot be marked {to.value}.",
            code="dispute_closed",
            details={"dispute_status": status},
        )
    return True

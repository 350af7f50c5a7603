"""Use cases of a booking: book, check in, cancel, no-show, and keep holds alive.

A booking is begun here (``begin_booking``: phase 1 of its deposit) and its
phases run by ``book_in_turn`` in this thread or ``book_off_the_loop`` for an
API request (``deposit_phases``), as a booking made online is.

The deposit (the policy, the decision, taking and settling it) lives in
``deposits``; its names are found here too. Every money movement is one
balanced journal entry.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from servefirst.bookings import deposit_refunds, hold_fees
from servefirst.bookings.deposit_phases import DepositAsked, book_in_turn
from servefirst.bookings.deposit_policy import (
    deposit_policy,
    merchant_deposit_policy,
    set_deposit_policy,
)
from servefirst.bookings.deposits import ask_deposit, deposit_decision, settle_deposit
from servefirst.bookings.holds import active_hold, bump_totals
from servefirst.bookings.models import Booking
from servefirst.bookings.renewals import ask_renewals, renew_holds
from servefirst.bookings.rules import (
    BookingAction,
    BookingStatus,
    CancelledBy,
    DepositPolicy,
    DepositStatus,
    Outcome,
    held_for_booking,
    settle_cancellation,
    settle_no_show,
    transition,
)
from servefirst.bookings.staff_time import (
    ACTIVE,
    Occupied,
    ensure_staff_free,
    lock_staff_calendar,
    occupied,
    occupied_seconds,
)
from servefirst.catalog.service import get_service
from servefirst.customers.service import get_customer, record_history
from servefirst.db.direct import move_rows
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.clock import as_utc
from servefirst.kit.errors import Conflict, InvalidRequest, NotFound, PaymentInProgress
from servefirst.kit.ids import merchant_of_credential, new_id, new_tab_token
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind
from servefirst.merchants.service import get_merchant
from servefirst.staff.departures import ensure_active
from servefirst.staff.service import get_member

#: PostgreSQL's name for "two active bookings of one person overlap".
OVERLAP_CONSTRAINT = "ex_bookings_staff_time"


def get_booking(uow: UnitOfWork, booking_id: str, *, lock: bool = False) -> Booking:
    query = select(Booking).where(
        Booking.merchant_id == uow.merchant, Booking.booking_id == booking_id
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    booking = uow.session.scalar(query)
    if booking is None:
        raise NotFound(f"No such booking: '{booking_id}'.", param="booking_id")
    if lock and booking.deposit_status == DepositStatus.PENDING.value:
        raise PaymentInProgress(
            "This booking's deposit is waiting for the card processor's answer."
            " Try again in a moment."
        )
    return booking


def booking_for_token(uow: UnitOfWork, token: str) -> Booking:
    if merchant_of_credential(token) != uow.merchant:
        raise NotFound("No such booking.", code="booking_not_found")
    booking = uow.session.scalar(
        select(Booking).where(Booking.merchant_id == uow.merchant, Booking.token == token)
    )
    if booking is None:
        raise NotFound("No such booking.", code="booking_not_found")
    return booking


def begin_booking(
    uow: UnitOfWork,
    *,
    customer_id: str,
    service_id: str,
    starts_at: datetime,
    staff_id: str | None = None,
    card: str | None = None,
    payment_method: str | None = None,
    any_staff: bool = False,
) -> tuple[Booking, DepositAsked | None]:
    """The booking, and the deposit asked of the card processor if one is
    (phase 1, for the caller to commit; ``deposit_phases``). ``any_staff``:
    booked online for anyone who performs the service (``staff_id`` is the one
    chosen), so a move may choose again."""
    now = uow.clock.now()
    starts_at = as_utc(starts_at)
    if starts_at <= now:
        raise InvalidRequest("A booking starts in the future.", param="starts_at")
    customer = get_customer(uow, customer_id, lock=True)
    service = get_service(uow, service_id)
    if not service.active:
        raise Conflict(
            f"'{service.name}' is no longer offered.", code="service_inactive", param="service_id"
        )
    ends_at = starts_at + timedelta(minutes=service.duration_minutes)
    buffer = timedelta(minutes=service.buffer_minutes)
    if staff_id:
        # 404 ``staff_id`` as any unknown id: a name nobody here answers to (or
        # another business's member) would be booked to no one's calendar.
        get_member(uow, staff_id)
        ensure_staff_free(uow, staff_id, starts_at, ends_at, buffer=buffer)
        ensure_active(uow, staff_id)  # read under the calendar's lock, as leaving takes it
    policy = deposit_policy(uow, service.deposit_policy)
    decision = deposit_decision(uow, policy, customer, service, starts_at)
    booking = Booking(
        merchant_id=uow.merchant,
        booking_id=new_id("bkg"),
        customer_id=customer.customer_id,
        service_id=service.service_id,
        staff_id=staff_id or None,
        token=new_tab_token(uow.merchant),
        status=BookingStatus.CONFIRMED.value,
        starts_at=starts_at,
        ends_at=ends_at,
        buffer_minutes=service.buffer_minutes,
        any_staff=any_staff and bool(staff_id),
        currency=get_merchant(uow).currency,
        price=service.price,
        deposit_required=decision.required,
        deposit_amount=decision.amount,
        deposit_status=DepositStatus.NONE.value,
        deposit_mode=decision.mode.value,
        deposit_reason=decision.reason,
        risk_probability=decision.probability,
        risk_model_version=decision.model_version,
        hold_plan=None,
        deposit_fee=0,
        deposit_refund=0,
        created_at=now,
    )
    asked = None
    if decision.required:
        asked = ask_deposit(
            uow, booking, decision, policy, card=card, payment_method=payment_method
        )
    uow.session.add(booking)
    try:
        uow.session.flush()
    except IntegrityError as refused:
        # PostgreSQL's exclusion constraint (migration 0018): the last line of
        # defence should anything book this person past the lock above.
        if OVERLAP_CONSTRAINT not in str(refused.orig):
            raise
        raise Conflict(
            f"{staff_id} is already booked then; choose another time or another person.",
            code="booking_overlaps",
            param="starts_at",
        ) from None
    if asked is None:  # else once the deposit is taken (``deposit_phases``)
        emit(
            uow,
            "booking.created",
            booking.booking_id,
            {"starts_at": starts_at.isoformat(), "deposit": booking.deposit_amount},
        )
    return booking, asked


def check_in(uow: UnitOfWork, booking_id: str) -> Booking:
    """The customer arrived (the console, the demo): a captured deposit above
    the bill refunded in turn (``deposit_refunds``)."""
    begin_check_in(uow, booking_id)
    deposit_refunds.refunds_in_turn(uow, booking_id)
    return get_booking(uow, booking_id)


def begin_check_in(uow: UnitOfWork, booking_id: str) -> Booking:
    """Phase 1 of a check-in: open their tab with the booked service and use
    the deposit; what of a captured one is above the bill is only asked back."""
    from servefirst.tabs.service import add_line, lock_tab, open_tab

    booking = get_booking(uow, booking_id, lock=True)
    booking.status = transition(booking.status, BookingAction.CHECK_IN).value
    hold = active_hold(uow, booking_id=booking.booking_id)
    if hold is not None and (hold.fee_key is not None or hold.raise_key is not None):
        raise PaymentInProgress(
            "This booking's card hold is waiting for the card processor's answer."
            " Try again in a moment."
        )
    secured = booking.deposit_status == DepositStatus.HELD.value
    tab = open_tab(uow, customer_id=booking.customer_id, secured=secured)
    if hold is not None:
        # The hold now secures the whole tab: attached before the first line,
        # so adding the booked service already raises it to what is due.
        hold.tab_id = tab.tab_id
        uow.session.flush()
        uow.tabs.write(tab, card_held=True)
    add_line(
        uow,
        tab.tab_id,
        service_id=booking.service_id,
        staff_id=booking.staff_id,
        secured=secured,
    )
    tab = lock_tab(uow, tab.tab_id)
    booking.tab_id = tab.tab_id
    booking.closed_at = uow.clock.now()
    if hold is not None:
        booking.deposit_status = DepositStatus.APPLIED.value
        bump_totals(uow, applied=booking.deposit_amount)
    elif booking.deposit_status == DepositStatus.HELD.value:
        held = _held(booking)  # less any part refunded in the processor's dashboard
        applied = min(held, tab.subtotal)
        extra = held - applied
        entry = EntryBuilder(
            EntryKind.DEPOSIT_APPLIED,
            booking.currency,
            memo=f"deposit {booking.booking_id} applied",
            tab_id=tab.tab_id,
        )
        entry.debit(Account.DEPOSITS_HELD, applied)
        entry.credit(Account.RECEIVABLES, applied)
        if not entry.empty:
            ledger.post(uow, entry.build())
        if extra:
            # A deposit above the bill goes back to the card through the
            # processor that took it, once this is committed; it stays in
            # deposits_held until that processor says it refunded.
            deposit_refunds.ask_refund(uow, booking, extra)
        uow.tabs.write(tab, deposit_applied=tab.deposit_applied + applied)
        booking.deposit_refund += extra
        booking.deposit_status = DepositStatus.APPLIED.value
        bump_totals(uow, applied=applied, refunded=extra)
    uow.session.flush()
    emit(uow, "booking.checked_in", booking.booking_id, {"tab_id": tab.tab_id})
    return booking


def cancel(uow: UnitOfWork, booking_id: str, *, by: CancelledBy) -> Booking:
    """Cancel, a fee from the card hold taken in turn (``hold_fees``), what
    goes back of a captured deposit refunded in turn (``deposit_refunds``)."""
    begin_cancel(uow, booking_id, by=by)
    hold_fees.fee_in_turn(uow, booking_id)
    deposit_refunds.refunds_in_turn(uow, booking_id)
    return get_booking(uow, booking_id)


def no_show(uow: UnitOfWork, booking_id: str) -> Booking:
    """Mark a no-show, a fee from the card hold taken in turn (``hold_fees``)."""
    begin_no_show(uow, booking_id)
    hold_fees.fee_in_turn(uow, booking_id)
    deposit_refunds.refunds_in_turn(uow, booking_id)
    return get_booking(uow, booking_id)


def begin_cancel(uow: UnitOfWork, booking_id: str, *, by: CancelledBy) -> Booking:
    """Phase 1 of a cancellation: a fee from a card hold is only asked. ``by``:
    the customer (their booking's page, or staff on their word: the policy's
    fee applies) or the business (no fee, nothing against their trust)."""
    booking = get_booking(uow, booking_id, lock=True)
    booking.status = transition(booking.status, BookingAction.CANCEL).value
    booking.cancelled_by = by.value
    # The calendar entry changes once more: its cancelling .ics outranks every
    # confirmation's (calendar_sequence).
    booking.calendar_sequence = (booking.calendar_sequence or 0) + 1
    now = uow.clock.now()
    settlement = settle_cancellation(
        _policy_for(uow, booking),
        price=booking.price,
        deposit=_held(booking),
        starts_at=booking.starts_at,
        now=now,
        by=by,
    )
    if settlement.outcome is Outcome.FORFEIT:
        record_history(uow, booking.customer_id, "late_cancellations")
    if not settle_deposit(uow, booking, settlement):
        emit(
            uow,
            "booking.cancelled",
            booking.booking_id,
            {"fee": booking.deposit_fee, "by": booking.cancelled_by},
        )
    return booking


def begin_no_show(uow: UnitOfWork, booking_id: str) -> Booking:
    """Phase 1 of a no-show: a fee from a card hold is only asked."""
    booking = get_booking(uow, booking_id, lock=True)
    booking.status = transition(booking.status, BookingAction.NO_SHOW).value
    settlement = settle_no_show(
        _policy_for(uow, booking),
        price=booking.price,
        deposit=_held(booking),
        starts_at=booking.starts_at,
        now=uow.clock.now(),
    )
    record_history(uow, booking.customer_id, "no_shows")
    if not settle_deposit(uow, booking, settlement):
        emit(uow, "booking.no_show", booking.booking_id, {"fee": booking.deposit_fee})
    return booking


def _held(booking: Booking) -> int:
    return held_for_booking(booking.deposit_status, booking.deposit_amount, booking.deposit_refund)


def _policy_for(uow: UnitOfWork, booking: Booking) -> DepositPolicy:
    return deposit_policy(uow, get_service(uow, booking.service_id).deposit_policy)


def list_bookings(
    uow: UnitOfWork, *, start: datetime, end: datetime | None = None, limit: int = 500
) -> list[Booking]:
    query = select(Booking).where(
        Booking.merchant_id == uow.merchant, Booking.starts_at >= as_utc(start)
    )
    if end is not None:
        query = query.where(Booking.starts_at < as_utc(end))
    return list(
        uow.session.scalars(query.order_by(Booking.starts_at, Booking.booking_id).limit(limit))
    )


__all__ = [
    "ACTIVE",
    "Occupied",
    "ensure_staff_free",
    "lock_staff_calendar",
    "occupied",
    "occupied_seconds",
    "book_in_turn",
    "booking_for_token",
    "cancel",
    "check_in",
    "deposit_decision",
    "deposit_policy",
    "get_booking",
    "list_bookings",
    "ask_renewals",
    "merchant_deposit_policy",
    "no_show",
    "renew_holds",
    "set_deposit_policy",
]


def move_customer(uow: UnitOfWork, merged_id: str, into_id: str) -> int:
    """A merge of duplicate customers: ``merged_id``'s bookings become
    ``into_id``'s, with their deposits and holds (which hang on the booking)."""
    return move_rows(uow, Booking.customer_id, merged_id, into_id)

"""Use cases of a booking: book, check in, cancel, no-show, and keep holds alive.

The deposit (the policy, the decision, taking and settling it) lives in
``deposits``; its names are found here too. Every money movement is one
balanced journal entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from servefirst.bookings import repository
from servefirst.bookings.deposits import (
    deposit_decision,
    deposit_policy,
    merchant_deposit_policy,
    set_deposit_policy,
    settle_deposit,
    take_deposit,
)
from servefirst.bookings.hold_releases import ask_release
from servefirst.bookings.holds import active_hold, bump_totals, record_hold
from servefirst.bookings.models import Booking, CardHold
from servefirst.bookings.rules import (
    BookingAction,
    BookingStatus,
    DepositPolicy,
    DepositStatus,
    Outcome,
    settle_cancellation,
    settle_no_show,
    transition,
)
from servefirst.catalog.service import get_service
from servefirst.customers.service import get_customer, record_history
from servefirst.db.direct import move_rows
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.clock import as_utc
from servefirst.kit.errors import CardDeclined, Conflict, InvalidRequest, NotFound
from servefirst.kit.ids import merchant_of_credential, new_id, new_tab_token
from servefirst.kit.money import Money
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind
from servefirst.merchants.service import get_merchant

#: Statuses that still occupy the staff member's time.
ACTIVE = (BookingStatus.CONFIRMED.value, BookingStatus.CHECKED_IN.value)
#: PostgreSQL's name for "two active bookings of one person overlap".
OVERLAP_CONSTRAINT = "ex_bookings_staff_time"
#: Renew a hold this long before it would lapse.
RENEW_AHEAD = timedelta(hours=24)


def get_booking(uow: UnitOfWork, booking_id: str, *, lock: bool = False) -> Booking:
    query = select(Booking).where(
        Booking.merchant_id == uow.merchant, Booking.booking_id == booking_id
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    booking = uow.session.scalar(query)
    if booking is None:
        raise NotFound(f"No such booking: '{booking_id}'.", param="booking_id")
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


def lock_staff_calendar(uow: UnitOfWork, staff_id: str) -> None:
    """Hold one person's calendar until commit, before reading it to book them."""
    if uow.dialect == "postgresql":
        # Two bookings for one person at once would both see a free slot under
        # READ COMMITTED: serialise them per (merchant, staff) until commit.
        # SQLite's BEGIN IMMEDIATE already lets one writer in at a time.
        uow.session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"booking:{uow.merchant}:{staff_id}"},
        )


@dataclass(frozen=True)
class Occupied:
    """A booking as a calendar sees it: who, when, and the buffer after it
    during which its staff member is still taken."""

    staff_id: str
    starts_at: datetime
    ends_at: datetime
    buffer: timedelta = timedelta()
    booking_id: str = ""

    @property
    def taken_until(self) -> datetime:
        return self.ends_at + self.buffer


def occupied(
    uow: UnitOfWork, staff_ids: list[str], start: datetime, end: datetime
) -> list[Occupied]:
    """Active bookings of these staff members that touch [start, end), each
    with its buffer (a booking whose buffer alone reaches in counts too)."""
    if not staff_ids:
        return []
    rows = repository.taken(uow, staff_ids, ACTIVE, as_utc(start), as_utc(end))
    # The columns' own type (UTCDateTime) already gives aware UTC times.
    found = [Occupied(str(s), a, b, timedelta(minutes=m), k) for s, a, b, m, k in rows]
    return [o for o in found if o.taken_until > start]


def ensure_staff_free(
    uow: UnitOfWork,
    staff_id: str,
    starts_at: datetime,
    ends_at: datetime,
    *,
    buffer: timedelta = timedelta(),
    besides: str | None = None,
) -> None:
    """Refuse (409 ``booking_overlaps``) a time when ``staff_id`` is booked:
    [starts_at, ends_at + buffer) may not meet another booking's time and its
    buffer (the range PostgreSQL's exclusion constraint also guards);
    ``besides``: a booking being moved, which does not clash with itself."""
    lock_staff_calendar(uow, staff_id)
    clash = next(
        (
            other
            for other in occupied(uow, [staff_id], starts_at, ends_at + buffer)
            if other.booking_id != besides
        ),
        None,
    )
    if clash is not None:
        raise Conflict(
            f"{staff_id} is already booked from {clash.starts_at:%H:%M} to"
            f" {clash.ends_at:%H:%M} on {clash.starts_at:%Y-%m-%d}"
            + (f", then kept free until {clash.taken_until:%H:%M}" if clash.buffer else "")
            + "; choose another time or another person.",
            code="booking_overlaps",
            param="starts_at",
            details={"booking_id": clash.booking_id},
        )


def book(
    uow: UnitOfWork,
    *,
    customer_id: str,
    service_id: str,
    starts_at: datetime,
    staff_id: str | None = None,
    card: str | None = None,
    any_staff: bool = False,
) -> Booking:
    """Book a service; ``any_staff``: booked online for anyone who performs it
    (``staff_id`` is the one chosen), so a move may choose again."""
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
        ensure_staff_free(uow, staff_id, starts_at, ends_at, buffer=buffer)
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
    if decision.required:
        take_deposit(uow, booking, decision, policy, card)
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
    emit(
        uow,
        "booking.created",
        booking.booking_id,
        {"starts_at": starts_at.isoformat(), "deposit": booking.deposit_amount},
    )
    return booking


def check_in(uow: UnitOfWork, booking_id: str) -> Booking:
    """The customer arrived: open their tab with the booked service, and use the deposit."""
    from servefirst.tabs.service import add_line, lock_tab, open_tab

    booking = get_booking(uow, booking_id, lock=True)
    booking.status = transition(booking.status, BookingAction.CHECK_IN).value
    hold = active_hold(uow, booking_id=booking.booking_id)
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
        applied = min(booking.deposit_amount, tab.subtotal)
        extra = booking.deposit_amount - applied
        entry = EntryBuilder(
            EntryKind.DEPOSIT_APPLIED,
            booking.currency,
            memo=f"deposit {booking.booking_id} applied",
            tab_id=tab.tab_id,
        )
        entry.debit(Account.DEPOSITS_HELD, booking.deposit_amount)
        entry.credit(Account.RECEIVABLES, applied)
        entry.credit(Account.CARD_CLEARING, extra)  # a deposit above the bill goes back
        ledger.post(uow, entry.build())
        uow.tabs.write(tab, deposit_applied=tab.deposit_applied + applied)
        booking.deposit_refund = extra
        booking.deposit_status = DepositStatus.APPLIED.value
        bump_totals(uow, applied=applied, refunded=extra)
    uow.session.flush()
    emit(uow, "booking.checked_in", booking.booking_id, {"tab_id": tab.tab_id})
    return booking


def cancel(uow: UnitOfWork, booking_id: str) -> Booking:
    booking = get_booking(uow, booking_id, lock=True)
    booking.status = transition(booking.status, BookingAction.CANCEL).value
    now = uow.clock.now()
    settlement = settle_cancellation(
        _policy_for(uow, booking),
        price=booking.price,
        deposit=booking.deposit_amount if booking.deposit_status == "held" else 0,
        starts_at=booking.starts_at,
        now=now,
    )
    if settlement.outcome is Outcome.FORFEIT:
        record_history(uow, booking.customer_id, "late_cancellations")
    settle_deposit(uow, booking, settlement)
    emit(uow, "booking.cancelled", booking.booking_id, {"fee": booking.deposit_fee})
    return booking


def no_show(uow: UnitOfWork, booking_id: str) -> Booking:
    booking = get_booking(uow, booking_id, lock=True)
    booking.status = transition(booking.status, BookingAction.NO_SHOW).value
    settlement = settle_no_show(
        _policy_for(uow, booking),
        price=booking.price,
        deposit=booking.deposit_amount if booking.deposit_status == "held" else 0,
        starts_at=booking.starts_at,
        now=uow.clock.now(),
    )
    record_history(uow, booking.customer_id, "no_shows")
    settle_deposit(uow, booking, settlement)
    emit(uow, "booking.no_show", booking.booking_id, {"fee": booking.deposit_fee})
    return booking


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


def renew_holds(uow: UnitOfWork) -> list[str]:
    """Keep every booking's hold alive until its slot: renew holds that would
    lapse within ``RENEW_AHEAD`` before the booking starts, and mark lapsed ones.

    Run by ``servefirst holds renew`` (hourly, from cron) and before reading
    bookings. Returns the ids of the holds that changed.
    """
    now = uow.clock.now()
    changed: list[str] = []
    rows = uow.session.execute(
        select(CardHold, Booking)
        .join(
            Booking,
            (Booking.merchant_id == CardHold.merchant_id)
            & (Booking.booking_id == CardHold.booking_id),
        )
        .where(
            CardHold.merchant_id == uow.merchant,
            CardHold.status == "active",
            CardHold.tab_id.is_(None),
            CardHold.expires_at <= now + RENEW_AHEAD,
            Booking.status == BookingStatus.CONFIRMED.value,
        )
        .with_for_update()
    ).all()
    for hold, booking in rows:
        if booking.starts_at <= hold.expires_at:
            continue  # the hold outlives the slot: nothing to do
        try:
            renewed = uow.gateways.sandbox.authorize(
                Money(hold.amount, hold.currency),
                payment_method=hold.payment_method,
                idempotency_key=f"{hold.hold_id}_renew",
                now=now,
            )
        except CardDeclined as declined:
            if now >= hold.expires_at:
                hold.status = "expired"
                hold.closed_at = now
                booking.deposit_status = DepositStatus.NONE.value
                booking.deposit_reason = (
                    f"The card hold lapsed and could not be renewed ({declined.code})."
                )
                changed.append(hold.hold_id)
            continue
        hold.status = "replaced"
        hold.closed_at = now
        ask_release(uow, hold)
        record_hold(uow, renewed, booking_id=booking.booking_id, replaces=hold.hold_id)
        changed.append(hold.hold_id)
    uow.session.flush()
    return changed


__all__ = [
    "book",
    "booking_for_token",
    "cancel",
    "check_in",
    "deposit_decision",
    "deposit_policy",
    "get_booking",
    "list_bookings",
    "merchant_deposit_policy",
    "no_show",
    "renew_holds",
    "set_deposit_policy",
]


def move_customer(uow: UnitOfWork, merged_id: str, into_id: str) -> int:
    """A merge of duplicate customers: ``merged_id``'s bookings become
    ``into_id``'s, with their deposits and holds (which hang on the booking)."""
    return move_rows(uow, Booking.customer_id, merged_id, into_id)

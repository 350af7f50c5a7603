"""Use cases of availability: set a person's hours, offer free times, and book
one online for a customer who gives their name and e-mail.

An online customer is treated as new unless they confirmed their e-mail with
a one-time code (``codes``): nothing may reveal whether an e-mail is already a
customer, so a booking without one creates a customer that staff can merge
later, and the deposit decision sees a newcomer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from servefirst.availability import repository
from servefirst.availability.hours import BookingSettings, WorkingHours, parse_hours
from servefirst.availability.rules import (
    Ask,
    Booked,
    Slot,
    Taken,
    check_bookable,
    check_window,
    days_between,
    offer,
    offer_times,
)
from servefirst.bookings import service as bookings
from servefirst.bookings.deposit_phases import DepositAsked
from servefirst.catalog.service import get_service, list_services
from servefirst.customers.service import create_customer
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import Conflict, InvalidRequest, NotFound, ServefirstError
from servefirst.merchants.service import get_merchant
from servefirst.staff.departures import active_ids, ensure_active
from servefirst.staff.service import get_member

if TYPE_CHECKING:
    from servefirst.bookings.models import Booking

#: Bookings are fetched this far after a window: the service's own buffer
#: may not run into a booking just after it (``bookings.occupied`` already
#: finds, before a window, a booking whose buffer still reaches into it).
_MARGIN = timedelta(days=1)
#: A booking's end is rounded up to the second when times are offered.
_TOUCHING = timedelta(seconds=1)


def get_hours(uow: UnitOfWork, staff_id: str) -> WorkingHours:
    get_member(uow, staff_id)
    return repository.hours_of(uow, staff_id) or WorkingHours()


def set_hours(
    uow: UnitOfWork,
    staff_id: str,
    *,
    weekly: dict[str, object],
    exceptions: Sequence[dict[str, object]],
    services: Sequence[str],
) -> WorkingHours:
    """Replace a person's hours, exceptions and services, checked whole first."""
    get_member(uow, staff_id)
    known = {s.service_id for s, _ in list_services(uow, include_inactive=True)}
    hours = parse_hours(weekly, exceptions, services, known)
    repository.save_hours(uow, staff_id, hours, uow.clock.now())
    return hours


def everyones_hours(uow: UnitOfWork) -> dict[str, WorkingHours]:
    """The current team's hours: whoever left is offered for nothing (their
    hours stay kept, for the day they come back)."""
    team = active_ids(uow)
    return {s: h for s, h in repository.all_hours(uow).items() if s in team}


def performers(uow: UnitOfWork, service_id: str) -> dict[str, WorkingHours]:
    """The staff who perform a service, with their hours."""
    return {s: h for s, h in everyones_hours(uow).items() if service_id in h.services}


def _ask(uow: UnitOfWork, service_id: str) -> Ask:
    service = get_service(uow, service_id)
    if not service.active:
        raise NotFound(f"No such service: '{service_id}'.", param="service_id")
    merchant = get_merchant(uow)
    return Ask(
        duration=timedelta(minutes=service.duration_minutes),
        buffer=timedelta(minutes=service.buffer_minutes),
        settings=BookingSettings(
            merchant.slot_minutes, merchant.min_notice_minutes, merchant.max_days_ahead
        ),
        zone=ZoneInfo(merchant.timezone),
        now=uow.clock.now(),
    )


def _staff_for(uow: UnitOfWork, service_id: str, staff_id: str | None) -> dict[str, WorkingHours]:
    """Who may be booked online for the service: the person named, or
    everyone who performs it. A named id that is no one here (404, as any
    unknown id), someone who left (409), or someone without hours or this
    service (422) is refused saying which id and why."""
    if staff_id is None:
        return performers(uow, service_id)
    try:
        get_member(uow, staff_id)
    except NotFound:
        raise NotFound(
            f"No staff member '{staff_id}' works at this business; name one the service lists"
            " as performing it, or leave staff_id out to book anyone.",
            param="staff_id",
        ) from None
    ensure_active(uow, staff_id)
    hours = repository.hours_of(uow, staff_id)
    if hours is None or not hours.services:
        raise InvalidRequest(
            f"Staff member '{staff_id}' takes no bookings online (no working hours or services"
            " are set); choose another person, or leave staff_id out to book anyone.",
            code="staff_not_bookable",
            param="staff_id",
        )
    if service_id not in hours.services:
        raise InvalidRequest(
            f"Staff member '{staff_id}' does not perform service '{service_id}'; choose another"
            " person, or leave staff_id out to book anyone.",
            code="service_not_performed",
            param="staff_id",
        )
    return {staff_id: hours}


def _booked(
    uow: UnitOfWork,
    staff_ids: list[str],
    start: datetime,
    end: datetime,
    *,
    besides: str | None = None,
    reach: timedelta = _MARGIN,
) -> dict[str, list[Booked]]:
    """Each person's bookings that [start, end + reach) meets, each with the
    buffer it was booked with; ``besides``: a booking being moved, which frees
    its own time; ``reach``: at least the asked service's buffer."""
    found: dict[str, list[Booked]] = {staff_id: [] for staff_id in staff_ids}
    for taken in bookings.occupied(uow, staff_ids, start, end + reach):
        if taken.booking_id != besides:
            found[taken.staff_id].append(Booked(taken.starts_at, taken.ends_at, taken.buffer))
    return found


@dataclass(frozen=True)
class Offered:
    """Free times as an answer sends them: the merchant's zone (the dates
    asked are its dates) and each time once, as (seconds since the epoch,
    the staff member offered), in order."""

    timezone: str
    times: list[tuple[int, str]]


def offered_times(
    uow: UnitOfWork,
    *,
    service_id: str,
    first: date | None,
    last: date | None,
    staff_id: str | None = None,
    besides: str | None = None,
) -> Offered:
    """Free times for a service from ``first`` to ``last`` (the merchant's
    dates, both included; at most 14 days), for one person or anyone;
    ``besides``: a booking being moved, whose own time counts as free."""
    ask = _ask(uow, service_id)
    first = first or ask.now.astimezone(ask.zone).date()
    days = days_between(first, last or first + timedelta(days=6))
    staff = _staff_for(uow, service_id, staff_id)
    start = datetime.combine(days[0], time(), tzinfo=ask.zone).astimezone(UTC)
    end = datetime.combine(days[-1] + timedelta(days=1), time(), tzinfo=ask.zone).astimezone(UTC)
    taken: dict[str, list[Taken]] = {staff_id: [] for staff_id in staff}
    for who, since, until, booking_id in bookings.occupied_seconds(
        uow, sorted(staff), start, end + ask.buffer
    ):
        if booking_id != besides:
            taken[who].append((since, until))
    return Offered(get_merchant(uow).timezone, offer_times(days, ask, staff, taken))


def availability(
    uow: UnitOfWork,
    *,
    service_id: str,
    first: date | None,
    last: date | None,
    staff_id: str | None = None,
    besides: str | None = None,
) -> list[Slot]:
    """``offered_times`` as slots."""
    offered = offered_times(
        uow, service_id=service_id, first=first, last=last, staff_id=staff_id, besides=besides
    )
    return [Slot(datetime.fromtimestamp(at, UTC), who) for at, who in offered.times]


def _next_free(
    uow: UnitOfWork,
    ask: Ask,
    staff: dict[str, WorkingHours],
    after: datetime,
    count: int = 3,
    *,
    besides: str | None = None,
) -> list[dict[str, str]]:
    """The next few free times after a refused one, for the customer to choose from."""
    first = after.astimezone(ask.zone).date()
    days = [first + timedelta(days=i) for i in range(7)]
    start = datetime.combine(first, time(), tzinfo=ask.zone).astimezone(UTC)
    booked = _booked(uow, sorted(staff), start, start + timedelta(days=8), besides=besides)
    later = [s for s in offer(days, ask, staff, booked) if s.starts_at > after][:count]
    return [{"starts_at": s.starts_at.isoformat(), "staff_id": s.staff_id} for s in later]


def first_free(
    uow: UnitOfWork,
    ask: Ask,
    staff: dict[str, WorkingHours],
    starts_at: datetime,
    *,
    besides: str | None = None,
    prefer: str | None = None,
    lock: bool = True,
    any_start: bool = False,
) -> str:
    """Who among ``staff`` can take ``starts_at``: ``prefer`` if they can, else
    the least busy around then (ties by id); or the clearest refusal, a taken
    time with the next free ones. ``lock``: hold their calendars until commit.
    Only an offered start is taken, unless ``any_start`` (staff moving a
    booking, who may choose any minute)."""
    if not staff:
        raise InvalidRequest(
            "Nobody performs this service online yet.",
            code="service_not_performed",
            param="service_id",
        )
    check_window(starts_at, ask)
    if lock:
        # In id order, so two requests never wait on each other crosswise.
        for candidate in sorted(staff):
            bookings.lock_staff_calendar(uow, candidate)
    # From a moment before: a booking whose buffer ends right at the start
    # is what makes an off-step start an offered one (``rules.on_offer``).
    since = starts_at - _TOUCHING
    booked = _booked(uow, sorted(staff), since, starts_at + ask.duration, besides=besides)
    refusal: ServefirstError | None = None
    for candidate in sorted(staff, key=lambda s: (s != prefer, len(booked[s]), s)):
        try:
            check_bookable(
                starts_at, ask, staff[candidate], booked[candidate], candidate, any_start=any_start
            )
        except ServefirstError as refused:
            if refusal is None or refused.status > refusal.status:
                refusal = refused  # an overlap (409) says more than "outside hours"
            continue
        return candidate
    assert refusal is not None
    if isinstance(refusal, Conflict):
        refusal.details["next_slots"] = _next_free(uow, ask, staff, starts_at, besides=besides)
    raise refusal


def begin_online(
    uow: UnitOfWork,
    *,
    service_id: str,
    starts_at: datetime,
    staff_id: str | None,
    name: str,
    email: str,
    phone: str | None,
    card: str | None,
    payment_method: str | None = None,
    customer_id: str | None = None,
) -> tuple[Booking, DepositAsked | None]:
    """Book a free time: the person asked for, or the first free one among
    those who perform the service ("anyone", which a move may change).
    Refusals name the reason. The customer is a new one made from the name and
    e-mail, unless ``customer_id`` names one whose e-mail was confirmed. With a
    deposit, phase 1 only: the page runs the rest with ``book_in_turn``, the
    API with ``book_off_the_loop`` (``bookings.deposit_phases``)."""
    ask = _ask(uow, service_id)
    staff = _staff_for(uow, service_id, staff_id)
    chosen = first_free(uow, ask, staff, starts_at)
    if customer_id is None:
        customer_id = create_customer(uow, name=name, email=email, phone=phone).customer_id
    return bookings.begin_booking(
        uow,
        customer_id=customer_id,
        service_id=service_id,
        starts_at=starts_at,
        staff_id=chosen,
        card=card,
        payment_method=payment_method,
        any_staff=staff_id is None,
    )

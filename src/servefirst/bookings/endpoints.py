"""Bookings: staff book, check in, cancel and mark no-shows; customers get a calendar file."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from servefirst.api.context import MerchantUoW, PublicURL, run_sync, runtime_of
from servefirst.api.fields import QueryMoment
from servefirst.api.phased import Kept, once_per_key
from servefirst.api.routing import ServefirstRoute, answer_last
from servefirst.availability.online import who_moves
from servefirst.bookings import hold_raises, rescheduling
from servefirst.bookings import service as bookings
from servefirst.bookings.awaited import booking_awaits_processor
from servefirst.bookings.calendar import booking_calendar
from servefirst.bookings.deposit_phases import book_off_the_loop
from servefirst.bookings.deposit_refunds import refunds_off_the_loop
from servefirst.bookings.hold_fees import fee_off_the_loop
from servefirst.bookings.hold_raises import raise_off_the_loop
from servefirst.bookings.refund_answers import refund_answers_of
from servefirst.bookings.rules import CancelledBy
from servefirst.bookings.schemas import (
    BookingIn,
    BookingList,
    BookingOut,
    CancelIn,
    HoldRenewalOut,
    RescheduleIn,
)
from servefirst.catalog.service import get_service
from servefirst.db.uow import UnitOfWork
from servefirst.kit.clock import as_utc
from servefirst.kit.errors import NotFound
from servefirst.kit.ids import merchant_of_credential
from servefirst.merchants.service import get_merchant, merchant_zone

router = APIRouter(tags=["bookings"], route_class=ServefirstRoute)

_STATE: dict[int | str, dict[str, Any]] = {
    409: {
        "description": "booking_state_invalid: the booking has already ended;"
        " payment_in_progress: its deposit or card hold waits for the card processor"
    }
}


#: A cancellation without a body: the customer's (the contract's "per policy").
NO_ONE_SAID = CancelIn()


def present(uow: UnitOfWork, booking_id: str, base: str) -> BookingOut:
    return BookingOut.build(uow, bookings.get_booking(uow, booking_id), base)


def _kept(uow: UnitOfWork, booking_id: str, made: str) -> Kept:
    """A booking's step commits before the processor is asked (a fee, a
    refund, a raise): its key keeps the booking for a retry after a crash."""
    return Kept(made, "booking_id", booking_id, lambda: booking_awaits_processor(uow, booking_id))


async def _settle(request: Request, uow: UnitOfWork, booking_id: str) -> None:
    """The processor's phases of a booking that ended: its fee, its refund."""
    await fee_off_the_loop(request, uow, booking_id)
    await refunds_off_the_loop(request, uow, booking_id)


@router.post(
    "/v1/bookings",
    status_code=201,
    response_model=BookingOut,
    summary="Book a slot; a deposit is taken when the policy and the customer's trust ask",
    responses={
        402: {"description": "deposit_required, or the card's decline code"},
        404: {
            "description": "resource_missing: no such customer_id, service_id or staff_id"
            " for this merchant (param names which)"
        },
        409: {"description": "booking_overlaps: the staff member is already booked"},
    },
)
async def create_booking(
    body: BookingIn, uow: MerchantUoW, base: PublicURL, request: Request
) -> Response:
    booking = await book_off_the_loop(
        request,
        uow,
        lambda: bookings.begin_booking(
            uow,
            customer_id=body.customer_id,
            service_id=body.service_id,
            starts_at=body.starts_at,
            staff_id=body.staff_id,
            card=body.card,
            payment_method=body.payment_method,
        ),
    )
    return await answer_last(request, lambda: BookingOut.build(uow, booking, base), status=201)


@router.get(
    "/v1/bookings",
    response_model=BookingList,
    summary="Bookings by start time; by default today's and upcoming ones",
)
def list_bookings(
    uow: MerchantUoW,
    base: PublicURL,
    from_: Annotated[QueryMoment | None, Query(alias="from")] = None,
    to: QueryMoment | None = None,
    limit: int = Query(500, ge=1, le=1000),
) -> BookingList:
    if from_ is None:
        # Today from the merchant's midnight, so the morning's bookings stay
        # on the list and yesterday's evening is off it, wherever it trades.
        zone = merchant_zone(uow)
        from_ = datetime.combine(uow.clock.now().astimezone(zone).date(), time.min, tzinfo=zone)
    found = bookings.list_bookings(
        uow, start=as_utc(from_), end=as_utc(to) if to else None, limit=limit
    )
    return BookingList(data=[BookingOut.build(uow, b, base) for b in found])


@router.get("/v1/bookings/{booking_id}", response_model=BookingOut, summary="Get a booking")
def get_booking(booking_id: str, uow: MerchantUoW, base: PublicURL) -> BookingOut:
    return present(uow, booking_id, base)


@router.post(
    "/v1/bookings/{booking_id}/check-in",
    response_model=BookingOut,
    summary="The customer arrived: open their tab with the service and apply the deposit",
    responses=_STATE,
)
async def check_in_booking(
    booking_id: str, uow: MerchantUoW, base: PublicURL, request: Request
) -> Response:
    opened: list[str] = []

    def begin() -> bool:
        opened.extend(filter(None, [bookings.begin_check_in(uow, booking_id).tab_id]))
        return True

    async def then() -> None:
        await refunds_off_the_loop(request, uow, booking_id)  # a captured deposit above the bill
        for tab_id in opened:  # the hold now behind the tab may have to grow
            await raise_off_the_loop(request, uow, tab_id)

    await once_per_key(request, uow, _kept(uow, booking_id, "checked in this booking"), begin, then)
    return await answer_last(request, lambda: present(uow, booking_id, base))


@router.post(
    "/v1/bookings/{booking_id}/cancel",
    response_model=BookingOut,
    summary="Cancel: the deposit is refunded in time, a late-cancellation fee kept after",
    description="The body is optional. `by` says who cancels: `customer` (the default, also"
    " when staff cancel because the customer asked) follows the policy: refunded in time, the"
    " late-cancellation fee kept inside the window and counted in the customer's history."
    " `business` (the business calls it off): the whole deposit is refunded or the whole card"
    " hold released, whenever it is, and nothing counts against the customer. The customer's"
    " cancellation e-mail says which.",
    responses=_STATE,
)
async def cancel_booking(
    booking_id: str,
    uow: MerchantUoW,
    base: PublicURL,
    request: Request,
    body: CancelIn = NO_ONE_SAID,
) -> Response:
    by = CancelledBy(body.by)

    def begin() -> bool:
        bookings.begin_cancel(uow, booking_id, by=by)
        return True

    kept = _kept(uow, booking_id, "cancelled this booking")
    await once_per_key(request, uow, kept, begin, lambda: _settle(request, uow, booking_id))
    return await answer_last(request, lambda: present(uow, booking_id, base))


@router.post(
    "/v1/bookings/{booking_id}/no-show",
    response_model=BookingOut,
    summary="The customer did not come: the no-show fee is kept (within the charge window)",
    responses=_STATE,
)
async def mark_no_show(
    booking_id: str, uow: MerchantUoW, base: PublicURL, request: Request
) -> Response:
    def begin() -> bool:
        bookings.begin_no_show(uow, booking_id)
        return True

    kept = _kept(uow, booking_id, "marked this booking a no-show")
    await once_per_key(request, uow, kept, begin, lambda: _settle(request, uow, booking_id))
    return await answer_last(request, lambda: present(uow, booking_id, base))


@router.post(
    "/v1/bookings/{booking_id}/reschedule",
    response_model=BookingOut,
    summary="Move a booking to another time or person; it keeps its id, deposit and hold",
    description="Inside the cancellation window the move costs what a late cancellation"
    " would: the fee is kept from the deposit and the rest follows the booking. With a card"
    " hold the fee is captured from it once the move is kept, and the rest is held anew on"
    " the same card; a card that declines leaves the booking unsecured (its deposit's reason"
    " says why), never the move half made.",
    operation_id="reschedule_booking",
    responses={
        **_STATE,
        404: {
            "description": "resource_missing: no such booking_id, or a staff_id that is no"
            " member of this merchant (param names which)"
        },
    },
)
async def reschedule_booking(
    booking_id: str, body: RescheduleIn, uow: MerchantUoW, base: PublicURL, request: Request
) -> Response:
    def move() -> bool:
        # A booking made online for anyone may go to whoever is free then.
        staff_id = body.staff_id or who_moves(uow, booking_id, body.starts_at)
        rescheduling.begin_reschedule(uow, booking_id, starts_at=body.starts_at, staff_id=staff_id)
        return True

    async def then() -> None:
        await fee_off_the_loop(request, uow, booking_id)

    await once_per_key(request, uow, _kept(uow, booking_id, "moved this booking"), move, then)
    return await answer_last(request, lambda: present(uow, booking_id, base))


@router.post(
    "/v1/holds/renew",
    response_model=HoldRenewalOut,
    summary="Renew card holds that would lapse before their booking (cron: hourly)",
)
async def renew_holds(uow: MerchantUoW, request: Request) -> HoldRenewalOut:
    """Phase 1 where the request's work runs; each renewal's processor call
    in a worker thread between its two transactions (``hold_raises``)."""
    await run_sync(request, bookings.ask_renewals, uow)
    asked = await run_sync(request, hold_raises.renewals_asked, uow)
    await run_sync(request, uow.commit)
    changed: list[str] = []
    for each in asked:
        outcome = await run_in_threadpool(hold_raises.call_processor, uow.gateways, each)
        if await run_sync(request, hold_raises.finish_renewal, uow, each, outcome):
            changed.append(each.hold_id)
        await run_sync(request, uow.commit)
    return HoldRenewalOut(changed=changed)


async def booking_uow(request: Request, token: str) -> UnitOfWork:
    """The booking token in the path is the customer's credential."""
    merchant_id = merchant_of_credential(token)
    if merchant_id is None:
        raise NotFound("No such booking.", code="booking_not_found")
    uow = runtime_of(request).uow(merchant_id, write=False)
    request.state.uow = uow
    return uow


@router.get(
    "/v1/public/bookings/{token}.ics",
    tags=["customer"],
    summary="The booking as an iCalendar file (RFC 5545) for the customer's calendar",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, 404: {"description": "booking_not_found"}},
    operation_id="get_booking_calendar",
)
def get_booking_calendar(token: str, uow: Annotated[UnitOfWork, Depends(booking_uow)]) -> Response:
    booking = bookings.booking_for_token(uow, token)
    service = get_service(uow, booking.service_id)
    merchant = get_merchant(uow)
    body = booking_calendar(
        booking,
        service_name=service.name,
        business_name=merchant.name,
        policy=bookings.deposit_policy(uow, service.deposit_policy),
        now_utc=uow.clock.now(),
        locale=merchant.locale,
        refunds=refund_answers_of(uow, [booking])[booking.booking_id],
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{booking.booking_id}.ics"'},
    )

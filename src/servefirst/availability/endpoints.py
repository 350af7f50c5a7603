"""Working hours over the API, and the public routes of online booking.

The public routes are found by the merchant's ``slug``; like the tab routes
under ``/v1/public/`` they take no API key, and the request gate bounds their
bodies as it does every public route's.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from servefirst.api.context import MerchantUoW, PublicURL, open_public_uow, run_sync, runtime_of
from servefirst.api.routing import ServefirstRoute, answer_last
from servefirst.availability import codes
from servefirst.availability import service as availability
from servefirst.availability.schemas import (
    AvailabilityOut,
    HoursIn,
    HoursOut,
    PublicBookingIn,
    PublicBookingOut,
    PublicPerformer,
    PublicService,
    PublicServiceList,
)
from servefirst.bookings.deposit_phases import book_off_the_loop
from servefirst.bookings.schemas import BookingOut
from servefirst.catalog.service import list_services
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import InvalidRequest, NotFound, ServefirstError
from servefirst.merchants.service import get_merchant, merchant_by_slug
from servefirst.runtime import Runtime
from servefirst.staff.service import list_members

router = APIRouter(route_class=ServefirstRoute)


@router.get(
    "/v1/staff/{staff_id}/hours",
    tags=["staff"],
    response_model=HoursOut,
    summary="A staff member's weekly hours, exceptions and services",
    operation_id="get_staff_hours",
)
def get_staff_hours(staff_id: str, uow: MerchantUoW) -> HoursOut:
    return HoursOut.build(staff_id, availability.get_hours(uow, staff_id))


@router.post(
    "/v1/staff/{staff_id}/hours",
    tags=["staff"],
    response_model=HoursOut,
    summary="Replace a staff member's hours, exceptions and services (checked whole)",
    operation_id="set_staff_hours",
)
def set_staff_hours(staff_id: str, body: HoursIn, uow: MerchantUoW) -> HoursOut:
    hours = availability.set_hours(
        uow,
        staff_id,
        weekly=dict(body.weekly),
        exceptions=[{"date": e.date.isoformat(), "hours": e.hours} for e in body.exceptions],
        services=body.services,
    )
    return HoursOut.build(staff_id, hours)


def _merchant_of_slug(uow: UnitOfWork, slug: str) -> str:
    merchant = merchant_by_slug(uow, slug)
    if merchant is None:
        raise NotFound(f"No business at '{slug}'.", code="merchant_not_found", param="slug")
    return merchant.merchant_id


def _merchant_id_of_slug(rt: Runtime, slug: str) -> str:
    with rt.uow(write=False) as uow:
        return _merchant_of_slug(uow, slug)


async def slug_uow(request: Request, slug: str) -> UnitOfWork:
    """The merchant named by the slug in the path."""
    slug = slug[:63]
    if request.method in ("GET", "HEAD"):
        # A read finds the merchant in its own unit of work: one transaction,
        # and the merchant's row already in hand when the answer reads it.
        uow = runtime_of(request).uow(write=False)
        request.state.uow = uow  # closed by ``commit.conclude``, even on a 404
        uow.merchant_id = await run_sync(request, _merchant_of_slug, uow, slug)
        return uow
    # A write may claim an idempotency key, whose scope is the merchant's.
    merchant_id = await run_sync(request, _merchant_id_of_slug, runtime_of(request), slug)
    return await open_public_uow(request, merchant_id, scope=f"slug:{slug}")


SlugUoW = Annotated[UnitOfWork, Depends(slug_uow)]


@router.get(
    "/v1/public/merchants/{slug}/services",
    tags=["customer"],
    response_model=PublicServiceList,
    summary="What a business offers online: price, duration, what to expect, who performs it",
    operation_id="list_public_services",
)
def list_public_services(slug: str, uow: SlugUoW) -> PublicServiceList:
    merchant = get_merchant(uow)
    names = {m.staff_id: m.name for m in list_members(uow)}
    everyone = availability.everyones_hours(uow)
    data = []
    for service, terms in list_services(uow):
        performers = [s for s, hours in everyone.items() if service.service_id in hours.services]
        data.append(
            PublicService(
                id=service.service_id,
                name=service.name,
                price=service.price,
                currency=merchant.currency,
                duration_minutes=service.duration_minutes,
                expected_results=terms.expected_results,
                limits=terms.limits,
                staff=[PublicPerformer(id=s, name=names.get(s, s)) for s in sorted(performers)],
            )
        )
    return PublicServiceList(merchant_name=merchant.name, timezone=merchant.timezone, data=data)


@router.get(
    "/v1/public/merchants/{slug}/availability",
    tags=["customer"],
    response_model=AvailabilityOut,
    summary="Free times for a service, for one person or anyone (at most 14 days at a time)",
    operation_id="get_availability",
)
def get_availability(
    slug: str,
    uow: SlugUoW,
    service_id: Annotated[str, Query(max_length=40)],
    from_: Annotated[
        date | None, Query(alias="from", description="A date (default today).")
    ] = None,
    to: Annotated[date | None, Query(description="The last date (default from + 6 days).")] = None,
    staff_id: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    for name, day in (("from", from_), ("to", to)):
        if day is not None and not 2000 <= day.year <= 2100:
            raise InvalidRequest("Dates must fall in the years 2000 to 2100.", param=name)
    offered = availability.offered_times(
        uow, service_id=service_id, first=from_, last=to, staff_id=staff_id
    )
    return Response(
        AvailabilityOut.json_bytes(service_id, offered.timezone, offered.times),
        media_type="application/json",
    )


def require_codes(rt: Runtime) -> None:
    """E-mail codes need a way to send them and the key they are worked out with."""
    if not (rt.settings.smtp_url and rt.settings.secret_key):
        raise ServefirstError(
            "This server sends no e-mail, so e-mail codes are not offered; book as new.",
            code="email_codes_unavailable",
            status=400,
        )


def _give_back(uow: UnitOfWork, proof: str) -> None:
    """After a refused booking: whatever was not committed goes, and a proof
    used by a booking that was kept (phase 1) and then taken back (its card
    declined) may book again."""
    uow.rollback()
    codes.give_back_proof(uow, proof)
    uow.commit()


@router.post(
    "/v1/public/merchants/{slug}/bookings",
    tags=["customer"],
    status_code=201,
    response_model=PublicBookingOut,
    summary="Book an offered time as a new customer; a deposit when the policy asks",
    operation_id="create_public_booking",
    responses={
        402: {"description": "deposit_required, or the card's decline code"},
        404: {
            "description": "merchant_not_found; resource_missing (param staff_id or"
            " service_id): no such person or service at this business"
        },
        409: {"description": "booking_overlaps: the time was taken meanwhile"},
        422: {
            "description": "slot_off_grid: not one of the offered starts (details give"
            " slot_minutes); slot_outside_hours, slot_in_past, slot_too_soon,"
            " slot_too_far_ahead; staff_not_bookable: that person takes no online"
            " bookings; service_not_performed: not by that person"
        },
    },
)
async def create_public_booking(
    slug: str, body: PublicBookingIn, uow: SlugUoW, base: PublicURL, request: Request
) -> Response:
    proof = body.email_proof
    if proof is not None:
        require_codes(runtime_of(request))

    # The deposit's processor is called in a worker thread, between two
    # short transactions (``bookings.deposit_phases``). With a confirmed
    # e-mail, the customer it belongs to (or a new one with that e-mail); the
    # proof is used up with the booking, in its transaction.
    try:
        booking = await book_off_the_loop(
            request,
            uow,
            lambda: availability.begin_online(
                uow,
                service_id=body.service_id,
                starts_at=body.starts_at,
                staff_id=body.staff_id,
                name=body.name,
                email=body.email,
                phone=body.phone,
                card=body.card,
                payment_method=body.payment_method,
                customer_id=codes.use_proof(uow, proof, body.email) if proof else None,
            ),
        )
    except ServefirstError as refused:
        if proof and refused.type == "card_error":
            await run_sync(request, _give_back, uow, proof)
        raise

    def answer() -> PublicBookingOut:
        staff_view = BookingOut.build(uow, booking, base)
        return PublicBookingOut(
            **staff_view.model_dump(), manage_url=f"{base}/b/{slug}/bookings/{booking.token}"
        )

    return await answer_last(request, answer, status=201)

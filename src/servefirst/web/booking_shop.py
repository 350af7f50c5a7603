"""What the booking pages read: a business by its slug, its services with
who performs them, the free times of a window, and a booking by its token.

Each read is its own short transaction; the pages render from these plain
values, never from live rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from servefirst.availability import service as availability
from servefirst.availability.online import ChangeCost, change_cost
from servefirst.availability.rules import Slot
from servefirst.bookings import service as bookings
from servefirst.bookings.refund_answers import refund_answers_of
from servefirst.catalog.rules import statements_of
from servefirst.catalog.service import get_service, list_services
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import NotFound
from servefirst.kit.ids import merchant_of_credential
from servefirst.merchants.service import get_merchant, merchant_by_slug
from servefirst.payments.refund_rules import KEY_REUSED
from servefirst.runtime import Runtime
from servefirst.staff.service import list_members


@dataclass(frozen=True)
class Offer:
    """A service as the page shows it before booking."""

    id: str
    name: str
    price: int
    duration_minutes: int
    expected_results: list[str]
    limits: list[str]
    staff: list[tuple[str, str]]  # (id, name) of who performs it


@dataclass(frozen=True)
class Shop:
    slug: str
    merchant_id: str
    name: str
    currency: str
    zone: ZoneInfo
    locale: str
    today: date
    offers: list[Offer] = field(default_factory=list)
    #: The number a customer calls the business on, where it gave one.
    phone: str | None = None

    def offer(self, service_id: str) -> Offer | None:
        return next((o for o in self.offers if o.id == service_id), None)


@dataclass(frozen=True)
class Held:
    """A booking as its manage page shows it."""

    token: str
    booking_id: str
    status: str
    service_id: str
    service_name: str
    staff_id: str | None
    staff_name: str
    any_staff: bool
    starts_at: datetime
    ends_at: datetime
    price: int
    currency: str
    deposit_amount: int
    deposit_status: str
    deposit_reason: str
    cost: ChangeCost
    #: Once the booking is called off: what of the deposit the business kept
    #: (a late cancellation's fee, a no-show, and any late move's before),
    #: what is back with the customer, what is still on its way to the card,
    #: and what the card processor refused to refund (still held, owed to them).
    deposit_kept: int = 0
    deposit_back: int = 0
    deposit_on_its_way: int = 0
    #: What is on its way is held up at the processor (its key refused): made
    #: by itself within a day, nothing for the customer to do.
    deposit_delayed: bool = False
    deposit_refused: int = 0
    #: Kept by late moves: the deposit taken was ``deposit_amount`` plus this.
    deposit_move_fee: int = 0


def merchant_of_slug(rt: Runtime, slug: str) -> str:
    with rt.uow(write=False) as uow:
        merchant = merchant_by_slug(uow, slug[:63])
        if merchant is None:
            raise NotFound("No such business.", code="merchant_not_found")
        return merchant.merchant_id


def _names(uow: UnitOfWork) -> dict[str, str]:
    """Everyone's names, those who left too: a booking made with them says who."""
    return {m.staff_id: m.name for m in list_members(uow, include_inactive=True)}


def read_shop(rt: Runtime, slug: str) -> Shop:
    merchant_id = merchant_of_slug(rt, slug)
    with rt.uow(merchant_id, write=False) as uow:
        merchant = get_merchant(uow)
        zone = ZoneInfo(merchant.timezone)
        names = _names(uow)
        everyone = availability.everyones_hours(uow)
        offers = [
            Offer(
                id=service.service_id,
                name=service.name,
                price=service.price,
                duration_minutes=service.duration_minutes,
                expected_results=statements_of(terms.expected_results),
                limits=statements_of(terms.limits),
                staff=[
                    (s, names.get(s, s))
                    for s in sorted(everyone)
                    if service.service_id in everyone[s].services
                ],
            )
            for service, terms in list_services(uow)
        ]
        return Shop(
            slug=slug,
            merchant_id=merchant_id,
            name=merchant.name,
            currency=merchant.currency,
            zone=zone,
            locale=merchant.locale,
            today=uow.clock.now().astimezone(zone).date(),
            offers=[o for o in offers if o.staff],
            phone=merchant.phone,
        )


def free_times(
    rt: Runtime,
    shop: Shop,
    service_id: str,
    staff_id: str | None,
    first: date,
    last: date,
    besides: str | None = None,
) -> list[Slot]:
    with rt.uow(shop.merchant_id, write=False) as uow:
        return availability.availability(
            uow,
            service_id=service_id,
            first=first,
            last=last,
            staff_id=staff_id,
            besides=besides,
        )


def read_booking(rt: Runtime, shop: Shop, token: str) -> Held:
    if merchant_of_credential(token) != shop.merchant_id:
        raise NotFound("No such booking.", code="booking_not_found")
    with rt.uow(shop.merchant_id, write=False) as uow:
        booking = bookings.booking_for_token(uow, token)
        service = get_service(uow, booking.service_id)
        refunds = refund_answers_of(uow, [booking])[booking.booking_id]
        return Held(
            token=token,
            booking_id=booking.booking_id,
            status=booking.status,
            service_id=booking.service_id,
            service_name=service.name,
            staff_id=booking.staff_id,
            staff_name=_names(uow).get(booking.staff_id or "", ""),
            any_staff=booking.any_staff,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            price=booking.price,
            currency=booking.currency,
            deposit_amount=booking.deposit_amount,
            deposit_status=booking.deposit_status,
            deposit_reason=booking.deposit_reason or "",
            cost=change_cost(uow, booking),
            deposit_kept=booking.deposit_fee + booking.deposit_move_fee,
            deposit_back=refunds.back + refunds.returned_by_bank,
            deposit_on_its_way=refunds.pending,
            deposit_delayed=bool(refunds.pending) and refunds.why_pending == KEY_REUSED,
            deposit_refused=refunds.refused,
            deposit_move_fee=booking.deposit_move_fee,
        )

"""Phones kept before a phone needed six digits ("---", typed when the field
took anything) are still on some customers' records. Today's rules refuse
such a phone when it is typed, and what reads a stored one must not trip on
it: the pages and the API show it as it was kept, no text is planned for it,
and a text planned to it before is skipped, never handed to the SMS provider."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import update

from servefirst.customers.models import Customer
from servefirst.messages.models import Message
from servefirst.messages.transport import Transports
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration.test_availability_api import Salon
from tests.integration.test_bookings_api import GOOD, salon
from tests.integration.test_pages_staff import Staff
from tests.integration.test_text_messages import PHONE, Phone, deliver

#: A phone as it was kept before the rule: no digit at all.
OLD = "---"


def kept_before_the_rule(runtime: Runtime, merchant: Merchant, customer_id: str) -> None:
    """The customer's phone as an old record holds it (written past today's rules)."""
    with runtime.uow(merchant.id) as uow:
        uow.session.execute(
            update(Customer)
            .where(Customer.merchant_id == merchant.id, Customer.customer_id == customer_id)
            .values(phone=OLD, phone_key=None)
        )
        uow.commit()


def booked(shop: Salon, customer_id: str) -> dict[str, object]:
    """Booked by staff over the phone, a deposit by card."""
    made = shop.merchant.post(
        "/v1/bookings",
        {
            "customer_id": customer_id,
            "service_id": shop.cut["id"],
            "starts_at": shop.at(shop.day(3), "15:00"),
            "staff_id": shop.maria,
            "card": GOOD,
        },
    )
    assert made.status_code == 201, made.text
    return made.json()  # type: ignore[no-any-return]


def test_a_customer_with_an_old_phone_is_shown_it_and_never_texted(
    runtime: Runtime, merchant: Merchant, clock: TestClock, signed_in: Callable[..., Staff]
) -> None:
    shop = Salon(merchant, clock)
    salon(merchant)
    person = merchant.customer("Rui Lopes", phone=PHONE)
    kept_before_the_rule(runtime, merchant, person["id"])
    booking = booked(shop, person["id"])
    phone = Phone()
    deliver(runtime, merchant, phone)
    cancelled = merchant.post(f"/v1/bookings/{booking['id']}/cancel", {"by": "business"})
    assert cancelled.status_code == 200, cancelled.text
    deliver(runtime, merchant, phone)
    assert phone.texts == []
    assert merchant.get("/v1/messages").json()["data"] == []

    shown = merchant.get(f"/v1/customers/{person['id']}")
    assert shown.status_code == 200, shown.text
    assert shown.json()["phone"] == OLD
    counter = signed_in(merchant, access="manager")
    for page in (f"/staff/customers/{person['id']}", "/staff/customers?q=Rui", "/staff/messages"):
        answer = counter.get(page)
        assert answer.status_code == 200, (page, answer.text)
    assert OLD in counter.get(f"/staff/customers/{person['id']}").text


def test_a_text_planned_to_a_phone_now_refused_is_skipped_not_sent(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    shop = Salon(merchant, clock)
    salon(merchant)
    phone = Phone()
    worker = Worker(runtime, transports=Transports(None, sms=phone), merchants=[merchant.id])
    person = merchant.customer("Rui Lopes", phone=PHONE)
    booking = booked(shop, person["id"])
    worker.plan()  # the confirmation and the reminder, planned while the phone was a phone
    planned = merchant.get("/v1/messages").json()["data"]
    assert sorted((m["kind"], m["channel"], m["status"]) for m in planned) == [
        ("booking_confirmation", "sms", "pending"),
        ("booking_reminder", "sms", "pending"),
    ]
    kept_before_the_rule(runtime, merchant, person["id"])
    with runtime.uow(merchant.id) as uow:
        uow.session.execute(
            update(Message).where(Message.merchant_id == merchant.id).values(to_address=OLD)
        )
        uow.commit()
    starts = datetime.fromisoformat(str(booking["starts_at"]))
    deliver(runtime, merchant, phone)
    deliver(runtime, merchant, phone, at=starts - timedelta(hours=23))  # the reminder's time
    assert phone.texts == []
    listed = merchant.get("/v1/messages").json()["data"]
    assert sorted((m["kind"], m["to"], m["status"], m["last_error"]) for m in listed) == [
        ("booking_confirmation", OLD, "skipped", "the phone number cannot take texts"),
        ("booking_reminder", OLD, "skipped", "the phone number cannot take texts"),
    ]

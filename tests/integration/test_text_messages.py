"""A customer with only a phone is texted what they must not miss: their
booking confirmed, reminded, cancelled (so they do not come to an appointment
that no longer exists), and money refunded. Each text is one short line in the
merchant's language and time zone, through the SMS provider; a customer who
opted out, or has no phone, gets nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_datetime

from servefirst.kit.clock import FrozenClock
from servefirst.messages.sms_segments import in_gsm
from servefirst.messages.transport import Transports
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration.test_availability_api import Salon
from tests.integration.test_bookings_api import GOOD, salon
from tests.integration.test_pages_staff import Staff

LISBON = ZoneInfo("Europe/Lisbon")
PHONE = "+351 912 000 111"
#: GSM 03.38: the characters of one 7-bit septet, and those (the euro sign
#: among them) that take two.
GSM = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_TWICE = "^{}\\[~]|€"


class Phone:
    """The SMS provider: keeps each text it is given."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []

    def send(self, to: str, text: str, *, message_id: str) -> None:
        self.texts.append((to, text))

    def to(self, number: str) -> list[str]:
        return [text for to, text in self.texts if to == number]


def deliver(runtime: Runtime, merchant: Merchant, phone: Phone, at: datetime | None = None) -> None:
    """The worker with no mail server: only texts can go."""
    Worker(
        runtime,
        clock=FrozenClock(at) if at else None,
        transports=Transports(None, sms=phone),
        merchants=[merchant.id],
    ).drain()


def septets(text: str) -> int | None:
    """The text's length in one GSM segment's units; None: it needs UCS-2."""
    if any(c not in GSM and c not in GSM_TWICE for c in text):
        return None
    return sum(2 if c in GSM_TWICE else 1 for c in text)


def short_when(merchant: Merchant, starts: str) -> str:
    locale = merchant.get("/v1/merchant").json()["locale"]
    local = datetime.fromisoformat(starts).astimezone(LISBON)
    return format_datetime(local, "EEE d MMM HH:mm", locale=locale)


def phone_booking(shop: Salon, name: str, *, days: int = 3, **who: Any) -> dict[str, Any]:
    """Booked by staff over the phone, with Maria at 15:00 Lisbon time, a deposit by card."""
    person = shop.merchant.customer(name, phone=who.pop("phone", PHONE), **who)
    booked = shop.merchant.post(
        "/v1/bookings",
        {
            "customer_id": person["id"],
            "service_id": shop.cut["id"],
            "starts_at": shop.at(shop.day(days), "15:00"),
            "staff_id": shop.maria,
            "card": GOOD,
        },
    )
    assert booked.status_code == 201, booked.text
    return booked.json()  # type: ignore[no-any-return]


def texts_listed(merchant: Merchant) -> list[tuple[str, str, str]]:
    listed = merchant.get("/v1/messages").json()["data"]
    return [(m["kind"], m["channel"], m["status"]) for m in listed if m["to"] == PHONE]


def test_a_phone_only_customer_is_texted_the_booking_and_its_cancellation_and_not_reminded(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    signed_in: Callable[..., Staff],
) -> None:
    shop = Salon(merchant, clock)
    salon(merchant)  # new customers leave a deposit: 15% of 40.00
    phone = Phone()
    booking = phone_booking(shop, "Caio Nunes")
    deliver(runtime, merchant, phone)
    when = short_when(merchant, booking["starts_at"])
    [confirmed] = phone.to(PHONE)
    assert confirmed.startswith(f"Café Azul: booking confirmed, Cut and blow-dry {when}. Stop: ")

    cancelled = merchant.post(f"/v1/bookings/{booking['id']}/cancel", {"by": "business"})
    assert cancelled.status_code == 200, cancelled.text
    starts = datetime.fromisoformat(cancelled.json()["starts_at"])
    deliver(runtime, merchant, phone)
    deliver(runtime, merchant, phone, at=starts - timedelta(hours=23))  # no reminder follows
    _, text = phone.to(PHONE)
    said, stop = text.split(" Stop: ")
    assert said == f"Café Azul: booking cancelled, Cut and blow-dry {when}. Deposit €6.00 refunded."
    assert stop.startswith("http://testserver/u/") and "\n" not in text
    size = septets(text)
    assert size is not None and size <= 160, (size, text)

    assert sorted(texts_listed(merchant)) == [
        ("booking_cancelled", "sms", "sent"),
        ("booking_confirmation", "sms", "sent"),
        ("booking_reminder", "sms", "skipped"),
    ]
    latest = signed_in(merchant, access="manager").get("/staff/messages").text
    assert f"<strong>Booking cancellation</strong> · by text · {PHONE}" in latest


@pytest.mark.parametrize(
    ("mode", "money"),
    [
        ("capture", "Taxa de 4,00 € retida, resto reembolsado: 2,00 €."),
        ("hold", "Taxa de 4,00 € cobrada, resto libertado: 2,00 €."),
    ],
)
def test_a_late_cancellation_is_texted_in_portuguese_with_the_fee_kept(
    runtime: Runtime, merchant: Merchant, clock: TestClock, mode: str, money: str
) -> None:
    shop = Salon(merchant, clock)
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    # fair: a late cancellation costs 10% of the price, 4.00 of the 6.00
    salon(merchant, enabled=True, percent="15", minimum=200, preset="fair", mode=mode)
    phone = Phone()
    booking = phone_booking(shop, "Bea Reis", days=2)
    deliver(runtime, merchant, phone)
    starts = datetime.fromisoformat(booking["starts_at"])
    clock.advance(seconds=(starts - clock.now()).total_seconds() - 6 * 3600)
    # The customer rang to call it off: staff cancel it on their word.
    cancelled = merchant.post(f"/v1/bookings/{booking['id']}/cancel", {"by": "customer"})
    assert cancelled.status_code == 200, cancelled.text
    deposit = cancelled.json()["deposit"]
    assert (deposit["mode"], deposit["fee"], deposit["refund"]) == (mode, 400, 200)
    deliver(runtime, merchant, phone)
    confirmed, text = phone.to(PHONE)
    when = in_gsm(short_when(merchant, booking["starts_at"]))
    assert confirmed.startswith(f"Café Azul: marcacao confirmada, Cut and blow-dry {when}. Parar: ")
    said, stop = text.split(" Parar: ")
    assert said == f"Café Azul: marcacao cancelada, Cut and blow-dry {when}. {money}"
    assert stop.startswith("http://testserver/u/")
    # Portuguese's "ç" and "ã" are not GSM: written as "c" and "a", the text
    # is GSM's, 153 septets a part, not UCS-2's 67 characters.
    size = septets(text)
    assert size is not None and size <= 2 * 153, (size, text)


def test_no_text_to_a_customer_who_opted_out_or_has_no_phone(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    shop = Salon(merchant, clock)
    phone = Phone()
    quiet = phone_booking(shop, "Dora Lima", messages_opt_out=True)
    nobody = merchant.customer("Nuno Sem Contacto")
    unreachable = merchant.post(
        "/v1/bookings",
        {
            "customer_id": nobody["id"],
            "service_id": shop.cut["id"],
            "starts_at": shop.at(shop.day(4), "11:00"),
        },
    )
    assert unreachable.status_code == 201, unreachable.text
    for booking in (quiet, unreachable.json()):
        cancelled = merchant.post(f"/v1/bookings/{booking['id']}/cancel", {"by": "business"})
        assert cancelled.status_code == 200, cancelled.text
    deliver(runtime, merchant, phone)
    assert phone.texts == []
    assert merchant.get("/v1/messages").json()["data"] == []


def paid_by_phone_customer(merchant: Merchant, price: int, **who: Any) -> dict[str, Any]:
    """A phone-only customer's tab, served and paid in cash: the payment."""
    person = merchant.customer("Caio Nunes", phone=PHONE, **who)
    tab = merchant.tab(person["id"])
    svc = merchant.service(price=price)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    paid = merchant.post(
        f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": price, "tip": 50}
    )
    assert paid.status_code == 201, paid.text
    return paid.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("locale", ["en_GB", "pt_PT"])
def test_a_refund_to_a_phone_only_customer_is_texted_with_the_amount_and_the_business(
    runtime: Runtime, merchant: Merchant, at_noon: datetime, locale: str
) -> None:
    changed = merchant.post("/v1/merchant", {"locale": locale, "timezone": "Europe/Lisbon"})
    assert changed.status_code == 200, changed.text
    phone = Phone()
    payment = paid_by_phone_customer(merchant, 600)
    made = merchant.post(
        f"/v1/payments/{payment['id']}/refunds", {"amount": 380, "tip": 50, "reason": "Cold"}
    )
    assert made.status_code == 201, made.text
    deliver(runtime, merchant, phone)
    [text] = phone.to(PHONE)  # the receipt is e-mail only: no text for it
    # Refunded at noon UTC: the day the test reads is the refund's, in Lisbon too.
    day = format_date(at_noon.astimezone(LISBON), "long", locale=locale)
    if locale == "en_GB":
        assert text.startswith(f"Café Azul refunded you €4.30 on {day}. Stop: http://testserver/u/")
        size = septets(text)
        assert size is not None and size <= 160, (size, text)
    else:
        # The day as texts write it: "março" without its cedilla (GSM-7 has none).
        assert text.startswith(f"Café Azul reembolsou-lhe 4,30 € a {in_gsm(day)}. Parar: ")
        assert septets(text) is not None, text
    listed = merchant.get("/v1/messages").json()["data"]
    assert [(m["kind"], m["channel"], m["status"]) for m in listed] == [("refund", "sms", "sent")]

    quiet = paid_by_phone_customer(merchant, 600, messages_opt_out=True)
    refunded = merchant.post(f"/v1/payments/{quiet['id']}/refunds", {"reason": "Cold"})
    assert refunded.status_code == 201, refunded.text
    deliver(runtime, merchant, phone)
    assert len(phone.texts) == 1

"""A customer is e-mailed when their booking is cancelled, by the business or
by themselves on the booking's page: once, in the merchant's language and
time zone, saying which booking, who cancelled it and what became of the
deposit, with a link to book again and an .ics that takes the entry out of
their calendar (same UID as the confirmation's, METHOD:CANCEL, a higher
SEQUENCE). The reminder planned for it does not go."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from icalendar import Calendar

from servefirst.kit.clock import FrozenClock
from servefirst.messages.transport import Transports, mailer_for
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from tests import delivery_servers
from tests.conftest import Merchant, TestClock
from tests.delivery_servers import Mailbox
from tests.integration.test_availability_api import Salon
from tests.integration.test_bookings_api import GOOD, salon
from tests.integration.test_html_valid import install_vnu, vnu_errors
from tests.integration.test_pages_booking import book as book_online
from tests.integration.test_pages_booking import guard

smtp_server = delivery_servers.smtp_server  # the session's SMTP server (a fixture)
LISBON = ZoneInfo("Europe/Lisbon")


def deliver(
    runtime: Runtime, merchant: Merchant, smtp_url: str, at: datetime | None = None
) -> None:
    Worker(
        runtime,
        clock=FrozenClock(at) if at else None,
        transports=Transports(mailer_for(smtp_url)),
        merchants=[merchant.id],
    ).drain()


def text_of(mail: EmailMessage, kind: str = "plain") -> str:
    return str(mail.get_body(preferencelist=(kind,)).get_content())  # type: ignore[union-attr]


def lines_of(mail: EmailMessage) -> list[str]:
    return [line.strip() for line in text_of(mail).splitlines()]


def calendar_of(mail: EmailMessage) -> Any:
    [part] = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == "booking.ics"
    return Calendar.from_ical(part.get_payload(decode=True))  # RFC 5545: UTF-8


def event_of(calendar: Any) -> Any:
    [event] = calendar.walk("VEVENT")
    return event


def staff_booking(shop: Salon, email: str, name: str, *, days: int = 3) -> dict[str, Any]:
    """Booked by staff with Maria, 15:00 Lisbon time, a deposit taken by card."""
    person = shop.merchant.customer(name, email=email)
    starts = shop.at(shop.day(days), "15:00")
    booked = shop.merchant.post(
        "/v1/bookings",
        {
            "customer_id": person["id"],
            "service_id": shop.cut["id"],
            "starts_at": starts,
            "staff_id": shop.maria,
            "card": GOOD,
        },
    )
    assert booked.status_code == 201, booked.text
    return booked.json()  # type: ignore[no-any-return]


def when(merchant: Merchant, starts: str) -> str:
    """The day and time as the merchant writes them, in its zone."""
    locale = merchant.get("/v1/merchant").json()["locale"]
    local = datetime.fromisoformat(starts).astimezone(LISBON)
    return f"{format_date(local, 'full', locale=locale)}, {local:%H:%M}"


def test_the_business_cancels_and_the_customer_is_told_once_and_the_entry_leaves_the_calendar(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    smtp_server: tuple[str, Mailbox],
    tmp_path: Path,
) -> None:
    shop = Salon(merchant, clock)
    salon(merchant)  # new customers leave a deposit: 15% of 40.00
    email = "ana.cancelled@example.com"
    booking = staff_booking(shop, email, "Ana Costa")
    deliver(runtime, merchant, smtp_server[0])
    [confirmation] = smtp_server[1].to(email)
    confirmed = event_of(calendar_of(confirmation))

    cancelled = merchant.post(f"/v1/bookings/{booking['id']}/cancel", {"by": "business"})
    assert cancelled.status_code == 200, cancelled.text
    deposit = cancelled.json()["deposit"]
    assert (deposit["fee"], deposit["refund"]) == (0, 600)
    starts = datetime.fromisoformat(cancelled.json()["starts_at"])
    # The worker again the day before: the reminder planned for it is not sent.
    deliver(runtime, merchant, smtp_server[0])
    deliver(runtime, merchant, smtp_server[0], at=starts - timedelta(hours=23))
    first, mail = smtp_server[1].to(email)
    assert first is confirmation
    assert mail["Subject"] == "Your booking at Café Azul is cancelled"
    lines = lines_of(mail)
    assert lines[:3] == ["Hello Ana Costa,", "", "Café Azul cancelled your booking:"]
    said = f"Cut and blow-dry, {when(merchant, booking['starts_at'])} (Europe/Lisbon), with Maria."
    assert said in lines, lines
    assert deposit["mode"] == "capture"
    assert "Your deposit of €6.00 is refunded in full." in lines
    assert "It can take some working days to show on your card statement." in lines
    assert f"To book again: http://testserver/b/{shop.slug}" in lines
    assert mail["List-Unsubscribe"].startswith("<") and "/u/" in mail["List-Unsubscribe"]

    calendar = calendar_of(mail)
    assert calendar["METHOD"] == "CANCEL"
    event = event_of(calendar)
    assert str(event["UID"]) == str(confirmed["UID"]) == f"{booking['id']}@servefirst"
    assert event["STATUS"] == "CANCELLED"
    assert int(event["SEQUENCE"]) > int(confirmed.get("SEQUENCE", 0))
    assert event.decoded("DTSTART") == starts

    html = text_of(mail, "html")
    assert f'href="http://testserver/b/{shop.slug}"' in html and "with Maria" in html
    install_vnu()
    assert vnu_errors({"booking-cancelled-email": html}, tmp_path) == []

    listed = merchant.get("/v1/messages").json()["data"]
    mine = [(m["kind"], m["about"], m["status"]) for m in listed if m["to"] == email]
    assert mine[0] == ("booking_cancelled", booking["id"], "sent")
    assert ("booking_reminder", booking["id"], "skipped") in mine
    assert [kind for kind, _, status in mine if status == "sent"] == [
        "booking_cancelled",
        "booking_confirmation",
    ]


def test_a_portuguese_salon_cancels_in_portuguese_and_a_moved_booking_s_cancel_outranks_its_move(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    smtp_server: tuple[str, Mailbox],
    tmp_path: Path,
) -> None:
    shop = Salon(merchant, clock)
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    salon(merchant)
    email = "bea.cancelada@example.com"
    booking = staff_booking(shop, email, "Bea Reis")
    moved_to = shop.at(shop.day(4), "11:00")
    moved = merchant.post(f"/v1/bookings/{booking['id']}/reschedule", {"starts_at": moved_to})
    assert moved.status_code == 200, moved.text
    deliver(runtime, merchant, smtp_server[0])
    # Confirmed for its new time, the entry's SEQUENCE raised by the move.
    [confirmation] = smtp_server[1].to(email)
    confirmed = event_of(calendar_of(confirmation))
    assert int(confirmed["SEQUENCE"]) == 1

    cancelled = merchant.post(f"/v1/bookings/{booking['id']}/cancel", {"by": "business"})
    assert cancelled.status_code == 200
    deliver(runtime, merchant, smtp_server[0])
    _, mail = smtp_server[1].to(email)
    assert mail["Subject"] == "Café Azul: a sua marcação foi cancelada"
    lines = lines_of(mail)
    assert "Olá Bea Reis," in lines and "Café Azul cancelou a sua marcação:" in lines
    said = f"Cut and blow-dry, {when(merchant, moved_to)} (Europe/Lisbon), com Maria."
    assert said in lines, lines
    assert "O seu sinal de 6,00\xa0€ é reembolsado na totalidade." in lines
    assert "O ficheiro anexo (booking.ics) retira-a do seu calendário." in lines
    assert f"Para marcar de novo: http://testserver/b/{shop.slug}" in lines
    assert "Deixar de receber mensagens:" in "\n".join(lines)
    event = event_of(calendar_of(mail))
    assert str(event["UID"]) == str(confirmed["UID"])
    assert int(event["SEQUENCE"]) == 2 and event["STATUS"] == "CANCELLED"
    assert str(event["SUMMARY"]) == "Cancelada: Cut and blow-dry — Café Azul"
    html = text_of(mail, "html")
    assert '<html lang="pt">' in html and "Marcar de novo" in html
    install_vnu()
    assert vnu_errors({"booking-cancelled-email-pt": html}, tmp_path) == []


@pytest.mark.parametrize("mode", ["capture", "hold"])
def test_the_customer_cancels_late_on_the_booking_page_and_is_told_the_fee_and_the_refund(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    smtp_server: tuple[str, Mailbox],
    tmp_path: Path,
    mode: str,
) -> None:
    """The deposit taken by card is partly refunded; one held on the card is
    partly charged (the fee, after the page's cancellation) and the rest let go."""
    shop = Salon(merchant, clock)
    # fair: a late cancellation costs 10% of the price, 4.00 of the 6.00
    salon(merchant, enabled=True, percent="15", minimum=200, preset="fair", mode=mode)
    email = f"rita.late.{mode}@example.com"
    starts_at = shop.at(shop.day(2), "15:00")
    token = book_online(shop, starts_at, email=email)
    deliver(runtime, merchant, smtp_server[0])
    clock.advance(
        seconds=(datetime.fromisoformat(starts_at) - clock.now()).total_seconds() - 6 * 3600
    )
    done = merchant.client.post(
        f"/b/{shop.slug}/bookings/{token}/cancel",
        data={"csrf_token": guard(shop)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    [booked] = shop.booked()
    deposit = booked["deposit"]
    assert (deposit["mode"], deposit["fee"], deposit["refund"]) == (mode, 400, 200)
    deliver(runtime, merchant, smtp_server[0])
    confirmation, mail = smtp_server[1].to(email)
    lines = lines_of(mail)
    assert "Your booking at Café Azul is cancelled, as you asked:" in lines
    if mode == "hold":
        assert (
            "Of the €6.00 held on your card, €4.00 is charged as the late-cancellation fee"
            " and the rest, €2.00, is released."
        ) in lines
        assert not any("statement" in line for line in lines)  # nothing to wait for
    else:
        assert (
            "Of your deposit of €6.00, €4.00 is kept as the late-cancellation fee"
            " and €2.00 is refunded."
        ) in lines
        assert "It can take some working days to show on your card statement." in lines
    event = event_of(calendar_of(mail))
    assert str(event["UID"]) == str(event_of(calendar_of(confirmation))["UID"])
    html = text_of(mail, "html")
    assert "€4.00" in html and "€2.00" in html
    install_vnu()
    assert vnu_errors({"booking-cancelled-late-email": html}, tmp_path) == []


def test_no_cancellation_e_mail_to_a_customer_who_opted_out_or_when_the_kind_is_off(
    runtime: Runtime, merchant: Merchant, clock: TestClock, smtp_server: tuple[str, Mailbox]
) -> None:
    shop = Salon(merchant, clock)
    quiet = "dora.quiet@example.com"
    person = merchant.customer("Dora Lima", email=quiet, messages_opt_out=True)
    booked = merchant.post(
        "/v1/bookings",
        {
            "customer_id": person["id"],
            "service_id": shop.cut["id"],
            "starts_at": shop.at(shop.day(3), "10:00"),
        },
    )
    assert booked.status_code == 201, booked.text
    assert merchant.post(f"/v1/bookings/{booked.json()['id']}/cancel").status_code == 200
    deliver(runtime, merchant, smtp_server[0])
    assert smtp_server[1].to(quiet) == []

    off = merchant.post("/v1/merchant/messages", {"kinds": {"booking_cancelled": False}})
    assert off.status_code == 200, off.text
    assert off.json()["kinds"]["booking_cancelled"] is False
    email = "eva.off@example.com"
    booking = staff_booking(shop, email, "Eva Matos", days=4)
    deliver(runtime, merchant, smtp_server[0])  # the confirmation goes
    assert merchant.post(f"/v1/bookings/{booking['id']}/cancel").status_code == 200
    deliver(runtime, merchant, smtp_server[0])
    [confirmation] = smtp_server[1].to(email)  # the cancellation did not follow it
    assert confirmation["Subject"] == "Your booking at Café Azul is confirmed"
    kinds = [m["kind"] for m in merchant.get("/v1/messages").json()["data"] if m["to"] == email]
    assert "booking_cancelled" not in kinds


def test_a_booking_cancelled_before_its_confirmation_went_is_only_told_as_cancelled(
    runtime: Runtime, merchant: Merchant, clock: TestClock, smtp_server: tuple[str, Mailbox]
) -> None:
    shop = Salon(merchant, clock)
    email = "rui.quick@example.com"
    booking = staff_booking(shop, email, "Rui Quick")
    cancelled = merchant.post(f"/v1/bookings/{booking['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    deliver(runtime, merchant, smtp_server[0])  # the worker reads both events only now
    [mail] = smtp_server[1].to(email)
    assert mail["Subject"] == "Your booking at Café Azul is cancelled"
    skipped = [m for m in merchant.get("/v1/messages").json()["data"] if m["to"] == email]
    kinds = {m["kind"]: m["status"] for m in skipped}
    assert kinds["booking_confirmation"] == "skipped"


def test_the_calendar_file_says_it_is_utf_8(
    runtime: Runtime, merchant: Merchant, clock: TestClock, smtp_server: tuple[str, Mailbox]
) -> None:
    shop = Salon(merchant, clock)
    email = "ines.utf8@example.com"
    staff_booking(shop, email, "Inês Sá")
    deliver(runtime, merchant, smtp_server[0])
    [confirmation] = smtp_server[1].to(email)
    [part] = [p for p in confirmation.iter_attachments() if p.get_filename() == "booking.ics"]
    assert part.get_content_charset() == "utf-8"
    assert "Café Azul" in part.get_content()  # decoded by what the file says, not guessed

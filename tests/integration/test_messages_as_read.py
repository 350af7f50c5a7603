"""The e-mails as a customer reads them, line by line: what follows the bill's
lines stands on a line of its own, amounts add up to what is asked, and every
link leads where its words say."""

from __future__ import annotations

from typing import Any

from servefirst.messages.transport import Transports, mailer_for
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from tests import delivery_servers
from tests.conftest import Merchant
from tests.delivery_servers import Mailbox

smtp_server = delivery_servers.smtp_server  # the session's SMTP server (a fixture)


def deliver(runtime: Runtime, merchant: Merchant, smtp_url: str) -> None:
    Worker(runtime, transports=Transports(mailer_for(smtp_url)), merchants=[merchant.id]).drain()


def text_of(mail: Any) -> str:
    return str(mail.get_body(preferencelist=("plain",)).get_content())


def test_the_receipt_s_tip_stands_on_its_own_line_below_the_total(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    person = merchant.customer("Ana Costa", email="ana.lines@example.com")
    tab = merchant.tab(person["id"])
    svc = merchant.service(price=3500)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    paid = merchant.post(
        f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 3500, "tip": 250}
    )
    assert paid.status_code == 201, paid.text
    deliver(runtime, merchant, smtp_server[0])
    [mail] = smtp_server[1].to("ana.lines@example.com")
    lines = [line.strip() for line in text_of(mail).splitlines()]
    assert "Total da conta  35,00\xa0€" in lines
    assert "Gorjeta  2,50\xa0€" in lines


def test_a_receipt_after_a_discount_shows_the_discount_so_the_lines_add_up(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    person = merchant.customer("Rita Sousa", email="rita.discount@example.com")
    tab = merchant.tab(person["id"])
    svc = merchant.service("Colour", price=3500)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    asked = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/concerns",
        json={"reason": "Uneven", "remedy": "partial", "amount": 500},
    ).json()
    if asked["status"] == "pending":
        resolved = merchant.post(
            f"/v1/tabs/{tab['id']}/concerns/{asked['id']}/resolve", {"decision": "approve"}
        )
        assert resolved.status_code == 200, resolved.text
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 3000})
    assert paid.status_code == 201, paid.text
    deliver(runtime, merchant, smtp_server[0])
    [mail] = smtp_server[1].to("rita.discount@example.com")
    lines = [line.strip() for line in text_of(mail).splitlines()]
    at = lines.index("1 x Colour  €35.00")
    assert lines[at + 1 : at + 3] == ["Adjustments  −€5.00", "Bill total  €30.00"]
    html = str(mail.get_body(preferencelist=("html",)).get_content())
    assert "Adjustments" in html and "−€5.00" in html


def test_a_reminder_after_a_part_payment_counts_it_before_what_is_still_to_pay(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    from datetime import datetime, timedelta

    from servefirst.kit.clock import FrozenClock

    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    person = merchant.customer("Rui Lopes", email="rui.part@example.com")
    tab = merchant.tab(person["id"])
    svc = merchant.service("Jantar", price=3500)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    part = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 1000})
    assert part.status_code == 201, part.text
    deliver(runtime, merchant, smtp_server[0])
    planned = merchant.get("/v1/messages?status=pending").json()["data"]
    first = min(datetime.fromisoformat(m["due_at"]) for m in planned)
    Worker(
        runtime,
        clock=FrozenClock(first + timedelta(minutes=1)),
        transports=Transports(mailer_for(smtp_server[0])),
        merchants=[merchant.id],
    ).drain()
    [mail] = smtp_server[1].to("rui.part@example.com")
    lines = [line.strip() for line in text_of(mail).splitlines()]
    at = lines.index("Total da conta  35,00\xa0€")
    assert lines[at + 1 : at + 3] == ["Já pago  −10,00\xa0€", "Por pagar  25,00\xa0€"]


def test_a_booking_s_confirmation_and_reminder_link_to_where_it_is_moved_or_cancelled(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    from datetime import timedelta

    from servefirst.kit.clock import FrozenClock

    slug = f"salao-{merchant.id.split('_')[1]}"
    changed = merchant.post("/v1/merchant", {"slug": slug, "locale": "pt_PT"})
    assert changed.status_code == 200, changed.text
    person = merchant.customer("Bea Reis", email="bea.manage@example.com")
    svc = merchant.service("Corte", price=4000, duration_minutes=45)
    starts = (runtime.clock.now() + timedelta(days=3)).replace(
        hour=15, minute=0, second=0, microsecond=0
    )
    booked = merchant.post(
        "/v1/bookings",
        {"customer_id": person["id"], "service_id": svc["id"], "starts_at": starts.isoformat()},
    )
    assert booked.status_code == 201, booked.text
    deliver(runtime, merchant, smtp_server[0])
    Worker(
        runtime,
        clock=FrozenClock(starts - timedelta(hours=23)),
        transports=Transports(mailer_for(smtp_server[0])),
        merchants=[merchant.id],
    ).drain()
    confirmation, reminder = smtp_server[1].to("bea.manage@example.com")
    for mail in (confirmation, reminder):
        [link] = [
            line.removeprefix("Para a mudar ou cancelar: ")
            for line in text_of(mail).splitlines()
            if line.startswith("Para a mudar ou cancelar: ")
        ]
        assert link.startswith(f"http://testserver/b/{slug}/bookings/")
        html = str(mail.get_body(preferencelist=("html",)).get_content())
        assert f'href="{link}"' in html
        page = merchant.client.get(link.removeprefix("http://testserver"))
        assert page.status_code == 200 and "Corte" in page.text


def test_a_portuguese_business_s_calendar_file_speaks_portuguese(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    from datetime import timedelta

    from icalendar import Calendar

    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    person = merchant.customer("Bea Reis", email="bea.ics@example.com")
    svc = merchant.service("Corte", price=4000, duration_minutes=45)
    starts = (runtime.clock.now() + timedelta(days=3)).replace(
        hour=15, minute=0, second=0, microsecond=0
    )
    booked = merchant.post(
        "/v1/bookings",
        {"customer_id": person["id"], "service_id": svc["id"], "starts_at": starts.isoformat()},
    )
    assert booked.status_code == 201, booked.text
    deliver(runtime, merchant, smtp_server[0])
    [confirmation] = smtp_server[1].to("bea.ics@example.com")
    [ics] = [p for p in confirmation.iter_attachments() if p.get_filename() == "booking.ics"]
    [event] = Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Corte — Café Azul"
    assert "Sem sinal." in str(event["DESCRIPTION"])
    assert "Cancele pelo menos 24 horas antes" in str(event["DESCRIPTION"])


def test_a_customer_who_unsubscribed_by_mistake_takes_it_back_from_the_same_link(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    person = merchant.customer("Ana Costa", email="ana.again@example.com")
    tab = merchant.tab(person["id"])
    svc = merchant.service(price=380)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 380})
    deliver(runtime, merchant, smtp_server[0])
    [mail] = smtp_server[1].to("ana.again@example.com")
    link = mail["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")
    portuguese = {"Accept-Language": "pt-PT,pt;q=0.9"}
    left = merchant.client.post(link, headers=portuguese)
    assert left.status_code == 200 and f'action="{link}/again"' in left.text
    assert "Foi engano" in left.text
    assert merchant.get(f"/v1/customers/{person['id']}").json()["messages_opt_out"] is True
    back = merchant.client.post(f"{link}/again", headers=portuguese)
    assert back.status_code == 200 and "Café Azul vai voltar a enviar-lhe recibos" in back.text
    assert merchant.get(f"/v1/customers/{person['id']}").json()["messages_opt_out"] is False
    assert merchant.client.post("/u/mer_nobody.abc/again").status_code == 404


def test_an_unknown_unsubscribe_link_answers_a_page_in_the_reader_s_language(
    merchant: Merchant,
) -> None:
    for path in ("/u/garbage", f"/u/{merchant.id}.cut-short"):
        page = merchant.client.get(path, headers={"Accept-Language": "pt-PT,pt;q=0.9"})
        assert page.status_code == 404
        assert '<html lang="pt"' in page.text and "A ligação pode estar incompleta" in page.text
    assert merchant.client.post("/u/garbage").status_code == 404


def test_an_invoice_s_first_reminder_speaks_of_the_bill_as_its_subject_says(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    from datetime import datetime, timedelta

    from servefirst.kit.clock import FrozenClock

    person = merchant.customer("Marta Lima", email="marta.bill@example.com")
    tab = merchant.tab(person["id"])
    svc = merchant.service("Consulting hour", price=9000)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    invoiced = merchant.post(f"/v1/tabs/{tab['id']}/invoice", {"net_days": 14})
    assert invoiced.status_code == 200, invoiced.text
    deliver(runtime, merchant, smtp_server[0])
    planned = [
        m
        for m in merchant.get("/v1/messages?status=pending").json()["data"]
        if m["kind"] == "payment_reminder"
    ]
    first = min(datetime.fromisoformat(m["due_at"]) for m in planned)
    Worker(
        runtime,
        clock=FrozenClock(first + timedelta(minutes=1)),
        transports=Transports(mailer_for(smtp_server[0])),
        merchants=[merchant.id],
    ).drain()
    [mail] = smtp_server[1].to("marta.bill@example.com")
    assert mail["Subject"] == "A reminder: your bill at Café Azul"
    for body in (text_of(mail), str(mail.get_body(preferencelist=("html",)).get_content())):
        assert "Was everything as it should be?" not in body  # asked before, weeks ago
        assert "still open" in body


def test_a_moved_booking_is_confirmed_again_and_reminded_before_its_new_time_only(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    from datetime import timedelta

    from icalendar import Calendar

    from servefirst.kit.clock import FrozenClock

    def deliver_at(at: Any) -> None:
        Worker(
            runtime,
            clock=FrozenClock(at),
            transports=Transports(mailer_for(smtp_server[0])),
            merchants=[merchant.id],
        ).drain()

    person = merchant.customer("Bea Reis", email="bea.moved@example.com")
    svc = merchant.service("Cut", price=4000, duration_minutes=45)
    day = runtime.clock.now().replace(hour=15, minute=0, second=0, microsecond=0)
    first, moved = day + timedelta(days=6), day + timedelta(days=3)
    booked = merchant.post(
        "/v1/bookings",
        {"customer_id": person["id"], "service_id": svc["id"], "starts_at": first.isoformat()},
    )
    assert booked.status_code == 201, booked.text
    deliver(runtime, merchant, smtp_server[0])
    again = merchant.post(
        f"/v1/bookings/{booked.json()['id']}/reschedule", {"starts_at": moved.isoformat()}
    )
    assert again.status_code == 200, again.text
    deliver(runtime, merchant, smtp_server[0])
    deliver_at(moved - timedelta(hours=23))  # the day before the new time
    deliver_at(first - timedelta(hours=23))  # the day before the old time: nothing more
    mails = smtp_server[1].to("bea.moved@example.com")
    assert [m["Subject"] for m in mails] == [
        "Your booking at Café Azul is confirmed",
        "Your booking at Café Azul is confirmed",
        "See you soon at Café Azul",
    ]
    [ics] = [p for p in mails[1].iter_attachments() if p.get_filename() == "booking.ics"]
    [event] = Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")
    assert event.decoded("DTSTART") == moved  # the same UID: the calendar entry moves
    skipped = [
        m
        for m in merchant.get("/v1/messages?status=skipped").json()["data"]
        if m["to"] == "bea.moved@example.com"
    ]
    assert [m["kind"] for m in skipped] == ["booking_reminder"]
    assert "moved" in skipped[0]["last_error"]


def test_the_html_e_mails_are_valid_html_laid_out_for_a_phone(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox], tmp_path: Any
) -> None:
    from tests.integration.test_html_valid import vnu_errors

    person = merchant.customer("Ana Costa", email="ana.valid@example.com")
    tab = merchant.tab(person["id"])
    svc = merchant.service(price=380)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 380})
    deliver(runtime, merchant, smtp_server[0])
    [mail] = smtp_server[1].to("ana.valid@example.com")
    html = str(mail.get_body(preferencelist=("html",)).get_content())
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert vnu_errors({"receipt-email": html}, tmp_path) == []

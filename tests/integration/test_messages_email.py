"""E-mail over a real SMTP server (aiosmtpd): receipts, booking confirmations
and reminders, dunning that asks first, consent and unsubscribing, a failed
message seen and sent again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from servefirst.kit.clock import FrozenClock
from servefirst.messages.transport import Transports, mailer_for
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from tests import delivery_servers
from tests.conftest import Merchant, TestClock
from tests.delivery_servers import Mailbox

smtp_server = delivery_servers.smtp_server  # the session's SMTP server (a fixture)

Deliver = Callable[..., Worker]


@pytest.fixture
def deliver(runtime: Runtime, smtp_server: tuple[str, Mailbox], merchant: Merchant) -> Deliver:
    """A worker for this test's merchant, on the real SMTP server; ``at`` sets
    the worker's clock (when schedules come due)."""

    def make(at: datetime | None = None, url: str | None = None) -> Worker:
        return Worker(
            runtime,
            clock=FrozenClock(at) if at else None,
            transports=Transports(mailer_for(url or smtp_server[0])),
            merchants=[merchant.id],
        )

    return make


def paid_tab(merchant: Merchant, email: str, **customer: Any) -> dict[str, Any]:
    person = merchant.customer("Ana Costa", email=email, **customer)
    tab = merchant.tab(person["id"])
    svc = merchant.service(price=380)
    assert (
        merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]}).status_code == 200
    )
    assert merchant.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
    paid = merchant.post(
        f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 380, "tip": 50}
    )
    assert paid.status_code == 201, paid.text
    return tab


def served_tab(merchant: Merchant, email: str) -> dict[str, Any]:
    person = merchant.customer("Rui Lopes", email=email)
    tab = merchant.tab(person["id"])
    svc = merchant.service(price=900)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    served = merchant.post(f"/v1/tabs/{tab['id']}/serve")
    assert served.status_code == 200, served.text
    return tab


def text_of(mail: Any) -> str:
    return str(mail.get_body(preferencelist=("plain",)).get_content())


def test_a_paid_tab_sends_its_receipt_with_the_tab_link(
    merchant: Merchant,
    deliver: Deliver,
    smtp_server: tuple[str, Mailbox],
) -> None:
    mailbox = smtp_server[1]
    tab = paid_tab(merchant, "ana.receipt@example.com")
    deliver().drain()
    [mail] = mailbox.to("ana.receipt@example.com")
    assert mail["Subject"] == "Your receipt from Café Azul"
    assert "Café Azul" in mail["From"]
    assert f"/t/{tab['token']}" in text_of(mail)
    assert "€0.50" in text_of(mail)  # the tip
    assert mail.get_body(preferencelist=("html",)) is not None
    # RFC 8058 one-click unsubscribe.
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["List-Unsubscribe"].startswith("<http://testserver/u/")
    listed = merchant.get("/v1/messages").json()["data"]
    [receipt] = [m for m in listed if m["kind"] == "receipt"]
    assert receipt["status"] == "sent" and receipt["to"] == "ana.receipt@example.com"
    assert mail["Message-ID"] == f"<{receipt['id']}@servefirst>"
    # Delivered once: another round sends nothing more.
    deliver().drain()
    assert len(mailbox.to("ana.receipt@example.com")) == 1


def test_no_email_address_or_an_opt_out_means_no_message(
    merchant: Merchant,
    deliver: Deliver,
    smtp_server: tuple[str, Mailbox],
) -> None:
    paid_tab(merchant, "quiet@example.com", messages_opt_out=True)
    person = merchant.customer("No Mail")
    merchant.tab(person["id"])
    deliver().drain()
    assert smtp_server[1].to("quiet@example.com") == []
    assert merchant.get("/v1/messages").json()["data"] == []
    opted = [c for c in merchant.get("/v1/customers?q=Ana").json()["data"]]
    assert opted[0]["messages_opt_out"] is True


def test_the_unsubscribe_link_asks_then_one_click_opts_out(
    merchant: Merchant,
    deliver: Deliver,
    smtp_server: tuple[str, Mailbox],
) -> None:
    paid_tab(merchant, "leave@example.com")
    deliver().drain()
    [mail] = smtp_server[1].to("leave@example.com")
    link = mail["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")
    asked = merchant.client.get(link)
    assert asked.status_code == 200 and "Unsubscribe" in asked.text
    # A GET (a mail scanner) changed nothing; the one-click POST does.
    customer_id = merchant.get("/v1/messages").json()["data"][0]["customer_id"]
    assert merchant.get(f"/v1/customers/{customer_id}").json()["messages_opt_out"] is False
    done = merchant.client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "no more messages" in done.text
    assert merchant.get(f"/v1/customers/{customer_id}").json()["messages_opt_out"] is True
    assert merchant.client.post("/u/mer_nobody.abc").status_code == 404


def test_a_booking_is_confirmed_with_its_calendar_file_and_reminded_the_day_before(
    merchant: Merchant,
    deliver: Deliver,
    smtp_server: tuple[str, Mailbox],
    clock: TestClock,
) -> None:
    person = merchant.customer("Bea Reis", email="bea.booking@example.com")
    svc = merchant.service("Cut", price=4000, duration_minutes=45)
    starts = (clock.now() + timedelta(days=3)).replace(hour=15, minute=0, second=0, microsecond=0)
    booked = merchant.post(
        "/v1/bookings",
        {"customer_id": person["id"], "service_id": svc["id"], "starts_at": starts.isoformat()},
    )
    assert booked.status_code == 201, booked.text
    deliver().drain()
    [confirmation] = smtp_server[1].to("bea.booking@example.com")
    assert "confirmed" in confirmation["Subject"]
    [ics] = [p for p in confirmation.iter_attachments() if p.get_filename() == "booking.ics"]
    assert ics.get_content_type() == "text/calendar"
    assert b"BEGIN:VEVENT" in ics.get_payload(decode=True)
    # The reminder waits for its time: 24 hours before (15:00 is outside quiet hours).
    deliver(at=starts - timedelta(hours=25)).drain()
    assert len(smtp_server[1].to("bea.booking@example.com")) == 1
    deliver(at=starts - timedelta(hours=24)).drain()
    reminder = smtp_server[1].to("bea.booking@example.com")[-1]
    assert reminder["Subject"] == "See you soon at Café Azul"


def test_dunning_asks_first_then_reminds_and_paying_stops_it(
    merchant: Merchant,
    deliver: Deliver,
    smtp_server: tuple[str, Mailbox],
) -> None:
    tab = served_tab(merchant, "rui.dunning@example.com")
    deliver().drain()
    assert smtp_server[1].to("rui.dunning@example.com") == []  # nothing the day of serving
    planned = merchant.get("/v1/messages?status=pending").json()["data"]
    due = sorted(datetime.fromisoformat(m["due_at"]) for m in planned)
    assert len(due) == 4  # days 1, 3, 7 and the final notice
    deliver(at=due[0]).drain()
    [first] = smtp_server[1].to("rui.dunning@example.com")
    body = text_of(first)
    assert "Was everything as it should be?" in body
    assert f"/t/{tab['token']}#concern" in body and f"/t/{tab['token']}#pay" in body
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 900})
    assert paid.status_code == 201
    deliver(at=due[-1] + timedelta(days=1)).drain()
    mails = smtp_server[1].to("rui.dunning@example.com")
    assert [m["Subject"] for m in mails] == [
        "How was your visit to Café Azul?",
        "Your receipt from Café Azul",
    ]
    states = {m["kind"] + str(m["status"]) for m in merchant.get("/v1/messages").json()["data"]}
    assert "payment_reminderskipped" in states and "final_noticeskipped" in states


def test_reminders_planned_together_are_listed_newest_due_first(
    merchant: Merchant, deliver: Deliver
) -> None:
    """Reminders planned in one go share their creation time: the list (newest
    first) then reads by when each is due, not at random by id."""
    served_tab(merchant, "rui.listed@example.com")
    deliver().drain()
    planned = merchant.get("/v1/messages?status=pending").json()["data"]
    due = [datetime.fromisoformat(m["due_at"]) for m in planned]
    assert len(due) == 4
    assert due == sorted(due, reverse=True)


def test_a_worker_back_after_days_sends_only_the_latest_reminder(
    merchant: Merchant, deliver: Deliver, smtp_server: tuple[str, Mailbox]
) -> None:
    served_tab(merchant, "late.worker@example.com")
    deliver().drain()
    planned = merchant.get("/v1/messages?status=pending").json()["data"]
    latest = max(datetime.fromisoformat(m["due_at"]) for m in planned)
    deliver(at=latest + timedelta(hours=1)).drain()
    [mail] = smtp_server[1].to("late.worker@example.com")
    assert mail["Subject"] == "Final notice: your bill at Café Azul"
    skipped = merchant.get("/v1/messages?status=skipped").json()["data"]
    assert len(skipped) == 3 and {m["last_error"] for m in skipped} == {
        "a later reminder is already due"
    }


def test_a_concern_stops_the_reminders(
    merchant: Merchant,
    deliver: Deliver,
    smtp_server: tuple[str, Mailbox],
) -> None:
    tab = served_tab(merchant, "concerned@example.com")
    deliver().drain()
    raised = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/concerns", json={"reason": "Cold", "remedy": "redo"}
    )
    assert raised.status_code in (200, 201), raised.text
    planned = merchant.get("/v1/messages?status=pending").json()["data"]
    latest = max(datetime.fromisoformat(m["due_at"]) for m in planned)
    deliver(at=latest + timedelta(hours=1)).drain()
    assert smtp_server[1].to("concerned@example.com") == []


def test_a_refused_message_fails_visibly_and_can_be_sent_again(
    merchant: Merchant,
    deliver: Deliver,
    smtp_server: tuple[str, Mailbox],
) -> None:
    mailbox = smtp_server[1]
    mailbox.refuse.add("bounce@example.com")
    try:
        paid_tab(merchant, "bounce@example.com")
        deliver().drain()
        [failed] = merchant.get("/v1/messages?status=failed").json()["data"]
        assert "no such user" in failed["last_error"]
        again = merchant.post(f"/v1/messages/{failed['id']}/retry")
        assert again.status_code == 200 and again.json()["status"] == "pending"
        assert merchant.post(f"/v1/messages/{failed['id']}/retry").status_code == 409
    finally:
        mailbox.refuse.discard("bounce@example.com")
    deliver().drain()
    [mail] = mailbox.to("bounce@example.com")
    assert mail["Message-ID"] == f"<{failed['id']}@servefirst>"
    assert merchant.post("/v1/messages/msg_nothing/retry").status_code == 404


def test_a_mail_server_that_is_down_is_tried_again_later(
    merchant: Merchant,
    deliver: Deliver,
    smtp_server: tuple[str, Mailbox],
    clock: TestClock,
) -> None:
    from tests.ports import free_port

    paid_tab(merchant, "patient@example.com")
    deliver(url=f"smtp://127.0.0.1:{free_port()}").drain()
    [waiting] = merchant.get("/v1/messages").json()["data"]
    assert waiting["status"] == "pending" and waiting["attempts"] == 1
    assert "Connection" in waiting["last_error"] or "refused" in waiting["last_error"]
    deliver().drain()  # too soon: the backoff holds it
    assert smtp_server[1].to("patient@example.com") == []
    deliver(at=clock.now() + timedelta(minutes=1)).drain()
    assert len(smtp_server[1].to("patient@example.com")) == 1


def test_a_customer_with_only_a_phone_is_reminded_by_text(
    merchant: Merchant, deliver: Deliver, clock: TestClock, caplog: pytest.LogCaptureFixture
) -> None:
    person = merchant.customer("Caio", phone="+351 912 000 111")
    svc = merchant.service("Massage", price=5000, duration_minutes=60)
    starts = (clock.now() + timedelta(days=4)).replace(hour=16, minute=0, second=0, microsecond=0)
    booked = merchant.post(
        "/v1/bookings",
        {"customer_id": person["id"], "service_id": svc["id"], "starts_at": starts.isoformat()},
    )
    assert booked.status_code == 201, booked.text
    with caplog.at_level("INFO", logger="servefirst.messages"):
        deliver(at=starts - timedelta(hours=23)).drain()
    texts = [m for m in merchant.get("/v1/messages").json()["data"] if m["channel"] == "sms"]
    assert sorted((t["kind"], t["status"], t["to"]) for t in texts) == [
        ("booking_confirmation", "sent", "+351 912 000 111"),  # booked by staff: told by text
        ("booking_reminder", "sent", "+351 912 000 111"),
    ]
    assert any(
        "+351 912 000 111" in r.getMessage() and "Massage" in r.getMessage() for r in caplog.records
    )

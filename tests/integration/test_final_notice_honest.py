"""A final notice tells the truth about the overdue day, however late it goes.

It is the customer's last word before their bill turns overdue, so the day
it names must still be ahead of them: a notice held back (the worker
stopped, no mail server for a while) gives the customer its days from when
it goes. A bill already overdue when its notice goes (an invoice past its
due date, or a tab marked overdue by hand) is said to be overdue, never
promised a day that has passed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from servefirst.kit.clock import FrozenClock
from servefirst.messages.transport import Transports, mailer_for
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from tests import delivery_servers
from tests.conftest import Merchant
from tests.delivery_servers import Mailbox
from tests.integration.test_overdue_schedule import served, status

smtp_server = delivery_servers.smtp_server


def deliver(runtime: Runtime, merchant: Merchant, at: datetime, smtp_url: str | None) -> None:
    Worker(
        runtime,
        clock=FrozenClock(at),
        transports=Transports(mailer_for(smtp_url)),
        merchants=[merchant.id],
    ).drain()


def final_notices(mailbox: Mailbox, to: str) -> list[str]:
    return [
        str(mail.get_body(preferencelist=("plain",)).get_content())
        for mail in mailbox.to(to)
        if mail["Subject"].startswith("Final notice")
    ]


def the_day(merchant: Merchant, at: datetime) -> str:
    zone = ZoneInfo(merchant.get("/v1/merchant").json()["timezone"])
    return format_date(at.astimezone(zone), "long", locale="en")


def test_a_final_notice_sent_late_gives_the_customer_its_two_days_from_then(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    tab = served(merchant, email="late.notice@example.com")
    served_at = datetime.fromisoformat(tab["served_at"])
    deliver(runtime, merchant, served_at, None)  # planned; no mail server for two weeks
    sent_at = served_at + timedelta(days=15)
    deliver(runtime, merchant, sent_at, smtp_server[0])
    [notice] = final_notices(smtp_server[1], "late.notice@example.com")
    promised = sent_at + timedelta(days=2)  # the schedule's two days, from when it went
    assert f"it will be marked overdue on {the_day(merchant, promised)}." in notice
    assert status(merchant, tab) == "served"  # day 14 has passed, the promise has not
    deliver(runtime, merchant, promised - timedelta(minutes=1), smtp_server[0])
    assert status(merchant, tab) == "served"
    deliver(runtime, merchant, promised + timedelta(minutes=1), smtp_server[0])
    assert status(merchant, tab) == "overdue"


def test_an_invoice_s_final_notice_says_it_is_overdue_not_a_day_gone_by(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    tab = served(merchant, email="invoice.notice@example.com")
    invoiced = merchant.post(f"/v1/tabs/{tab['id']}/invoice", {"net_days": 7})
    assert invoiced.status_code == 200, invoiced.text
    due = date.fromisoformat(invoiced.json()["due_date"])
    deliver(runtime, merchant, datetime.fromisoformat(tab["served_at"]), None)
    notice_at = datetime.fromisoformat(
        next(
            m["due_at"]
            for m in merchant.get("/v1/messages?status=pending").json()["data"]
            if m["kind"] == "final_notice" and m["to"] == "invoice.notice@example.com"
        )
    )
    assert notice_at.date() > due + timedelta(days=7)  # the invoice is long overdue by then
    deliver(runtime, merchant, notice_at + timedelta(minutes=1), smtp_server[0])
    [notice] = final_notices(smtp_server[1], "invoice.notice@example.com")
    assert "will be marked overdue" not in notice
    assert "is overdue and still unpaid" in notice
    assert status(merchant, tab) == "overdue"


def test_a_tab_marked_overdue_by_hand_is_told_so_by_its_final_notice(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    tab = served(merchant, email="by.hand@example.com")
    served_at = datetime.fromisoformat(tab["served_at"])
    deliver(runtime, merchant, served_at, None)
    marked = merchant.post(f"/v1/tabs/{tab['id']}/overdue")
    assert marked.status_code == 200, marked.text
    deliver(runtime, merchant, served_at + timedelta(days=12, hours=12), smtp_server[0])
    [notice] = final_notices(smtp_server[1], "by.hand@example.com")
    assert "will be marked overdue" not in notice
    assert "is overdue and still unpaid" in notice


def test_a_final_notice_sent_when_due_names_its_day_in_portuguese_too(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    tab = served(merchant, email="a.tempo@example.com")
    served_at = datetime.fromisoformat(tab["served_at"])
    deliver(runtime, merchant, served_at, None)
    [notice_at] = [
        datetime.fromisoformat(m["due_at"])
        for m in merchant.get("/v1/messages?status=pending").json()["data"]
        if m["kind"] == "final_notice" and m["to"] == "a.tempo@example.com"
    ]
    deliver(runtime, merchant, notice_at, smtp_server[0])  # sent when it was due
    [mail] = [
        m
        for m in smtp_server[1].to("a.tempo@example.com")
        if m["Subject"] == "Café Azul: último aviso sobre a sua conta"
    ]
    notice = str(mail.get_body(preferencelist=("plain",)).get_content())
    zone = ZoneInfo(merchant.get("/v1/merchant").json()["timezone"])
    # Day 14, or two days after the notice if quiet hours held it past day 12.
    overdue = max(served_at + timedelta(days=14), notice_at + timedelta(days=2))
    day = format_date(overdue.astimezone(zone), "long", locale="pt_PT")
    assert f"ficará em atraso a {day}." in notice

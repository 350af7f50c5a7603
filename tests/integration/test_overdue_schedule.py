"""The dunning schedule's end: a served tab still unpaid on its overdue day
(day 14, or the merchant's) is marked overdue by the delivery worker, after
its final notice has gone; paying or a concern stops it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from servefirst.kit.clock import FrozenClock
from servefirst.messages.transport import Transports, mailer_for
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from tests import delivery_servers
from tests.conftest import Merchant
from tests.delivery_servers import Mailbox

smtp_server = delivery_servers.smtp_server


def served(merchant: Merchant, **customer: Any) -> dict[str, Any]:
    person = merchant.customer("Rui Lopes", **customer)
    tab = merchant.tab(person["id"])
    svc = merchant.service(price=900)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    answer = merchant.post(f"/v1/tabs/{tab['id']}/serve")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def worker(runtime: Runtime, merchant: Merchant, at: datetime, smtp_url: str | None) -> Worker:
    return Worker(
        runtime,
        clock=FrozenClock(at),
        transports=Transports(mailer_for(smtp_url)),
        merchants=[merchant.id],
    )


def status(merchant: Merchant, tab: dict[str, Any]) -> str:
    return str(merchant.get(f"/v1/tabs/{tab['id']}").json()["status"])


def test_an_unpaid_tab_turns_overdue_on_day_14_after_its_final_notice(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    tab = served(merchant, email="rui.overdue@example.com")
    served_at = datetime.fromisoformat(tab["served_at"])
    worker(runtime, merchant, served_at, smtp_server[0]).drain()
    [notice_at] = [
        datetime.fromisoformat(m["due_at"])
        for m in merchant.get("/v1/messages?status=pending").json()["data"]
        if m["kind"] == "final_notice"
    ]
    worker(runtime, merchant, notice_at, smtp_server[0]).drain()  # sent on time
    [notice] = [
        m
        for m in smtp_server[1].to("rui.overdue@example.com")
        if m["Subject"].startswith("Final notice")
    ]
    # Day 14, or two days after the notice if quiet hours held it past day 12.
    day = max(served_at + timedelta(days=14), notice_at + timedelta(days=2))
    worker(runtime, merchant, day - timedelta(minutes=1), smtp_server[0]).drain()
    assert status(merchant, tab) == "served"
    worker(runtime, merchant, day + timedelta(minutes=1), smtp_server[0]).drain()
    assert status(merchant, tab) == "overdue"
    events = merchant.get("/v1/events").json()["data"]
    assert [e for e in events if e["type"] == "tab.overdue" and e["object_id"] == tab["id"]]
    # Paid late, it is paid (and a late payment in the customer's history).
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 900})
    assert paid.status_code == 201, paid.text
    assert status(merchant, tab) == "paid"


def test_a_final_notice_not_sent_yet_holds_the_tab_back(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    tab = served(merchant, email="held.back@example.com")
    later = datetime.fromisoformat(tab["served_at"]) + timedelta(days=15)
    worker(runtime, merchant, later, None).drain()  # no mail server: the notice waits
    assert status(merchant, tab) == "served"
    worker(runtime, merchant, later, smtp_server[0]).drain()
    subjects = [m["Subject"] for m in smtp_server[1].to("held.back@example.com")]
    assert subjects == ["Final notice: your bill at Café Azul"]
    # The notice gives its two days from when it went (test_final_notice_honest).
    assert status(merchant, tab) == "served"


def test_the_merchant_s_overdue_day_counts_and_a_customer_without_e_mail_too(
    runtime: Runtime, merchant: Merchant
) -> None:
    answer = merchant.post("/v1/merchant/messages", {"reminder_days": [1], "overdue_day": 5})
    assert answer.status_code == 200, answer.text
    tab = served(merchant)  # no e-mail: no notice, the day still comes
    served_at = datetime.fromisoformat(tab["served_at"])
    worker(runtime, merchant, served_at + timedelta(days=4, hours=23), None).drain()
    assert status(merchant, tab) == "served"
    worker(runtime, merchant, served_at + timedelta(days=5), None).drain()
    assert status(merchant, tab) == "overdue"


def test_paying_or_raising_a_concern_stops_the_overdue_day(
    runtime: Runtime, merchant: Merchant
) -> None:
    paid, doubted = served(merchant), served(merchant)
    merchant.post(f"/v1/tabs/{paid['id']}/payments", {"method": "cash", "amount": 900})
    raised = merchant.client.post(
        f"/v1/public/tabs/{doubted['token']}/concerns",
        json={"reason": "The cut was uneven", "remedy": "redo"},
    )
    assert raised.status_code == 201, raised.text
    later = datetime.fromisoformat(paid["served_at"]) + timedelta(days=30)
    worker(runtime, merchant, later, None).drain()
    assert (status(merchant, paid), status(merchant, doubted)) == ("paid", "served")

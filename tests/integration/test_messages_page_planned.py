"""The Messages page on a payment reminder planned for a tab paid since: the
reminder is only dropped when its day comes (the worker checks then), so the
page used to list it as "to go" on that day, telling the owner a customer who
had paid would be asked to pay. It now says it will not be sent, not needed
any more, and why (the tab is paid); a tab still owed keeps its reminders "to
go"."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from servefirst.runtime import Runtime
from tests import delivery_servers
from tests.conftest import Merchant
from tests.delivery_servers import Mailbox
from tests.integration.test_pages_staff import Staff
from tests.integration.test_pages_staff_messages import worker

smtp_server = delivery_servers.smtp_server


def _served(merchant: Merchant, email: str) -> dict[str, str]:
    person = merchant.customer("Sara Lopes", email=email)
    tab = merchant.tab(person["id"])
    service = merchant.service(price=4500)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"]})
    assert merchant.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
    return tab


def _said_of(page: str, email: str) -> list[str]:
    """What the latest list says after each message to ``email``."""
    latest = html.unescape(page.split("Latest e-mails and texts")[1].split("</ul>")[0])
    return [
        re.sub(r"\s+", " ", item).split("·")[-1].strip()
        for item in re.findall(r"<li>(.*?)</li>", re.sub(r"<(?!/?li>)[^>]+>", "", latest), re.S)
        if email in item
    ]


def test_a_reminder_for_a_tab_paid_since_is_not_said_to_go(
    runtime: Runtime,
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    smtp_server: tuple[str, Mailbox],
) -> None:
    paid = _served(merchant, "paid@example.com")
    owing = _served(merchant, "owing@example.com")
    worker(runtime, merchant, smtp_server).drain()  # the reminders are planned
    owner = signed_in(merchant, "owner")
    before = owner.get("/staff/messages").text
    assert _said_of(before, "paid@example.com")
    assert all(said.startswith("to go") for said in _said_of(before, "paid@example.com"))
    cash = merchant.post(f"/v1/tabs/{paid['id']}/payments", {"method": "cash", "amount": 4500})
    assert cash.status_code == 201, cash.text
    worker(runtime, merchant, smtp_server).drain()  # the receipt goes
    after = owner.get("/staff/messages").text
    said = _said_of(after, "paid@example.com")
    assert said[0].startswith("sent")  # the receipt
    will_not = "will not be sent: not needed any more no longer due (the tab is paid)"
    assert said[1:] and all(s == will_not for s in said[1:]), said
    assert all(s.startswith("to go") for s in _said_of(after, "owing@example.com"))
    # The outbox is left as it was: the worker drops them on their day.
    pending = merchant.get("/v1/messages", params={"status": "pending"}).json()["data"]
    assert len([m for m in pending if m["to"] == "paid@example.com"]) == len(said) - 1
    assert owing["status"] == "open"


def test_a_sent_message_shows_the_subject_its_customer_read(
    runtime: Runtime,
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    smtp_server: tuple[str, Mailbox],
) -> None:
    tab = _served(merchant, "read@example.com")
    cash = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 4500})
    assert cash.status_code == 201, cash.text
    worker(runtime, merchant, smtp_server).drain()  # the receipt goes
    name = merchant.get("/v1/merchant").json()["name"]

    page = signed_in(merchant, "owner").get("/staff/messages").text

    [receipt] = _said_of(page, "read@example.com")
    assert receipt.startswith("sent") and receipt.endswith(f"Your receipt from {name}"), receipt
    assert '<span class="message-subject">' in page

"""The delivery worker killed with SIGKILL during a burst of 1,000 events:
after a restart every message and webhook is delivered at least once, none
is lost, and a duplicate carries the same id (Message-ID, webhook-id)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from servefirst.events.models import Event
from servefirst.messages.models import Message
from servefirst.runtime import Runtime
from servefirst.webhooks.models import WebhookDelivery
from tests import delivery_servers
from tests.conftest import PUBLIC_URL, Merchant
from tests.delivery_servers import Mailbox, Receiver, only_this_merchant_waits

smtp_server = delivery_servers.smtp_server  # fixtures
webhook_receiver = delivery_servers.webhook_receiver

EVENTS = 1_000

#: Their worker runs on real time, as the server would.
pytestmark = pytest.mark.usefixtures("wall_clock")


def start_worker(database_url: str, smtp_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SERVEFIRST_DATABASE_URL": database_url,
        "SERVEFIRST_SMTP_URL": smtp_url,
        "SERVEFIRST_PUBLIC_URL": PUBLIC_URL,
        "SERVEFIRST_WEBHOOKS_ALLOW_PRIVATE": "1",
        # A killed worker's claims are taken over after 2 s, not a minute.
        "SERVEFIRST_WORKER_LEASE_SECONDS": "2",
        "SERVEFIRST_WORKER_POLL_SECONDS": "0.05",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "servefirst", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def lifecycle(merchant: Merchant, n: int, service_id: str) -> None:
    person = merchant.customer(f"Guest {n}", email=f"guest{n}.{merchant.id}@example.com")
    tab = merchant.tab(person["id"])
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service_id})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 380})
    assert paid.status_code == 201, paid.text


def count(runtime: Runtime, merchant_id: str, query: Any) -> int:
    with runtime.uow(merchant_id, write=False) as uow:
        return int(uow.session.scalar(query) or 0)


def test_a_worker_killed_mid_burst_loses_nothing(
    runtime: Runtime,
    database_url: str,
    merchant: Merchant,
    smtp_server: tuple[str, Mailbox],
    webhook_receiver: Callable[[], Receiver],
) -> None:
    runtime.settings.webhooks_allow_private = True
    try:
        receiver = webhook_receiver()
        created = merchant.post("/v1/webhook-endpoints", {"url": receiver.url, "events": ["*"]})
        receiver.secrets.append(created.json()["secret"])
    finally:
        runtime.settings.webhooks_allow_private = False
    service_id = merchant.service(price=380)["id"]
    only_this_merchant_waits(runtime, merchant.id)
    events_of = select(func.count()).select_from(Event).where(Event.merchant_id == merchant.id)
    before = count(runtime, merchant.id, events_of)

    def burst() -> None:
        n = 0
        while count(runtime, merchant.id, events_of) - before < EVENTS:
            lifecycle(merchant, n, service_id)
            n += 1

    worker = start_worker(database_url, smtp_server[0])
    producer = threading.Thread(target=burst)
    producer.start()
    try:
        deadline = time.monotonic() + 120
        while len(receiver.received) < 40 and time.monotonic() < deadline:
            time.sleep(0.02)
        # Killed in the middle of the burst's deliveries: events may still be
        # coming (usually), or all written and most still to deliver.
        assert 0 < len(receiver.received) < EVENTS, "the worker was not killed mid-burst"
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        worker = start_worker(database_url, smtp_server[0])
        producer.join()
        total = count(runtime, merchant.id, events_of) - before
        assert total >= EVENTS
        pending = (
            select(func.count())
            .select_from(Event)
            .where(Event.merchant_id == merchant.id, Event.delivered_at.is_(None))
        )
        unsent = (
            select(func.count())
            .select_from(Message)
            .where(
                Message.merchant_id == merchant.id,
                Message.kind == "receipt",
                Message.status != "sent",
            )
        )
        undelivered = (
            select(func.count())
            .select_from(WebhookDelivery)
            .where(
                WebhookDelivery.merchant_id == merchant.id, WebhookDelivery.status != "succeeded"
            )
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and (
            count(runtime, merchant.id, pending)
            or count(runtime, merchant.id, unsent)
            or count(runtime, merchant.id, undelivered)
        ):
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    assert count(runtime, merchant.id, pending) == 0
    assert count(runtime, merchant.id, unsent) == 0
    assert count(runtime, merchant.id, undelivered) == 0

    with runtime.uow(merchant.id, write=False) as uow:
        event_ids = set(
            uow.session.scalars(
                select(WebhookDelivery.event_id).where(WebhookDelivery.merchant_id == merchant.id)
            )
        )
        receipts = set(
            uow.session.scalars(
                select(Message.message_id).where(
                    Message.merchant_id == merchant.id, Message.kind == "receipt"
                )
            )
        )
    # Every event after the endpoint was made reached it, verified; a repeat
    # is the same webhook-id with the same body.
    assert len(event_ids) >= EVENTS
    bodies: dict[str, bytes] = {}
    for got in receiver.received:
        assert bodies.setdefault(got.headers["webhook-id"], got.body) == got.body
    assert set(bodies) == event_ids
    assert receiver.refused == []
    # Every receipt reached the SMTP server under its own Message-ID.
    with smtp_server[1].lock:
        mail_ids = {m["Message-ID"] for m in smtp_server[1].messages if merchant.id in str(m["To"])}
    assert mail_ids == {f"<{r}@servefirst>" for r in receipts}

"""The demo's six weeks are not mailed when its server starts: a newcomer's mail
folder holds this morning's receipts and what happens next, and the console's
message log still tells the whole story."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time

import pytest

from servefirst.demo import MAILED_SINCE, build_demo
from servefirst.messages import service as messages
from servefirst.messages.compose import Outgoing
from servefirst.messages.models import Message
from servefirst.messages.transport import Transports
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from tests.conftest import TestClock


class MailFolder:
    """What the worker mailed, kept in order (the demo's folder of .eml files)."""

    def __init__(self) -> None:
        self.mailed: list[Outgoing] = []

    def send(self, outgoing: Outgoing) -> None:
        self.mailed.append(outgoing)

    def close(self) -> None:
        pass


@pytest.fixture
def at_noon(clock: TestClock) -> Iterator[None]:
    """The demo started at 12:00 UTC: a morning at the café behind it."""
    saved = clock.offset
    now = datetime.now(UTC)
    clock.offset = datetime.combine(now.date(), time(12), tzinfo=UTC) - now
    yield
    clock.offset = saved


def _all(runtime: Runtime, merchant_id: str) -> list[Message]:
    with runtime.uow(merchant_id, write=False) as uow:
        found = messages.list_messages(uow, limit=10_000)
        uow.session.expunge_all()
    return found


def test_the_demo_mails_this_morning_not_its_history(runtime: Runtime, at_noon: None) -> None:
    started = runtime.clock.now()
    demo = build_demo(runtime)
    ids = [m.merchant_id for m in demo.merchants]
    folder = MailFolder()
    Worker(runtime, transports=Transports(folder), merchants=ids).drain()

    # A handful of this morning's receipts at the café, not six weeks of them.
    assert 1 <= len(folder.mailed) <= 8
    rows = {m.message_id: m for merchant_id in ids for m in _all(runtime, merchant_id)}
    for outgoing in folder.mailed:
        assert rows[outgoing.message_id].due_at >= started - MAILED_SINCE

    # The history counts as delivered at its time: the log still shows it.
    history = [m for m in rows.values() if m.due_at < started - MAILED_SINCE]
    assert sum(m.kind == "receipt" and m.status == "sent" for m in history) > 100
    assert all(m.status in ("sent", "skipped") for m in history)
    assert all(m.sent_at == m.due_at for m in history if m.status == "sent")
    # Marta's colour at the salon was confirmed and reminded of before she
    # came: both went, though the booking is long checked in.
    salon = demo.merchants[1].merchant_id
    on_bookings = [m for m in history if m.merchant_id == salon and m.kind.startswith("booking")]
    assert {m.kind for m in on_bookings if m.status == "sent"} >= {
        "booking_confirmation",
        "booking_reminder",
    }

    # What is still to come waits for its time: the debts' reminders, the
    # salon's bookings of the week ahead.
    ahead = {m.kind for m in rows.values() if m.status == "pending" and m.due_at > started}
    assert {"payment_reminder", "booking_reminder"} <= ahead

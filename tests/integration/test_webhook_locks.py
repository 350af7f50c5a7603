"""An endpoint deleted while the worker records an attempt to it: both finish.

Deleting an endpoint marks it, then gives up its pending deliveries; recording
an attempt's outcome writes the delivery and its endpoint. On PostgreSQL each
holds its rows until it commits, so the two must take them in one order (the
endpoint first), or each waits for the other and the database aborts one: the
owner's delete answers 500, or the worker's round fails. On SQLite one writer
goes at a time and the test holds trivially.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from servefirst.messages.transport import Transports
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from servefirst.webhooks import service as webhooks
from tests.conftest import Merchant

#: How long the recording thread is given to reach the row it waits for.
SETTLE_SECONDS = 0.5


@pytest.fixture(autouse=True)
def local_receivers_allowed(runtime: Runtime) -> Iterator[None]:
    runtime.settings.webhooks_allow_private = True
    yield
    runtime.settings.webhooks_allow_private = False


def a_pending_delivery(runtime: Runtime, merchant: Merchant) -> webhooks.Outgoing:
    created = merchant.post(
        "/v1/webhook-endpoints",
        {"url": "http://127.0.0.1:9/hooks", "events": ["payment.succeeded"]},
    )
    assert created.status_code == 201, created.text
    tab = merchant.served_tab(380)
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 380})
    assert paid.status_code == 201, paid.text
    Worker(runtime, transports=Transports(None), merchants=[merchant.id]).plan()
    [delivery] = merchant.get(f"/v1/webhook-endpoints/{created.json()['id']}/deliveries").json()[
        "data"
    ]
    with runtime.uow(merchant.id, write=False) as uow:
        out = webhooks.outgoing(uow, delivery["id"])
    assert out is not None
    return out


def test_deleting_an_endpoint_while_an_attempt_is_recorded_finishes_both(
    runtime: Runtime, merchant: Merchant
) -> None:
    out = a_pending_delivery(runtime, merchant)
    endpoint_marked = threading.Event()
    go_on = threading.Event()
    failures: list[BaseException] = []

    def pause_after_marking(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if (
            threading.current_thread().name == "deleter"
            and statement.lstrip().upper().startswith("UPDATE WEBHOOK_ENDPOINTS")
            and not endpoint_marked.is_set()
        ):
            endpoint_marked.set()
            go_on.wait(10)

    def delete() -> None:
        try:
            with runtime.uow(merchant.id) as uow:
                webhooks.delete_endpoint(uow, out.endpoint_id)
                uow.commit()
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)

    def record() -> None:
        try:
            with runtime.uow(merchant.id) as uow:
                webhooks.record(uow, out, 500, "server error", runtime.clock.now())
                uow.commit()
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)

    event.listen(runtime.engine, "after_cursor_execute", pause_after_marking)
    try:
        deleter = threading.Thread(target=delete, name="deleter")
        deleter.start()
        assert endpoint_marked.wait(10), "the delete never marked its endpoint"
        recorder = threading.Thread(target=record, name="recorder")
        recorder.start()
        recorder.join(SETTLE_SECONDS)  # it now waits for the endpoint the delete holds
        go_on.set()
        deleter.join(30)
        recorder.join(30)
    finally:
        go_on.set()
        event.remove(runtime.engine, "after_cursor_execute", pause_after_marking)
    assert not deleter.is_alive() and not recorder.is_alive()
    assert failures == []
    assert merchant.get("/v1/webhook-endpoints").json()["data"] == []  # deleted

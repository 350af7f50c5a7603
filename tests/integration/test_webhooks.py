"""Webhooks to a real local HTTP receiver that verifies every delivery with the
``standardwebhooks`` library: up, down, slow, 500 then 200, 410; rotation; the
address checks; one dead endpoint never holding up another."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from servefirst.kit.clock import FrozenClock
from servefirst.messages.transport import Transports
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from tests import delivery_servers
from tests.conftest import Merchant, TestClock
from tests.delivery_servers import Receiver
from tests.ports import free_port

webhook_receiver = delivery_servers.webhook_receiver  # a fixture
Deliver = Callable[..., Worker]


@pytest.fixture
def deliver(runtime: Runtime, merchant: Merchant) -> Deliver:
    def make(at: datetime | None = None, allow_private: bool = True) -> Worker:
        return Worker(
            runtime,
            clock=FrozenClock(at) if at else None,
            transports=Transports(None),
            merchants=[merchant.id],
            allow_private=allow_private,
            webhook_timeout=0.5,
        )

    return make


@pytest.fixture(autouse=True)
def private_addresses_allowed(runtime: Runtime) -> Any:
    runtime.settings.webhooks_allow_private = True
    yield
    runtime.settings.webhooks_allow_private = False


def subscribe(
    merchant: Merchant, receiver: Receiver | str, events: list[str] | None = None
) -> dict[str, Any]:
    url = receiver if isinstance(receiver, str) else receiver.url
    created = merchant.post("/v1/webhook-endpoints", {"url": url, "events": events or ["*"]})
    assert created.status_code == 201, created.text
    body = created.json()
    if isinstance(receiver, Receiver):
        receiver.secrets.append(body["secret"])
    return body  # type: ignore[no-any-return]


def pay_cash(merchant: Merchant) -> dict[str, Any]:
    tab = merchant.served_tab(380)
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 380})
    assert paid.status_code == 201, paid.text
    return paid.json()  # type: ignore[no-any-return]


def deliveries(merchant: Merchant, endpoint: dict[str, Any]) -> list[dict[str, Any]]:
    listed = merchant.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries")
    assert listed.status_code == 200, listed.text
    return listed.json()["data"]  # type: ignore[no-any-return]


def test_a_payment_is_delivered_signed_to_a_subscribed_endpoint(
    merchant: Merchant, deliver: Deliver, webhook_receiver: Callable[[], Receiver]
) -> None:
    receiver = webhook_receiver()
    endpoint = subscribe(merchant, receiver, ["payment.succeeded"])
    assert endpoint["secret"].startswith("whsec_")
    listed = merchant.get("/v1/webhook-endpoints").json()["data"]
    assert [e["id"] for e in listed] == [endpoint["id"]] and listed[0]["secret"] is None
    payment = pay_cash(merchant)
    deliver().drain()
    [got] = receiver.received
    assert got.payload["type"] == "payment.succeeded"
    assert got.payload["data"]["id"] == payment["id"]
    assert receiver.refused == []
    [delivery] = deliveries(merchant, endpoint)
    assert delivery["status"] == "succeeded" and delivery["attempts"] == 1
    assert got.headers["webhook-id"] == delivery["event_id"]


def test_500_then_200_is_retried_with_the_same_id(
    merchant: Merchant, deliver: Deliver, webhook_receiver: Callable[[], Receiver], clock: TestClock
) -> None:
    receiver = webhook_receiver()
    receiver.answers = [500]
    endpoint = subscribe(merchant, receiver, ["payment.succeeded"])
    pay_cash(merchant)
    deliver().drain()
    [first] = deliveries(merchant, endpoint)
    assert (first["status"], first["last_status_code"]) == ("pending", 500)
    deliver(at=clock.now() + timedelta(seconds=6)).drain()
    [done] = deliveries(merchant, endpoint)
    assert done["status"] == "succeeded" and done["attempts"] == 2
    ids = {r.headers["webhook-id"] for r in receiver.received}
    assert len(receiver.received) == 2 and ids == {done["event_id"]}


def test_410_disables_the_endpoint_and_tells_the_merchant(
    merchant: Merchant,
    deliver: Deliver,
    webhook_receiver: Callable[[], Receiver],
    clock: TestClock,
) -> None:
    receiver = webhook_receiver()
    receiver.answers = [410]
    endpoint = subscribe(merchant, receiver, ["payment.succeeded"])
    pay_cash(merchant)
    deliver().drain()
    [listed] = merchant.get("/v1/webhook-endpoints").json()["data"]
    assert listed["status"] == "disabled" and "410" in listed["disabled_reason"]
    events = merchant.get("/v1/events?type=webhook_endpoint.disabled").json()["data"]
    assert [e["object_id"] for e in events] == [endpoint["id"]]
    # Enabled again by the merchant, the waiting delivery goes.
    merchant.post(f"/v1/webhook-endpoints/{endpoint['id']}", {"enabled": True})
    deliver(at=clock.now() + timedelta(minutes=1)).drain()
    assert deliveries(merchant, endpoint)[0]["status"] == "succeeded"


def test_a_dead_endpoint_holds_up_only_its_own_deliveries(
    merchant: Merchant, deliver: Deliver, webhook_receiver: Callable[[], Receiver], clock: TestClock
) -> None:
    alive = webhook_receiver()
    dead = subscribe(merchant, f"http://127.0.0.1:{free_port()}/gone")
    live = subscribe(merchant, alive, ["payment.succeeded", "tab.paid"])
    pay_cash(merchant)
    pay_cash(merchant)
    deliver().drain()
    assert [r.payload["type"] for r in alive.received].count("payment.succeeded") == 2
    assert all(d["status"] == "succeeded" for d in deliveries(merchant, live))
    waiting = deliveries(merchant, dead)
    # In order per endpoint: only the oldest was tried; the rest wait behind it.
    assert sorted(d["attempts"] for d in waiting)[-1] == 1
    assert sum(d["attempts"] for d in waiting) == 1
    assert all(d["status"] == "pending" for d in waiting)
    # After all its retries, the delivery fails; the endpoint failing 5 days is disabled.
    later = clock.now()
    for wait in (5, 300, 1800, 7200, 18000, 36000, 36000, 36000):
        later += timedelta(seconds=wait + 1)
        deliver(at=later).drain(rounds=1)
    tried = deliveries(merchant, dead)
    assert any(d["status"] == "failed" and d["attempts"] == 8 for d in tried)
    deliver(at=later + timedelta(days=5)).drain()
    [endpoint] = [
        e for e in merchant.get("/v1/webhook-endpoints").json()["data"] if e["id"] == dead["id"]
    ]
    assert endpoint["status"] == "disabled" and "5 days" in endpoint["disabled_reason"]


def test_a_slow_receiver_times_out_and_gets_it_again(
    merchant: Merchant, deliver: Deliver, webhook_receiver: Callable[[], Receiver], clock: TestClock
) -> None:
    receiver = webhook_receiver()
    receiver.answers = ["slow"]
    endpoint = subscribe(merchant, receiver, ["payment.succeeded"])
    pay_cash(merchant)
    deliver().drain()
    [late] = deliveries(merchant, endpoint)
    assert late["status"] == "pending" and "no answer within 0.5 s" in late["last_error"]
    deliver(at=clock.now() + timedelta(seconds=6)).drain()
    assert deliveries(merchant, endpoint)[0]["status"] == "succeeded"
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1


def test_a_rotated_secret_signs_with_both_for_a_day(
    merchant: Merchant, deliver: Deliver, webhook_receiver: Callable[[], Receiver]
) -> None:
    receiver = webhook_receiver()
    endpoint = subscribe(merchant, receiver, ["payment.succeeded"])
    rotated = merchant.post(f"/v1/webhook-endpoints/{endpoint['id']}", {"rotate_secret": True})
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert new_secret.startswith("whsec_") and new_secret != endpoint["secret"]
    pay_cash(merchant)
    deliver().drain()
    [got] = receiver.received  # verified with the old secret
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    receiver.secrets = [new_secret]
    delivery_id = deliveries(merchant, endpoint)[0]["id"]
    replay = merchant.post(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries/{delivery_id}/retry")
    assert replay.status_code == 200 and replay.json()["status"] == "pending"
    deliver().drain()
    assert len(receiver.received) == 2 and receiver.refused == []


def test_private_and_local_addresses_are_refused_unless_allowed(
    merchant: Merchant, deliver: Deliver, runtime: Runtime, webhook_receiver: Callable[[], Receiver]
) -> None:
    runtime.settings.webhooks_allow_private = False
    for url in (
        "http://127.0.0.1:9/x",
        "http://10.0.0.8/x",
        "http://[::1]/x",
        "http://169.254.169.254/",
        "http://localhost/x",
    ):
        refused = merchant.post("/v1/webhook-endpoints", {"url": url, "events": ["*"]})
        assert refused.status_code == 422, url
        assert refused.json()["error"]["param"] == "url"
    assert (
        merchant.post(
            "/v1/webhook-endpoints", {"url": "ftp://example.com/", "events": ["*"]}
        ).status_code
        == 422
    )
    assert (
        merchant.post("/v1/webhook-endpoints", {"url": "https://example.com/h"}).status_code == 422
    )
    # A name that resolves to a local address is refused when delivering.
    runtime.settings.webhooks_allow_private = True
    receiver = webhook_receiver()
    endpoint = subscribe(
        merchant, receiver.url.replace("127.0.0.1", "localhost"), ["payment.succeeded"]
    )
    pay_cash(merchant)
    deliver(allow_private=False).drain()
    [refused_delivery] = deliveries(merchant, endpoint)
    assert "private or local address" in refused_delivery["last_error"]
    assert receiver.received == []


def test_endpoints_are_updated_deleted_and_kept_apart_by_merchant(
    merchant: Merchant, new_merchant: Callable[..., Merchant]
) -> None:
    endpoint = subscribe(merchant, "https://example.com/hooks", ["tab.paid"])
    changed = merchant.post(
        f"/v1/webhook-endpoints/{endpoint['id']}", {"events": ["*"], "url": "https://example.org/h"}
    )
    assert changed.json()["events"] == ["*"] and changed.json()["url"] == "https://example.org/h"
    assert changed.json()["secret"] is None
    other = new_merchant("Other")
    assert other.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries").status_code == 404
    deleted = merchant.client.delete(
        f"/v1/webhook-endpoints/{endpoint['id']}", headers=merchant.headers
    )
    assert deleted.status_code == 200 and deleted.json()["status"] == "deleted"
    assert merchant.get("/v1/webhook-endpoints").json()["data"] == []
    assert (
        merchant.post(f"/v1/webhook-endpoints/{endpoint['id']}", {"enabled": True}).status_code
        == 404
    )


def test_a_deleted_endpoint_s_delivery_log_stays_readable_and_nothing_is_sent_again(
    merchant: Merchant,
    deliver: Deliver,
    webhook_receiver: Callable[[], Receiver],
    new_merchant: Callable[..., Merchant],
) -> None:
    receiver = webhook_receiver()
    endpoint = subscribe(merchant, receiver, ["payment.succeeded"])
    pay_cash(merchant)
    deliver().drain()
    pay_cash(merchant)  # planned, not yet sent when the endpoint goes
    deliver().plan()
    assert [d["status"] for d in deliveries(merchant, endpoint)] == ["pending", "succeeded"]
    deleted = merchant.client.delete(
        f"/v1/webhook-endpoints/{endpoint['id']}", headers=merchant.headers
    )
    assert deleted.status_code == 200 and deleted.json()["status"] == "deleted"
    # The log is kept, as the delete promises: what went out, and what never will.
    given_up, delivered = deliveries(merchant, endpoint)
    assert (delivered["status"], delivered["last_status_code"]) == ("succeeded", 200)
    assert (given_up["status"], given_up["last_error"]) == ("failed", "the endpoint was deleted")
    # Nothing of it is sent again: the endpoint is gone for every change.
    again = merchant.post(
        f"/v1/webhook-endpoints/{endpoint['id']}/deliveries/{given_up['id']}/retry", {}
    )
    assert again.status_code == 404 and again.json()["error"]["param"] == "endpoint_id"
    assert "deleted" in again.json()["error"]["message"]
    deliver().drain()
    assert len(receiver.received) == 1
    assert deliveries(merchant, endpoint)[0]["status"] == "failed"
    # Still the merchant's own log only, and an id never made is still unknown.
    other = new_merchant("Other")
    assert other.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries").status_code == 404
    assert merchant.get("/v1/webhook-endpoints/we_never/deliveries").status_code == 404


def test_an_integrator_s_misspelt_event_type_is_refused_and_nothing_is_saved(
    merchant: Merchant,
) -> None:
    typo = merchant.post(
        "/v1/webhook-endpoints",
        {"url": "https://example.com/hooks", "events": ["payment.succeded"]},
    )
    assert typo.status_code == 422
    error = typo.json()["error"]
    assert (error["code"], error["param"]) == ("unknown_event_type", "events")
    assert "payment.succeded" in error["message"]
    assert merchant.get("/v1/webhook-endpoints").json()["data"] == []
    endpoint = subscribe(merchant, "https://example.com/hooks", ["payment.succeeded"])
    changed = merchant.post(
        f"/v1/webhook-endpoints/{endpoint['id']}",
        {"url": "https://example.org/other", "events": ["tab.payed"]},
    )
    assert changed.status_code == 422 and changed.json()["error"]["param"] == "events"
    [kept] = merchant.get("/v1/webhook-endpoints").json()["data"]
    assert (kept["url"], kept["events"]) == ("https://example.com/hooks", ["payment.succeeded"])


def test_the_routes_carry_the_contracts_operation_ids(app: Any) -> None:
    ids = {
        op.get("operationId")
        for ops in app.openapi()["paths"].values()
        for op in ops.values()
        if isinstance(op, dict)
    }
    assert {
        "create_webhook_endpoint",
        "list_webhook_endpoints",
        "update_webhook_endpoint",
        "delete_webhook_endpoint",
        "list_webhook_deliveries",
        "retry_webhook_delivery",
        "list_messages",
    } <= ids

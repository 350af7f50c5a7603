"""Idempotency-Key over HTTP: a retried POST answers the first answer again and
moves no money twice."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from servefirst.db.uow import new_session
from servefirst.idempotency import service as idempotency
from servefirst.runtime import Runtime
from tests.conftest import Merchant


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def test_a_replayed_line_is_added_once(merchant: Merchant) -> None:
    svc = merchant.service(price=380)
    tab = merchant.tab()
    headers = key()
    path, body = f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"], "quantity": 2}
    first = merchant.post(path, body, headers=headers)
    assert first.status_code == 200, first.text
    assert "Idempotent-Replayed" not in first.headers
    second = merchant.post(path, body, headers=headers)
    assert second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    tab_now = merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert len(tab_now["lines"]) == 1
    assert tab_now["total"] == 760
    assert merchant.balances()["receivables"] == 760
    entries = merchant.get("/v1/ledger/entries", params={"tab_id": tab["id"]}).json()["data"]
    assert len(entries) == 1


def test_a_replayed_payment_is_taken_once(merchant: Merchant) -> None:
    tab = merchant.served_tab(1000)
    headers = key()
    body = {"method": "cash", "amount": 400, "tip": 50}
    first = merchant.post(f"/v1/tabs/{tab['id']}/payments", body, headers=headers)
    assert first.status_code == 201, first.text
    for _ in range(3):
        again = merchant.post(f"/v1/tabs/{tab['id']}/payments", body, headers=headers)
        assert again.status_code == 201
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
    payments = merchant.get(f"/v1/tabs/{tab['id']}/payments").json()["data"]
    assert [p["id"] for p in payments] == [first.json()["id"]]
    assert merchant.balances()["cash"] == 450
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["amount_due"] == 600
    # A new key is a new payment.
    other = merchant.post(f"/v1/tabs/{tab['id']}/payments", body, headers=key())
    assert other.status_code == 201
    assert other.json()["id"] != first.json()["id"]
    assert merchant.balances()["cash"] == 900


def test_a_replayed_create_returns_the_same_object(merchant: Merchant) -> None:
    headers = key()
    first = merchant.post("/v1/customers", {"name": "Ana"}, headers=headers)
    second = merchant.post("/v1/customers", {"name": "Ana"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    found = merchant.get("/v1/customers", params={"q": "Ana"}).json()["data"]
    assert len(found) == 1


def test_a_replayed_customer_card_payment_charges_once(merchant: Merchant) -> None:
    tab = merchant.served_tab(760)
    headers = key()
    path = f"/v1/public/tabs/{tab['token']}/pay"
    body = {"card": "4242424242424242", "tip": 100}
    first = merchant.client.post(path, json=body, headers=headers)
    second = merchant.client.post(path, json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert merchant.balances()["card_clearing"] == 860
    # Without the key, a second attempt is refused by the tab itself.
    assert merchant.client.post(path, json=body).status_code == 409


def test_the_same_key_with_another_body_is_422(merchant: Merchant) -> None:
    tab = merchant.served_tab(1000)
    headers = key()
    path = f"/v1/tabs/{tab['id']}/payments"
    assert (
        merchant.post(path, {"method": "cash", "amount": 100}, headers=headers).status_code == 201
    )
    other = merchant.post(path, {"method": "cash", "amount": 200}, headers=headers)
    assert other.status_code == 422
    error = other.json()["error"]
    assert (error["code"], error["param"]) == ("idempotency_key_reused", "Idempotency-Key")
    assert "Idempotent-Replayed" not in other.headers
    # Another route with the same key is another request too.
    elsewhere = merchant.post(f"/v1/tabs/{tab['id']}/serve", headers=headers)
    assert elsewhere.status_code == 422
    assert merchant.balances()["cash"] == 100


def test_the_same_parameters_in_another_order_are_the_same_request(merchant: Merchant) -> None:
    tab = merchant.served_tab(1000)
    headers = {**key(), "Content-Type": "application/json"}
    path = f"/v1/tabs/{tab['id']}/payments"
    first = merchant.post(path, content=b'{"method":"cash","amount":300}', headers=headers)
    assert first.status_code == 201, first.text
    again = merchant.post(path, content=b'{ "amount": 300,\n  "method": "cash" }', headers=headers)
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert merchant.balances()["cash"] == 300


def test_a_refusal_is_replayed_as_the_same_refusal(merchant: Merchant) -> None:
    tab = merchant.served_tab(500)
    headers = key()
    path = f"/v1/public/tabs/{tab['token']}/pay"
    body = {"card": "4000000000000002"}
    first = merchant.client.post(path, json=body, headers=headers)
    assert first.status_code == 402
    assert first.json()["error"]["code"] == "card_declined"
    second = merchant.client.post(path, json=body, headers=headers)
    assert second.status_code == 402
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert merchant.get(f"/v1/tabs/{tab['id']}/payments").json()["data"] == []
    # The customer tries another card with a new key, and it goes through.
    good = merchant.client.post(path, json={"card": "4242424242424242"}, headers=key())
    assert good.status_code == 201


def test_a_policy_refusal_is_replayed_even_after_the_policy_would_allow_it(
    merchant: Merchant,
) -> None:
    customer = merchant.customer()
    tab = merchant.tab(customer["id"])
    big = merchant.service(price=10_001)
    headers = key()
    path, body = f"/v1/tabs/{tab['id']}/lines", {"service_id": big["id"]}
    first = merchant.post(path, body, headers=headers)
    assert first.status_code == 402
    merchant.post(f"/v1/services/{big['id']}", {"price": 100})
    replay = merchant.post(path, body, headers=headers)
    assert (replay.status_code, replay.json()) == (402, first.json())
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"] == []


def test_a_request_that_failed_validation_does_not_burn_the_key(merchant: Merchant) -> None:
    # As with Stripe: nothing is saved for a request whose parameters were invalid,
    # so the caller can fix the body and retry with the same key.
    headers = key()
    bad = merchant.post("/v1/customers", {"name": ""}, headers=headers)
    assert bad.status_code == 422
    fixed = merchant.post("/v1/customers", {"name": "Ana"}, headers=headers)
    assert fixed.status_code == 201
    assert "Idempotent-Replayed" not in fixed.headers
    again = merchant.post("/v1/customers", {"name": "Ana"}, headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == fixed.json()["id"]
    assert len(merchant.get("/v1/customers").json()["data"]) == 1


def test_keys_are_per_merchant(new_merchant: Callable[..., Merchant]) -> None:
    cafe, salon = new_merchant(), new_merchant("Salão")
    headers = key()
    a = cafe.post("/v1/customers", {"name": "Ana"}, headers=headers)
    b = salon.post("/v1/customers", {"name": "Ana"}, headers=headers)
    assert a.status_code == b.status_code == 201
    assert "Idempotent-Replayed" not in b.headers
    assert a.json()["id"] != b.json()["id"]
    assert salon.get(f"/v1/customers/{b.json()['id']}").status_code == 200
    assert cafe.get(f"/v1/customers/{b.json()['id']}").status_code == 404


def test_keys_are_per_customer_tab_and_apart_from_staff(merchant: Merchant) -> None:
    one, two = merchant.served_tab(300), merchant.served_tab(300)
    headers = key()
    for tab in (one, two):
        response = merchant.client.post(
            f"/v1/public/tabs/{tab['token']}/review", json={"rating": 4}, headers=headers
        )
        assert response.status_code == 201
        assert "Idempotent-Replayed" not in response.headers
        assert response.json()["tab_id"] == tab["id"]


def test_get_is_not_affected(merchant: Merchant) -> None:
    tab = merchant.served_tab(500)
    headers = key()
    before = merchant.get(f"/v1/tabs/{tab['id']}", headers=headers)
    merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"})
    after = merchant.get(f"/v1/tabs/{tab['id']}", headers=headers)
    assert "Idempotent-Replayed" not in after.headers
    assert (before.json()["status"], after.json()["status"]) == ("served", "paid")


def test_a_request_still_running_answers_409(merchant: Merchant, runtime: Runtime) -> None:
    svc = merchant.service(price=380)
    tab = merchant.tab()
    path = f"/v1/tabs/{tab['id']}/lines"
    raw = json.dumps({"service_id": svc["id"]}, separators=(",", ":")).encode()
    headers = {**key(), "Content-Type": "application/json"}
    # Another worker has claimed this key and not finished.
    session = new_session(runtime.engine, write=True)
    try:
        claimed = idempotency.claim(
            session,
            runtime.clock,
            merchant_id=merchant.id,
            scope="api",
            key=headers["Idempotency-Key"],
            fingerprint=idempotency.fingerprint("POST", path, raw),
            lock_seconds=runtime.settings.idempotency_lock_seconds,
            ttl_hours=runtime.settings.idempotency_ttl_hours,
        )
    finally:
        session.close()
    assert isinstance(claimed, idempotency.Claim)
    busy = merchant.post(path, content=raw, headers=headers)
    assert busy.status_code == 409
    assert busy.json()["error"]["code"] == "idempotency_key_in_use"
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"] == []


def test_a_key_too_long_is_refused(merchant: Merchant) -> None:
    response = merchant.post(
        "/v1/customers", {"name": "Ana"}, headers={"Idempotency-Key": "k" * 256}
    )
    assert response.status_code == 422
    assert response.json()["error"]["param"] == "Idempotency-Key"
    assert merchant.get("/v1/customers").json()["data"] == []


def replayed_everywhere(merchant: Merchant, path: str, body: Any) -> None:
    headers = key()
    first = merchant.post(path, body, headers=headers)
    second = merchant.post(path, body, headers=headers)
    assert first.status_code < 300, first.text
    assert (second.status_code, second.json()) == (first.status_code, first.json())
    assert second.headers["Idempotent-Replayed"] == "true"


def test_every_staff_post_replays(merchant: Merchant) -> None:
    svc = merchant.service(price=1000)
    replayed_everywhere(
        merchant,
        "/v1/services",
        {"name": "X", "price": 1, "duration_minutes": 1, "expected_results": [], "limits": []},
    )
    replayed_everywhere(merchant, f"/v1/services/{svc['id']}", {"price": 900})
    customer = merchant.customer()
    replayed_everywhere(merchant, "/v1/tabs", {"customer_id": customer["id"]})
    tab = merchant.tab(customer["id"])
    replayed_everywhere(merchant, f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    replayed_everywhere(merchant, f"/v1/tabs/{tab['id']}/serve", None)
    pending = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/concerns", json={"reason": "Cold", "remedy": "waive"}
    ).json()
    replayed_everywhere(
        merchant, f"/v1/tabs/{tab['id']}/concerns/{pending['id']}/resolve", {"decision": "reject"}
    )
    replayed_everywhere(merchant, f"/v1/tabs/{tab['id']}/overdue", None)
    replayed_everywhere(merchant, f"/v1/tabs/{tab['id']}/write-off", None)
    assert merchant.balances()["write_offs"] == 900
    empty = merchant.tab(customer["id"])
    replayed_everywhere(merchant, f"/v1/tabs/{empty['id']}/void", None)

"""The processor's idempotency key follows the request's Idempotency-Key: a
retry after a crash between the processor's charge and our commit is the same
charge at the processor, not a second one. Without a key, the attempt left
pending blocks the tab until recovery asks the processor what became of it."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from servefirst.app import create_app
from servefirst.kit.money import Money
from servefirst.merchants.service import create_merchant
from servefirst.payments.gateways import Charge, Gateways, ManualGateway, SandboxGateway
from servefirst.payments.recovery import recover
from servefirst.runtime import Runtime
from tests.conftest import Merchant


class ProcessorThatCrashesOnce(SandboxGateway):
    """Charges and remembers each key; the first answer is lost on the way back
    (the charge happened, our side never learns it: a crash before our commit)."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: list[str] = []

    def charge(
        self,
        amount: Money,
        *,
        card: str | None,
        idempotency_key: str,
        payment_method: str | None = None,
    ) -> Charge:
        charged = super().charge(amount, card=card, idempotency_key=idempotency_key)
        self.keys.append(idempotency_key)
        if len(self.keys) == 1:
            raise ConnectionResetError("the processor's answer was lost")
        return charged


@pytest.fixture
def processor() -> ProcessorThatCrashesOnce:
    return ProcessorThatCrashesOnce()


@pytest.fixture
def processing(runtime: Runtime, processor: ProcessorThatCrashesOnce) -> Runtime:
    gateways = Gateways(manual=ManualGateway(), sandbox=processor)
    return dataclasses.replace(runtime, gateways=gateways)


@pytest.fixture
def cafe(runtime: Runtime, processing: Runtime) -> Iterator[Merchant]:
    app = create_app(processing)
    with runtime.uow() as uow:
        created = create_merchant(uow, name="Café Azul", currency="EUR")
        uow.commit()
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Merchant(created.merchant.merchant_id, created.api_key, client)


def card_payment(cafe: Merchant, tab_id: str, key: str | None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    body = {"method": "card", "card": "4242424242424242"}
    return cafe.post(f"/v1/tabs/{tab_id}/payments", body, headers=headers)


def test_a_retried_card_payment_asks_the_processor_for_the_same_charge(
    cafe: Merchant, processor: ProcessorThatCrashesOnce
) -> None:
    tab = cafe.served_tab(1200)
    key = str(uuid.uuid4())
    assert card_payment(cafe, tab["id"], key).status_code == 500  # charged, then crashed
    retried = card_payment(cafe, tab["id"], key)
    assert retried.status_code == 201, retried.text
    assert len(processor.keys) == 2
    assert processor.keys[0] == processor.keys[1]
    assert cafe.get(f"/v1/tabs/{tab['id']}").json()["status"] == "paid"


def test_a_customers_retried_payment_asks_the_processor_for_the_same_charge(
    cafe: Merchant, processor: ProcessorThatCrashesOnce
) -> None:
    tab = cafe.served_tab(1200)
    path, body = f"/v1/public/tabs/{tab['token']}/pay", {"card": "4242424242424242"}
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    assert cafe.client.post(path, json=body, headers=headers).status_code == 500
    retried = cafe.client.post(path, json=body, headers=headers)
    assert retried.status_code == 201, retried.text
    assert processor.keys[0] == processor.keys[1]


def test_without_an_idempotency_key_the_lost_charge_is_found_by_recovery_not_made_again(
    cafe: Merchant, processor: ProcessorThatCrashesOnce, processing: Runtime
) -> None:
    tab = cafe.served_tab(1200)
    assert card_payment(cafe, tab["id"], None).status_code == 500
    retried = card_payment(cafe, tab["id"], None)
    assert retried.status_code == 409, retried.text
    assert retried.json()["error"]["code"] == "payment_in_progress"
    attempts = cafe.get(f"/v1/tabs/{tab['id']}/payments?status=all").json()["data"]
    assert [a["status"] for a in attempts] == ["pending"]

    recovered = recover(processing, grace_seconds=0)

    assert recovered.succeeded == [attempts[0]["id"]]
    assert len(processor.keys) == 1  # asked, never charged again
    assert cafe.get(f"/v1/tabs/{tab['id']}").json()["status"] == "paid"
    paid = cafe.get(f"/v1/tabs/{tab['id']}/payments").json()["data"]
    assert [(p["id"], p["status"], p["amount"]) for p in paid] == [
        (attempts[0]["id"], "succeeded", 1200)
    ]


def test_one_key_on_two_tabs_is_two_charges(
    cafe: Merchant, processor: ProcessorThatCrashesOnce
) -> None:
    key = str(uuid.uuid4())
    first, second = cafe.served_tab(1200), cafe.served_tab(800)
    card_payment(cafe, first["id"], key)
    assert card_payment(cafe, second["id"], key).status_code == 201
    assert processor.keys[0] != processor.keys[1]


def test_a_retry_after_recovery_booked_its_charge_gets_that_payment_not_a_second_one(
    cafe: Merchant, processor: ProcessorThatCrashesOnce, processing: Runtime
) -> None:
    tab = cafe.served_tab(1200)
    key, part = str(uuid.uuid4()), {"method": "card", "card": "4242424242424242", "amount": 500}
    headers = {"Idempotency-Key": key}
    path = f"/v1/tabs/{tab['id']}/payments"
    assert cafe.post(path, part, headers=headers).status_code == 500  # charged, then crashed
    (booked,) = recover(processing, grace_seconds=0).succeeded

    retried = cafe.post(path, part, headers=headers)

    assert retried.status_code == 201, retried.text
    assert retried.json()["id"] == booked
    after = cafe.get(f"/v1/tabs/{tab['id']}").json()
    assert (after["paid"], after["amount_due"]) == (500, 700)  # booked once
    assert len(cafe.get(f"{path}?status=all").json()["data"]) == 1

"""A card payment in phases (DESIGN.md): the attempt is kept before the
processor is called, the processor is called with no transaction open, and
the outcome is booked after. A second payer meanwhile is told to wait; a
declined card is kept as a failed attempt; recovery finishes what a crash
left, by asking the processor."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from servefirst.app import create_app
from servefirst.kit.money import Money
from servefirst.merchants.service import create_merchant
from servefirst.payments.gateways import Charge, Gateways, ManualGateway, SandboxGateway
from servefirst.payments.phases import CardAttempt
from servefirst.payments.recovery import lifespan as recovery_beside_the_server
from servefirst.payments.recovery import recover
from servefirst.payments.service import begin_payment
from servefirst.runtime import Runtime
from tests.conftest import Merchant

GOOD, DECLINED = "4242424242424242", "4000000000000002"


def pay_by_card(merchant: Merchant, tab_id: str, card: str = GOOD) -> Any:
    return merchant.post(f"/v1/tabs/{tab_id}/payments", {"method": "card", "card": card})


def test_a_declined_card_answers_402_and_its_attempt_is_kept_as_failed(
    merchant: Merchant,
) -> None:
    tab = merchant.served_tab(1200)
    declined = pay_by_card(merchant, tab["id"], DECLINED)
    assert declined.status_code == 402, declined.text
    assert declined.json()["error"]["code"] == "card_declined"

    assert merchant.get(f"/v1/tabs/{tab['id']}/payments").json()["data"] == []
    attempts = merchant.get(f"/v1/tabs/{tab['id']}/payments?status=all").json()["data"]
    assert [(a["status"], a["failure_code"], a["amount"]) for a in attempts] == [
        ("failed", "card_declined", 1200)
    ]
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["amount_due"] == 1200
    assert merchant.balances()["card_clearing"] == 0

    paid = pay_by_card(merchant, tab["id"])  # another card: the tab is free again
    assert paid.status_code == 201, paid.text
    assert (paid.json()["status"], paid.json()["failure_code"]) == ("succeeded", None)
    assert paid.json()["tab"]["status"] == "paid"
    assert merchant.balances()["card_clearing"] == 1200


def begin_card_attempt(runtime: Runtime, merchant: Merchant, tab_id: str) -> CardAttempt:
    """Phase 1 only: what a server killed during the processor's call leaves."""
    with runtime.uow(merchant.id) as uow:
        attempt = begin_payment(uow, tab_id, method="card", amount=None, card=GOOD)
    assert isinstance(attempt, CardAttempt)
    return attempt


def test_a_second_payer_while_a_card_attempt_waits_is_told_the_payment_is_in_progress(
    runtime: Runtime, merchant: Merchant
) -> None:
    tab = merchant.served_tab(900)
    begin_card_attempt(runtime, merchant, tab["id"])

    cash = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"})
    customer = merchant.client.post(f"/v1/public/tabs/{tab['token']}/pay", json={"card": GOOD})
    # Nor is the tab closed another way while the charge may yet go through.
    written_off = merchant.post(f"/v1/tabs/{tab['id']}/write-off")
    for refused in (cash, customer, written_off):
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["code"] == "payment_in_progress"
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["status"] == "served"
    assert merchant.balances()["cash"] == 0


def test_recovery_fails_an_attempt_the_processor_never_charged_and_the_tab_is_payable_again(
    runtime: Runtime, merchant: Merchant
) -> None:
    tab = merchant.served_tab(900)
    attempt = begin_card_attempt(runtime, merchant, tab["id"])

    assert recover(runtime).failed == []  # still within the grace period: left alone
    recovered = recover(runtime, grace_seconds=0)

    assert attempt.payment_id in recovered.failed
    attempts = merchant.get(f"/v1/tabs/{tab['id']}/payments?status=all").json()["data"]
    assert [(a["status"], a["failure_code"]) for a in attempts] == [("failed", "not_charged")]
    assert runtime.gateways.sandbox.find_charge(attempt.processor_key) is None
    cash = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"})
    assert cash.status_code == 201, cash.text
    assert cash.json()["tab"]["status"] == "paid"


class ProcessorThatLooksBack(SandboxGateway):
    """While it charges, another connection looks at the database: it must
    see the attempt committed and find the tab's row free to lock."""

    def __init__(self, runtime: Runtime, merchant_id: str) -> None:
        super().__init__()
        self.runtime, self.merchant_id = runtime, merchant_id
        self.seen: list[tuple[str, str | None]] = []

    def charge(self, amount: Money, *, card: str | None, idempotency_key: str) -> Charge:
        with self.runtime.uow(self.merchant_id) as uow:
            (attempt,) = [
                p for tab in uow.tabs.newest(limit=1) for p in uow.tabs.payments(tab.tab_id)
            ]
            tab = uow.tabs.lock(attempt.tab_id)  # waits if a transaction still held it
            self.seen.append((attempt.status, tab.pending_payment_id))
            uow.commit()
        return super().charge(amount, card=card, idempotency_key=idempotency_key)


@pytest.fixture
def looking_back(runtime: Runtime) -> Iterator[tuple[Merchant, ProcessorThatLooksBack]]:
    with runtime.uow() as uow:
        created = create_merchant(uow, name="Café Lento", currency="EUR")
        uow.commit()
    merchant_id = created.merchant.merchant_id
    processor = ProcessorThatLooksBack(runtime, merchant_id)
    gateways = Gateways(manual=ManualGateway(), sandbox=processor)
    app = create_app(dataclasses.replace(runtime, gateways=gateways))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Merchant(merchant_id, created.api_key, client), processor


def test_the_processor_is_called_with_the_attempt_committed_and_no_lock_held(
    looking_back: tuple[Merchant, ProcessorThatLooksBack],
) -> None:
    merchant, processor = looking_back
    tab = merchant.served_tab(700)
    paid = pay_by_card(merchant, tab["id"])
    assert paid.status_code == 201, paid.text
    assert processor.seen == [("pending", paid.json()["id"])]
    assert paid.json()["tab"]["status"] == "paid"


def test_a_running_server_recovers_a_pending_attempt_on_its_own(
    runtime: Runtime, merchant: Merchant
) -> None:
    """Recovery runs in a thread beside the server (``servefirst serve``
    without ``--no-worker``): no one needs to run the command."""
    tab = merchant.served_tab(650)
    attempt = begin_card_attempt(runtime, merchant, tab["id"])
    settings = runtime.settings.model_copy(
        update={
            "deliver_in_process": True,
            "payment_recovery_grace_seconds": 0,
            "payment_recovery_every_seconds": 0.05,
        }
    )

    async def serve_a_moment() -> None:
        async with recovery_beside_the_server(dataclasses.replace(runtime, settings=settings))(
            None
        ):
            for _ in range(200):
                if attempts_of(runtime, merchant, tab["id"]) != ["pending"]:
                    return
                await asyncio.sleep(0.05)

    # A loop of its own in a thread of its own: a browser test earlier in the
    # process may have left an event loop set on this one.
    with ThreadPoolExecutor(1) as alone:
        alone.submit(asyncio.run, serve_a_moment()).result()
    assert attempts_of(runtime, merchant, tab["id"]) == ["failed"]
    assert runtime.gateways.sandbox.find_charge(attempt.processor_key) is None


def attempts_of(runtime: Runtime, merchant: Merchant, tab_id: str) -> list[str]:
    with runtime.uow(merchant.id, write=False) as uow:
        return [p.status for p in uow.tabs.payments(tab_id)]

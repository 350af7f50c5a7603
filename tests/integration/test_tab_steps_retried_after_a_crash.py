"""A tab's steps that call the card processor in phases, retried with the same
``Idempotency-Key`` after the server died between them.

A line added to a tab with a card hold (its raise asked) and a line voided
whose share of a captured deposit goes back to the card keep their key's
recovery point with their first phase: the retry adds or voids nothing again,
hears 409 ``idempotency_key_in_use`` naming the tab while the processor's
answer is awaited, and the tab as the first request would have answered once
``servefirst payments recover`` finished it.

A card payment (from a card or from the tab's hold) and a refund of one need
no recovery point: their rows carry ids made from the key, so the retry
finishes the very attempt the first request began, and the processor, asked
under the same key, answers it without charging again (these tests pin that).
One the processor never charged is tried again by the same key:
``test_card_payment_retried_after_recovery``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from servefirst.bookings.models import CardHold
from servefirst.payments.recovery import recover
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration.test_booking_steps_retried_after_a_crash import (
    KEY,
    answered_again,
    deposit_refunds,
    dies_asking,
    past_the_lock,
    processor_did,
)
from tests.integration.test_bookings_api import GOOD, PRICE, cut, nonzero
from tests.integration.test_bookings_holds import checked_in_tab, hold_policy
from tests.integration.test_deposit_paid_tab_voids import TONER, paid_by_its_deposit


def waits_on_the_processor(answer: Any, tab_id: str) -> None:
    assert answer.status_code == 409, answer.text
    error = answer.json()["error"]
    assert (error["code"], error["param"], error["tab_id"]) == (
        "idempotency_key_in_use",
        "Idempotency-Key",
        tab_id,
    )


def raises_of(runtime: Runtime, merchant: Merchant, tab_id: str) -> list[str]:
    with runtime.uow(merchant.id, write=False) as uow:
        query = select(CardHold.status).where(
            CardHold.merchant_id == merchant.id, CardHold.tab_id == tab_id
        )
        return list(uow.session.scalars(query.order_by(CardHold.created_at)))


def test_a_line_retried_while_the_hold_was_raised_for_it_is_added_once(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    hold_policy(merchant)
    tab = checked_in_tab(merchant, clock)  # a 4800 hold behind a 4000 bill
    path, body = f"/v1/tabs/{tab['id']}/lines", {"service_id": cut(merchant, price=3000)["id"]}
    with dies_asking(runtime, "authorize", after_the_processor=True):
        assert merchant.post(path, body, headers=KEY).status_code == 500

    past_the_lock(runtime, clock)
    waits_on_the_processor(merchant.post(path, body, headers=KEY), tab["id"])
    assert len(merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"]) == 2

    recover(runtime, grace_seconds=0)
    past_the_lock(runtime, clock)
    again = merchant.post(path, body, headers=KEY)
    assert again.status_code == 200, again.text
    assert [line["amount"] for line in again.json()["lines"]] == [PRICE, 3000]
    assert again.json()["amount_due"] == PRICE + 3000
    assert (again.json()["hold"]["amount"], again.json()["hold"]["covers_due"]) == (8400, True)
    answered_again(merchant, path, body, again)
    assert raises_of(runtime, merchant, tab["id"]) == ["replaced", "replaced", "active"]


def test_a_void_retried_while_the_deposit_s_share_was_refunded_voids_once(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    booking, tab = paid_by_its_deposit(merchant, clock)
    path, body = f"/v1/tabs/{tab['id']}/lines/3/void", {"reason": "The toner was never done"}
    with dies_asking(runtime, "refund", after_the_processor=True):
        assert merchant.post(path, body, headers=KEY).status_code == 500
    assert deposit_refunds(runtime, merchant, booking["id"]) == ["succeeded", "pending"]

    past_the_lock(runtime, clock)
    waits_on_the_processor(merchant.post(path, body, headers=KEY), tab["id"])

    recover(runtime, grace_seconds=0)
    past_the_lock(runtime, clock)
    again = merchant.post(path, body, headers=KEY)
    assert again.status_code == 200, again.text
    voided = [line["voided"] for line in again.json()["lines"]]
    assert voided == [True, False, True]
    answered_again(merchant, path, body, again)
    assert deposit_refunds(runtime, merchant, booking["id"]) == ["succeeded", "succeeded"]
    refunded = merchant.get(f"/v1/bookings/{booking['id']}").json()["deposit"]["refund"]
    assert refunded == booking["deposit"]["refund"] + TONER  # given back once
    assert "deposits_held" not in nonzero(merchant.balances())


# --- already answered across a crash: the retry finishes the attempt it began ----------------


def test_a_card_payment_retried_before_the_processor_was_asked_charges_once(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    tab = merchant.served_tab(1200)
    path, body = f"/v1/tabs/{tab['id']}/payments", {"method": "card", "card": GOOD}
    with dies_asking(runtime, "charge", after_the_processor=False):
        assert merchant.post(path, body, headers=KEY).status_code == 500
    (pending,) = merchant.get(f"{path}?status=all").json()["data"]
    assert pending["status"] == "pending"

    past_the_lock(runtime, clock)
    again = merchant.post(path, body, headers=KEY)
    assert again.status_code == 201, again.text
    assert (again.json()["id"], again.json()["status"]) == (pending["id"], "succeeded")
    answered_again(merchant, path, body, again)
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["status"] == "paid"
    assert nonzero(merchant.balances())["card_clearing"] == 1200


def test_a_payment_from_the_hold_retried_after_its_capture_captures_once(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    hold_policy(merchant)
    tab = checked_in_tab(merchant, clock)
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    path, body = f"/v1/tabs/{tab['id']}/payments", {"method": "card_hold", "tip": 0}
    with dies_asking(runtime, "capture", after_the_processor=True):
        assert merchant.post(path, body, headers=KEY).status_code == 500
    (pending,) = merchant.get(f"{path}?status=all").json()["data"]

    past_the_lock(runtime, clock)
    again = merchant.post(path, body, headers=KEY)
    assert again.status_code == 201, again.text
    assert (again.json()["id"], again.json()["tab"]["hold"]["status"]) == (
        pending["id"],
        "captured",
    )
    answered_again(merchant, path, body, again)
    assert pending["id"] not in recover(runtime, grace_seconds=0).succeeded  # not left pending
    with runtime.uow(merchant.id, write=False) as uow:
        key = uow.tabs.payment(pending["id"]).processor_key
    assert processor_did(runtime, key) == 1
    assert nonzero(merchant.balances()) == {"card_clearing": PRICE, "revenue": -PRICE}


def test_a_payment_from_the_hold_retried_after_recovery_gets_that_payment(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    hold_policy(merchant)
    tab = checked_in_tab(merchant, clock)
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    path, body = f"/v1/tabs/{tab['id']}/payments", {"method": "card_hold", "tip": 0}
    with dies_asking(runtime, "capture", after_the_processor=True):
        assert merchant.post(path, body, headers=KEY).status_code == 500
    (pending,) = merchant.get(f"{path}?status=all").json()["data"]
    assert pending["id"] in recover(runtime, grace_seconds=0).succeeded

    past_the_lock(runtime, clock)
    again = merchant.post(path, body, headers=KEY)
    assert again.status_code == 201, again.text
    assert again.json()["id"] == pending["id"] and again.json()["tab"]["status"] == "paid"
    assert len(merchant.get(f"{path}?status=all").json()["data"]) == 1
    assert nonzero(merchant.balances()) == {"card_clearing": PRICE, "revenue": -PRICE}


def test_a_refund_retried_after_the_processor_refunded_is_that_refund(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    tab = merchant.served_tab(1200)
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "card", "card": GOOD})
    path = f"/v1/payments/{paid.json()['id']}/refunds"
    body = {"amount": 500, "reason": "The milk was off"}
    with dies_asking(runtime, "refund", after_the_processor=True):
        assert merchant.post(path, body, headers=KEY).status_code == 500
    (pending,) = merchant.get(path).json()["data"]
    assert pending["status"] == "pending"

    past_the_lock(runtime, clock)
    again = merchant.post(path, body, headers=KEY)
    assert again.status_code == 201, again.text
    assert (again.json()["id"], again.json()["status"]) == (pending["id"], "succeeded")
    answered_again(merchant, path, body, again)
    assert [r["status"] for r in merchant.get(path).json()["data"]] == ["succeeded"]
    assert nonzero(merchant.balances())["card_clearing"] == 1200 - 500


def test_a_customer_s_payment_retried_before_the_processor_was_asked_charges_once(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    tab = merchant.served_tab(1200)
    path, body = f"/v1/public/tabs/{tab['token']}/pay", {"card": GOOD}
    with dies_asking(runtime, "charge", after_the_processor=False):
        assert merchant.client.post(path, json=body, headers=KEY).status_code == 500

    past_the_lock(runtime, clock)
    again = merchant.client.post(path, json=body, headers=KEY)
    assert again.status_code == 201, again.text
    paid = merchant.get(f"/v1/tabs/{tab['id']}/payments?status=all").json()["data"]
    assert [(p["id"], p["status"]) for p in paid] == [(again.json()["id"], "succeeded")]
    assert nonzero(merchant.balances())["card_clearing"] == 1200

"""A card payment the server died before charging, which recovery then found
never charged, is paid by the same request sent again (same
``Idempotency-Key``, same body), exactly once.

As at Stripe, only a request the processor decided keeps its answer: a
charge, or a decline, replays under its key. An attempt the processor never
got (``not_charged``) answers nothing, as a booking whose deposit was never
taken books again: the retry makes a new attempt, under a processor key of
its own (never the failed attempt's), and the failed attempt stays on record.
Two retries at once still charge once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from servefirst.ledger.service import audit
from servefirst.payments.recovery import recover
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration.test_booking_steps_retried_after_a_crash import (
    KEY,
    answered_again,
    dies_asking,
    past_the_lock,
    processor_did,
)
from tests.integration.test_bookings_api import DECLINED, GOOD, PRICE, nonzero
from tests.integration.test_bookings_holds import checked_in_tab, hold_policy
from tests.integration.test_payment_crash import (
    Server,
    attempts_on,
    charged,
    servefirst,
    server,  # noqa: F401 (a fixture)
    wait_until,
)


def attempts(merchant: Merchant, tab_id: str) -> list[tuple[str, str, str | None]]:
    listed = merchant.get(f"/v1/tabs/{tab_id}/payments?status=all").json()["data"]
    return [(p["id"], p["status"], p["failure_code"]) for p in listed]


def key_of(runtime: Runtime, merchant: Merchant, payment_id: str) -> str:
    with runtime.uow(merchant.id, write=False) as uow:
        return uow.tabs.payment(payment_id).processor_key or ""


def books_balance(runtime: Runtime, merchant: Merchant) -> None:
    with runtime.uow(merchant.id, write=False) as uow:
        assert audit(uow).ok


def never_charged(
    runtime: Runtime, merchant: Merchant, post: Callable[[], Any], tab_id: str
) -> str:
    """The server dies before the processor is asked; recovery finds nothing
    charged and fails the attempt. Its id."""
    with dies_asking(runtime, "charge", "capture", after_the_processor=False):
        assert post().status_code == 500
    ((first, status, _),) = attempts(merchant, tab_id)
    assert status == "pending"
    assert first in recover(runtime, grace_seconds=0).failed
    return first


def test_a_card_payment_recovery_found_never_charged_is_paid_once_by_the_same_key(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    tab = merchant.served_tab(1200)
    path, body = f"/v1/tabs/{tab['id']}/payments", {"method": "card", "card": GOOD}
    first = never_charged(
        runtime, merchant, lambda: merchant.post(path, body, headers=KEY), tab["id"]
    )

    past_the_lock(runtime, clock)
    again = merchant.post(path, body, headers=KEY)
    assert again.status_code == 201, again.text
    paid = again.json()
    assert paid["id"] != first and paid["status"] == "succeeded"
    assert paid["tab"]["status"] == "paid"
    assert attempts(merchant, tab["id"]) == [
        (first, "failed", "not_charged"),
        (paid["id"], "succeeded", None),
    ]
    first_key, new_key = key_of(runtime, merchant, first), key_of(runtime, merchant, paid["id"])
    assert new_key == f"{first_key}_2"  # never the failed attempt's key
    assert (processor_did(runtime, first_key), processor_did(runtime, new_key)) == (0, 1)
    answered_again(merchant, path, body, again)
    assert nonzero(merchant.balances()) == {"card_clearing": 1200, "revenue": -1200}
    books_balance(runtime, merchant)


def test_a_customer_s_payment_recovery_found_never_charged_is_paid_by_the_same_key(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    tab = merchant.served_tab(1200)
    path, body = f"/v1/public/tabs/{tab['token']}/pay", {"card": GOOD, "tip": 100}

    def pay() -> Any:
        return merchant.client.post(path, json=body, headers=KEY)

    first = never_charged(runtime, merchant, pay, tab["id"])
    past_the_lock(runtime, clock)
    again = pay()
    assert again.status_code == 201, again.text
    assert [a[1] for a in attempts(merchant, tab["id"])] == ["failed", "succeeded"]
    replay = pay()
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.json()["id"] == again.json()["id"] != first
    assert nonzero(merchant.balances())["card_clearing"] == 1300
    books_balance(runtime, merchant)


def test_a_payment_from_the_hold_recovery_found_never_captured_is_taken_by_the_same_key(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    hold_policy(merchant)
    tab = checked_in_tab(merchant, clock)
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    path, body = f"/v1/tabs/{tab['id']}/payments", {"method": "card_hold", "tip": 0}
    first = never_charged(
        runtime, merchant, lambda: merchant.post(path, body, headers=KEY), tab["id"]
    )

    past_the_lock(runtime, clock)
    again = merchant.post(path, body, headers=KEY)
    assert again.status_code == 201, again.text
    assert (again.json()["tab"]["status"], again.json()["tab"]["hold"]["status"]) == (
        "paid",
        "captured",
    )
    first_key = key_of(runtime, merchant, first)
    assert key_of(runtime, merchant, again.json()["id"]) == f"{first_key}_2"
    assert (processor_did(runtime, first_key), processor_did(runtime, f"{first_key}_2")) == (0, 1)
    answered_again(merchant, path, body, again)
    assert nonzero(merchant.balances()) == {"card_clearing": PRICE, "revenue": -PRICE}
    books_balance(runtime, merchant)


def test_a_declined_card_stays_the_key_s_answer_even_once_the_key_is_forgotten(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    """A decline is the processor's decision: the same request hears it again,
    and never makes a new attempt, even past the key's 24 hours."""
    tab = merchant.served_tab(1200)
    path, body = f"/v1/tabs/{tab['id']}/payments", {"method": "card", "card": DECLINED}
    declined = merchant.post(path, body, headers=KEY)
    assert (declined.status_code, declined.json()["error"]["code"]) == (402, "card_declined")
    answered_again(merchant, path, body, declined)

    clock.advance(hours=runtime.settings.idempotency_ttl_hours + 1)
    later = merchant.post(path, body, headers=KEY)
    assert (later.status_code, later.json()["error"]["code"]) == (402, "card_declined")
    ((only, status, code),) = attempts(merchant, tab["id"])
    assert (status, code) == ("failed", "card_declined")
    assert processor_did(runtime, key_of(runtime, merchant, only)) == 0
    assert nonzero(merchant.balances()).get("card_clearing", 0) == 0


@contextmanager
def once_at_the_processor(runtime: Runtime, step: Callable[[], Any]) -> Iterator[list[Any]]:
    """Run ``step`` once, the first time the sandbox is asked to charge, just
    before it charges: a request sent while another is at the processor."""
    sandbox = runtime.gateways.sandbox
    real = sandbox.charge
    seen: list[Any] = []
    asked: list[bool] = []

    def first_the_step(*args: Any, **kwargs: Any) -> Any:
        if not asked:  # the step's own request, if it is charged, is charged as it is
            asked.append(True)
            seen.append(step())
        return real(*args, **kwargs)

    sandbox.charge = first_the_step  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        sandbox.charge = real  # type: ignore[method-assign]


def test_two_retries_at_once_after_recovery_charge_once(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    tab = merchant.served_tab(1200)
    path, body = f"/v1/tabs/{tab['id']}/payments", {"method": "card", "card": GOOD}
    first = never_charged(
        runtime, merchant, lambda: merchant.post(path, body, headers=KEY), tab["id"]
    )
    past_the_lock(runtime, clock)

    with once_at_the_processor(runtime, lambda: merchant.post(path, body, headers=KEY)) as beside:
        again = merchant.post(path, body, headers=KEY)
    [other] = beside
    assert other.status_code == 409, other.text
    assert other.json()["error"]["code"] == "idempotency_key_in_use"
    assert again.status_code == 201, again.text
    assert processor_did(runtime, f"{key_of(runtime, merchant, first)}_2") == 1
    assert nonzero(merchant.balances())["card_clearing"] == 1200


def test_a_retry_past_the_key_s_lock_while_the_new_attempt_is_charged_gets_that_payment(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    """The processor slow past the key's lock: the second retry carries the
    new attempt on under that attempt's own key, and the processor answers
    both with its one charge."""
    tab = merchant.served_tab(1200)
    path, body = f"/v1/tabs/{tab['id']}/payments", {"method": "card", "card": GOOD}
    first = never_charged(
        runtime, merchant, lambda: merchant.post(path, body, headers=KEY), tab["id"]
    )
    past_the_lock(runtime, clock)

    def another_past_the_lock() -> Any:
        past_the_lock(runtime, clock)
        return merchant.post(path, body, headers=KEY)

    with once_at_the_processor(runtime, another_past_the_lock) as beside:
        again = merchant.post(path, body, headers=KEY)
    [other] = beside
    assert (other.status_code, again.status_code) == (201, 201), (other.text, again.text)
    assert other.json()["id"] == again.json()["id"] != first
    assert [a[1] for a in attempts(merchant, tab["id"])] == ["failed", "succeeded"]
    assert processor_did(runtime, f"{key_of(runtime, merchant, first)}_2") == 1
    assert nonzero(merchant.balances())["card_clearing"] == 1200
    books_balance(runtime, merchant)


def test_a_server_killed_before_the_charge_then_the_same_key_pays_once_after_recovery(
    runtime: Runtime,
    database_url: str,
    merchant: Merchant,
    wall_clock: TestClock,
    server: Callable[[], Server],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A real server killed between keeping the attempt and charging it: its
    key stays claimed with the first body, so another body is refused, and
    the same body pays once recovery found nothing charged."""
    # The restarted server finds the first request's key past its lock at once.
    monkeypatch.setenv("SERVEFIRST_IDEMPOTENCY_LOCK_SECONDS", "0")
    tab = merchant.served_tab(700)
    path, body = f"/v1/tabs/{tab['id']}/payments", {"method": "card", "card": GOOD}

    def post(base: str, sent: dict[str, Any]) -> httpx.Response:
        return httpx.post(
            f"{base}{path}", json=sent, headers={**merchant.headers, **KEY}, timeout=30
        )

    running = server()
    seen: list[Any] = []
    sending = threading.Thread(target=lambda: seen.append(_or_lost(post, running.base, body)))
    sending.start()
    wait_until(lambda: bool(attempts_on(runtime, merchant.id, tab["id"])), "the attempt kept")
    running.kill()
    sending.join()
    assert seen == [None]  # the client never heard
    (kept,) = attempts_on(runtime, merchant.id, tab["id"])

    restarted = server()
    recovered = servefirst(database_url, "payments", "recover", "--grace-seconds", "0")
    assert recovered.returncode == 0, recovered.stderr
    assert [a.status for a in attempts_on(runtime, merchant.id, tab["id"])] == ["failed"]

    other = post(restarted.base, {**body, "tip": 50})
    assert (other.status_code, other.json()["error"]["code"]) == (422, "idempotency_key_reused")
    again = post(restarted.base, body)
    assert again.status_code == 201, again.text
    assert again.json()["id"] != kept.payment_id
    assert charged(runtime, kept.processor_key or "") == 0
    assert charged(runtime, f"{kept.processor_key}_2") == 1
    assert merchant.balances()["card_clearing"] == 700
    checked = servefirst(database_url, "ledger", "audit", "--merchant-id", merchant.id)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def _or_lost(
    post: Callable[[str, dict[str, Any]], httpx.Response], base: str, body: dict[str, Any]
) -> httpx.Response | None:
    try:
        return post(base, body)
    except httpx.HTTPError:  # the server died under the request
        return None

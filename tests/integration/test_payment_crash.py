"""A real server killed with SIGKILL at each phase of a card payment
(``payments.phases``): after a restart and ``servefirst payments recover``,
each attempt was charged at most once, and exactly once if it succeeded,
every payment the client saw succeed is in the ledger, nothing is left
pending, and ``servefirst ledger audit`` passes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from servefirst.ledger.models import JournalEntryRow
from servefirst.payments.models import Payment, SandboxCharge
from servefirst.runtime import Runtime
from tests.conftest import PUBLIC_URL, Merchant
from tests.patience import SERVER_START_SECONDS
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
GOOD = "4242424242424242"
#: The windows the test kills in: before the charge, and after it but
#: before the answer reaches the server (tests/payment_crash_server.py).
LATENCY_MS, ANSWER_SECONDS = 600, 0.6

#: The server and the command run on real time, as in production.
pytestmark = pytest.mark.usefixtures("wall_clock")


def environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "SERVEFIRST_DATABASE_URL": database_url,
        "SERVEFIRST_PUBLIC_URL": PUBLIC_URL,
        "SERVEFIRST_SANDBOX_LATENCY_MS": str(LATENCY_MS),
        "CRASH_TEST_ANSWER_SECONDS": str(ANSWER_SECONDS),
    }


class Server:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.payment_crash_server", str(self.port)],
            env=environment(database_url),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.1)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


@pytest.fixture
def server(database_url: str) -> Iterator[Callable[[], Server]]:
    started: list[Server] = []

    def start() -> Server:
        started.append(Server(database_url))
        return started[-1]

    yield start
    for each in started:
        if each.process.poll() is None:
            each.kill()


def servefirst(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "servefirst", *args],
        env=environment(database_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def attempts_on(runtime: Runtime, merchant_id: str, tab_id: str) -> list[Payment]:
    with runtime.uow(merchant_id, write=False) as uow:
        return uow.tabs.payments(tab_id)


def charged(runtime: Runtime, key: str) -> int:
    with runtime.uow(write=False) as uow:
        query = select(func.count()).where(SandboxCharge.idempotency_key == key)
        return int(uow.session.scalar(query) or 0)


def wait_until(check: Callable[[], bool], what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"never saw: {what}")
        time.sleep(0.005)


def pay_in_background(base: str, merchant: Merchant, tab_id: str) -> dict[str, Any]:
    """POST the card payment from a thread; what the client saw lands in the dict."""
    seen: dict[str, Any] = {}

    def pay() -> None:
        try:
            seen["response"] = httpx.post(
                f"{base}/v1/tabs/{tab_id}/payments",
                json={"method": "card", "card": GOOD},
                headers=merchant.headers,
                timeout=30,
            )
        except httpx.HTTPError as lost:  # the server died under the request
            seen["error"] = lost

    thread = threading.Thread(target=pay)
    thread.start()
    seen["thread"] = thread
    return seen


def test_a_server_killed_at_each_phase_of_a_card_payment_charges_once_and_loses_nothing(
    runtime: Runtime, database_url: str, merchant: Merchant, server: Callable[[], Server]
) -> None:
    tabs = {
        phase: merchant.served_tab(500 + n) for n, phase in enumerate(("kept", "charged", "booked"))
    }
    saw_succeed: list[str] = []

    def first_attempt(tab_id: str) -> Payment | None:
        found = attempts_on(runtime, merchant.id, tab_id)
        return found[0] if found else None

    # (1) killed after the pending attempt is committed, before the charge.
    running = server()
    seen = pay_in_background(running.base, merchant, tabs["kept"]["id"])
    wait_until(lambda: first_attempt(tabs["kept"]["id"]) is not None, "the attempt kept")
    running.kill()
    seen["thread"].join()
    assert "response" not in seen

    # (2) killed after the processor charged, before the outcome is committed.
    running = server()
    seen = pay_in_background(running.base, merchant, tabs["charged"]["id"])
    wait_until(lambda: first_attempt(tabs["charged"]["id"]) is not None, "the attempt kept")
    key = first_attempt(tabs["charged"]["id"]).processor_key  # type: ignore[union-attr]
    wait_until(lambda: charged(runtime, key or "") == 1, "the processor's charge")
    running.kill()
    seen["thread"].join()
    assert "response" not in seen

    # (3) killed right after the client heard the payment succeed.
    running = server()
    seen = pay_in_background(running.base, merchant, tabs["booked"]["id"])
    seen["thread"].join()
    assert seen["response"].status_code == 201, seen["response"].text
    saw_succeed.append(seen["response"].json()["id"])
    running.kill()

    restarted = server()
    recovered = servefirst(database_url, "payments", "recover", "--grace-seconds", "0", "--json")
    assert recovered.returncode == 0, recovered.stderr

    outcomes = {}
    for phase, tab in tabs.items():
        (attempt,) = attempts_on(runtime, merchant.id, tab["id"])
        outcomes[phase] = attempt.status
        # Charged at the processor exactly once if it succeeded, never if it failed.
        assert charged(runtime, attempt.processor_key or "") == (attempt.status == "succeeded")
    assert outcomes == {"kept": "failed", "charged": "succeeded", "booked": "succeeded"}

    listed = {
        p["id"]
        for tab in tabs.values()
        for p in merchant.get(f"/v1/tabs/{tab['id']}/payments").json()["data"]
    }
    assert set(saw_succeed) <= listed
    with runtime.uow(merchant.id, write=False) as uow:
        entries = set(
            uow.session.scalars(
                select(JournalEntryRow.tab_id).where(
                    JournalEntryRow.merchant_id == merchant.id, JournalEntryRow.kind == "payment"
                )
            )
        )
    assert entries == {tabs["charged"]["id"], tabs["booked"]["id"]}
    assert merchant.balances()["card_clearing"] == 501 + 502

    # The tab whose attempt failed is free to pay again, through the restarted server.
    again = httpx.post(
        f"{restarted.base}/v1/tabs/{tabs['kept']['id']}/payments",
        json={"method": "card", "card": GOOD},
        headers=merchant.headers,
        timeout=30,
    )
    assert again.status_code == 201, again.text
    # This merchant's books: the shared test database also holds the schema
    # test's deliberately unbalanced entry (SQLite has no deferred check).
    audit = servefirst(database_url, "ledger", "audit", "--merchant-id", merchant.id)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert f"{merchant.id}: " in audit.stdout and "ok" in audit.stdout

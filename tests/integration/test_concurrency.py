"""Real threads against a real server: what happens when requests collide.

A uvicorn server runs ``create_app(runtime)`` in a background thread on a free
port; every test thread has its own ``httpx.Client`` and waits at a
``threading.Barrier`` so the requests really leave together. The same tests
run on SQLite (one writer at a time, ``BEGIN IMMEDIATE``) and on PostgreSQL
(row locks), chosen by ``SERVEFIRST_TEST_DATABASE_URL``.

What must hold however the requests interleave: a tab is paid once, no line
is lost, an idempotent request acts once, the ledger sums to zero and agrees
with its own journal, and one merchant never waits for or sees another.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import bindparam, select, text

from servefirst.app import create_app
from servefirst.customers.models import Customer
from servefirst.ledger.service import audit
from servefirst.merchants.service import create_merchant
from servefirst.runtime import Runtime
from servefirst.server.start import configure_app
from tests.conftest import Merchant
from tests.patience import SERVER_START_SECONDS

#: No single request may take longer than this; a stall fails instead of hanging.
REQUEST_TIMEOUT = 30.0
GOOD_CARD = "4242424242424242"

Send = Callable[[httpx.Client, int], httpx.Response]


@pytest.fixture(scope="module")
def server_url(runtime: Runtime) -> Iterator[str]:
    """A running server on a free 127.0.0.1 port, shared by this module."""
    # Bound here (no race for the port). The explicit protocol matters: asyncio
    # turns Nagle off only on sockets that say IPPROTO_TCP, and with Nagle on
    # every response waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        # The app as the server runs it: with its write turns.
        configure_app(create_app(runtime), runtime.settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert thread.is_alive(), "the server thread died while starting"
        assert time.monotonic() < deadline, "the server did not answer /healthz"
        time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        assert not thread.is_alive(), "the server did not shut down"


@pytest.fixture
def live_merchant(runtime: Runtime, server_url: str) -> Iterator[Callable[..., Merchant]]:
    """Makes fresh merchants whose factories talk to the running server."""
    clients: list[httpx.Client] = []

    def make(name: str = "Café Azul", currency: str = "EUR") -> Merchant:
        with runtime.uow() as uow:
            created = create_merchant(uow, name=name, currency=currency)
            uow.commit()
        client = httpx.Client(base_url=server_url, timeout=REQUEST_TIMEOUT)
        clients.append(client)
        return Merchant(created.merchant.merchant_id, created.api_key, client)

    yield make
    for client in clients:
        client.close()


def race(url: str, count: int, send: Send) -> list[httpx.Response]:
    """Run ``send`` from ``count`` threads that all start at the same moment."""
    barrier = threading.Barrier(count)

    def run(i: int) -> httpx.Response:
        with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT) as client:
            # Connect first, so the barrier releases requests, not TCP handshakes.
            assert client.get("/healthz").status_code == 200
            barrier.wait(timeout=REQUEST_TIMEOUT)
            return send(client, i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


def statuses(responses: list[httpx.Response]) -> Counter[int]:
    return Counter(r.status_code for r in responses)


def assert_no_server_errors(responses: list[httpx.Response]) -> None:
    broken = [(r.status_code, r.text[:300]) for r in responses if r.status_code >= 500]
    assert not broken, broken


def assert_ledger_sound(runtime: Runtime, merchant: Merchant) -> dict[str, int]:
    """Balances sum to zero and match a rebuild from the journal; returns them."""
    balances = merchant.balances()  # asserts total == 0
    with runtime.uow(merchant.id, write=False) as uow:
        result = audit(uow)
    assert result.ok, (result.mismatched_accounts, result.unbalanced_entries)
    return balances


def payments_on(merchant: Merchant, tab_id: str) -> list[dict[str, Any]]:
    response = merchant.get(f"/v1/tabs/{tab_id}/payments")
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


# 1 and 2: one tab, many payers ------------------------------------------------


def test_ten_cash_payments_on_one_tab_take_exactly_one(
    runtime: Runtime, server_url: str, live_merchant: Callable[..., Merchant]
) -> None:
    merchant = live_merchant()
    tab = merchant.served_tab(380, 420)
    total = tab["total"]
    assert total == 800

    def pay(client: httpx.Client, i: int) -> httpx.Response:
        return client.post(
            f"/v1/tabs/{tab['id']}/payments",
            json={"method": "cash", "amount": total},
            headers={**merchant.headers, "Idempotency-Key": f"cash-{tab['id']}-{i}"},
        )

    responses = race(server_url, 10, pay)

    assert_no_server_errors(responses)
    assert statuses(responses) == {201: 1, 409: 9}, [r.text for r in responses]
    refused = [error_code(r) for r in responses if r.status_code == 409]
    assert set(refused) == {"tab_already_paid"}
    after = merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert (after["status"], after["paid"], after["amount_due"]) == ("paid", total, 0)
    assert len(payments_on(merchant, tab["id"])) == 1
    balances = assert_ledger_sound(runtime, merchant)
    assert balances["cash"] == total
    assert balances["receivables"] == 0


def test_ten_card_payments_by_the_customer_take_exactly_one(
    runtime: Runtime, server_url: str, live_merchant: Callable[..., Merchant]
) -> None:
    merchant = live_merchant()
    tab = merchant.served_tab(650)
    total = tab["total"]

    def pay(client: httpx.Client, i: int) -> httpx.Response:
        return client.post(
            f"/v1/public/tabs/{tab['token']}/pay",
            json={"method": "card", "card": GOOD_CARD, "tip": 50},
            headers={"Idempotency-Key": f"card-{i}"},
        )

    responses = race(server_url, 10, pay)

    assert_no_server_errors(responses)
    assert statuses(responses) == {201: 1, 409: 9}, [r.text for r in responses]
    # Refused while the winner's card was with the processor, or after it paid.
    refusals = {error_code(r) for r in responses if r.status_code == 409}
    assert refusals <= {"payment_in_progress", "tab_already_paid"}, refusals
    after = merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert (after["status"], after["paid"], after["tips"]) == ("paid", total, 50)
    assert len(payments_on(merchant, tab["id"])) == 1
    balances = assert_ledger_sound(runtime, merchant)
    assert balances["card_clearing"] == total + 50
    assert balances["tips_payable"] == -50
    assert balances["receivables"] == 0


# 3: many lines on one open tab -----------------------------------------------


def test_fifty_concurrent_lines_are_all_kept(
    runtime: Runtime, server_url: str, live_merchant: Callable[..., Merchant]
) -> None:
    merchant = live_merchant()
    espresso = merchant.service("Espresso", price=120)
    cake = merchant.service("Cake", price=270)
    tab = merchant.tab()
    # Alternate two services so the sum also tells which lines arrived.
    chosen = [espresso if i % 2 else cake for i in range(50)]

    def add(client: httpx.Client, i: int) -> httpx.Response:
        return client.post(
            f"/v1/tabs/{tab['id']}/lines",
            json={"service_id": chosen[i]["id"]},
            headers=merchant.headers,
        )

    responses = race(server_url, 50, add)

    assert_no_server_errors(responses)
    assert statuses(responses) == {200: 50}, [r.text for r in responses if r.status_code != 200]
    expected = sum(s["price"] for s in chosen)
    assert expected == 25 * 120 + 25 * 270
    after = merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert after["subtotal"] == expected
    assert sorted(line["line_no"] for line in after["lines"]) == list(range(1, 51))
    assert sum(line["amount"] for line in after["lines"]) == expected
    balances = assert_ledger_sound(runtime, merchant)
    assert balances["receivables"] == expected
    assert balances["revenue"] == -expected


# 4: one Idempotency-Key from many threads ------------------------------------


def _check_one_action(responses: list[httpx.Response], success: int) -> httpx.Response:
    """One original answer; every other is its replay or 'still in flight'."""
    assert_no_server_errors(responses)
    originals = [
        r for r in responses if r.status_code == success and "Idempotent-Replayed" not in r.headers
    ]
    replays = [r for r in responses if r.headers.get("Idempotent-Replayed") == "true"]
    in_flight = [r for r in responses if r.status_code == 409]
    assert len(originals) == 1, [(r.status_code, r.text[:200]) for r in responses]
    assert len(originals) + len(replays) + len(in_flight) == len(responses)
    assert {error_code(r) for r in in_flight} <= {"idempotency_key_in_use"}
    for replay in replays:
        assert replay.status_code == success
        assert replay.json() == originals[0].json()
    return originals[0]


def test_one_idempotent_payment_from_ten_threads_pays_once(
    runtime: Runtime, server_url: str, live_merchant: Callable[..., Merchant]
) -> None:
    merchant = live_merchant()
    tab = merchant.served_tab(500, 300)

    def pay(client: httpx.Client, _i: int) -> httpx.Response:
        return client.post(
            f"/v1/tabs/{tab['id']}/payments",
            json={"method": "cash", "amount": 300, "tip": 20},
            headers={**merchant.headers, "Idempotency-Key": "one-payment"},
        )

    original = _check_one_action(race(server_url, 10, pay), success=201)

    payments = payments_on(merchant, tab["id"])
    assert [p["id"] for p in payments] == [original.json()["id"]]
    after = merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert (after["status"], after["paid"], after["tips"]) == ("served", 300, 20)
    # The key is answered for good: a late retry is a replay, not a payment.
    late = pay(merchant.client, 0)
    assert late.headers.get("Idempotent-Replayed") == "true"
    assert late.json()["id"] == original.json()["id"]
    balances = assert_ledger_sound(runtime, merchant)
    assert balances["cash"] == 320
    assert balances["receivables"] == 500


def test_one_idempotent_line_from_ten_threads_adds_once(
    runtime: Runtime, server_url: str, live_merchant: Callable[..., Merchant]
) -> None:
    merchant = live_merchant()
    tea = merchant.service("Tea", price=290)
    tab = merchant.tab()

    def add(client: httpx.Client, _i: int) -> httpx.Response:
        return client.post(
            f"/v1/tabs/{tab['id']}/lines",
            json={"service_id": tea["id"], "quantity": 2},
            headers={**merchant.headers, "Idempotency-Key": "one-line"},
        )

    _check_one_action(race(server_url, 10, add), success=200)

    after = merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert [(line["line_no"], line["amount"]) for line in after["lines"]] == [(1, 580)]
    assert after["subtotal"] == 580
    balances = assert_ledger_sound(runtime, merchant)
    assert balances["receivables"] == 580


# 5: many tabs of one merchant ------------------------------------------------


def test_many_tabs_of_one_merchant_paid_at_once(
    runtime: Runtime, server_url: str, live_merchant: Callable[..., Merchant]
) -> None:
    threads, per_thread = 8, 10
    merchant = live_merchant()
    services = [merchant.service(f"Item {p}", price=p) for p in (150, 220, 340)]
    customers = [merchant.customer(f"Guest {i}") for i in range(threads)]
    tabs: list[dict[str, Any]] = []
    for n in range(threads * per_thread):
        tab = merchant.tab(customers[n % threads]["id"])
        for svc in services[: 1 + n % 3]:
            added = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
            assert added.status_code == 200, added.text
        served = merchant.post(f"/v1/tabs/{tab['id']}/serve")
        assert served.status_code == 200, served.text
        tabs.append(served.json())
    total = sum(t["total"] for t in tabs)

    def pay_my_tabs(client: httpx.Client, i: int) -> httpx.Response:
        # Thread i pays tabs i, i+8, ...: every thread's tabs belong to every
        # customer in turn, so customers' histories are updated concurrently.
        last: httpx.Response | None = None
        for j, tab in enumerate(tabs[i::threads]):
            if j % 2:  # half by the customer's card, half in cash at the counter
                last = client.post(
                    f"/v1/public/tabs/{tab['token']}/pay", json={"card": GOOD_CARD, "tip": 10}
                )
            else:
                last = client.post(
                    f"/v1/tabs/{tab['id']}/payments",
                    json={"method": "cash", "amount": tab["total"], "tip": 10},
                    headers=merchant.headers,
                )
            if last.status_code != 201:
                return last
        assert last is not None
        return last

    responses = race(server_url, threads, pay_my_tabs)

    assert_no_server_errors(responses)
    assert statuses(responses) == {201: threads}, [r.text for r in responses]
    paid = merchant.get("/v1/tabs", params={"status": "paid", "limit": 200}).json()["data"]
    assert sorted(t["id"] for t in paid) == sorted(t["id"] for t in tabs)
    assert all(t["paid"] == t["total"] for t in paid)
    balances = assert_ledger_sound(runtime, merchant)
    assert balances["receivables"] == 0
    assert balances["cash"] + balances["card_clearing"] == total + 10 * len(tabs)
    assert balances["tips_payable"] == -10 * len(tabs)
    with runtime.uow(merchant.id, write=False) as uow:
        visits = uow.session.scalars(
            select(Customer.paid_visits).where(Customer.merchant_id == merchant.id)
        ).all()
    # A lost update here would let a customer's history forget a paid visit.
    assert sorted(visits) == [per_thread] * threads


def test_a_customers_paid_visits_survive_concurrent_settling(
    runtime: Runtime, server_url: str, live_merchant: Callable[..., Merchant]
) -> None:
    """Serving a prepaid tab settles it without touching the ledger, so nothing
    else queues it behind a payment settling the same customer's other tab."""
    merchant = live_merchant()
    juice = merchant.service("Juice", price=400)
    guests = [merchant.customer(f"Guest {i}") for i in range(8)]
    prepaid, served = [], []
    for guest in guests:
        tab = merchant.tab(guest["id"])
        assert merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": juice["id"]}).is_success
        paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 400})
        assert paid.status_code == 201, paid.text
        prepaid.append(tab)
        other = merchant.tab(guest["id"])
        assert merchant.post(
            f"/v1/tabs/{other['id']}/lines", {"service_id": juice["id"]}
        ).is_success
        assert merchant.post(f"/v1/tabs/{other['id']}/serve").is_success
        served.append(other)

    def settle(client: httpx.Client, i: int) -> httpx.Response:
        if i % 2:
            return client.post(f"/v1/tabs/{prepaid[i // 2]['id']}/serve", headers=merchant.headers)
        return client.post(
            f"/v1/tabs/{served[i // 2]['id']}/payments",
            json={"method": "cash", "amount": 400},
            headers=merchant.headers,
        )

    responses = race(server_url, 2 * len(guests), settle)

    assert_no_server_errors(responses)
    assert statuses(responses) == {200: len(guests), 201: len(guests)}
    for tab in prepaid + served:
        assert merchant.get(f"/v1/tabs/{tab['id']}").json()["status"] == "paid"
    with runtime.uow(merchant.id, write=False) as uow:
        visits = uow.session.scalars(
            select(Customer.paid_visits).where(Customer.merchant_id == merchant.id)
        ).all()
    assert sorted(visits) == [2] * len(guests)


# 6: two merchants side by side -----------------------------------------------


def test_two_merchants_work_at_once_without_seeing_each_other(
    runtime: Runtime, server_url: str, live_merchant: Callable[..., Merchant]
) -> None:
    cafe, salon = live_merchant("Café Azul"), live_merchant("Salão Rosa")
    shops = [cafe, salon]
    menus = [cafe.service("Latte", price=310), salon.service("Trim", price=800)]
    open_tabs = [cafe.tab(), salon.tab()]
    served = [cafe.served_tab(310, 310), salon.served_tab(1700)]

    def work(client: httpx.Client, i: int) -> httpx.Response:
        me, other = i % 2, 1 - i % 2
        headers = shops[me].headers
        # The other merchant's objects do not exist for me, even mid-race.
        for path in (f"/v1/tabs/{open_tabs[other]['id']}", f"/v1/tabs/{served[other]['id']}"):
            assert client.get(path, headers=headers).status_code == 404
        stolen = client.post(
            f"/v1/tabs/{open_tabs[other]['id']}/lines",
            json={"service_id": menus[me]["id"]},
            headers=headers,
        )
        assert stolen.status_code == 404, stolen.text
        return client.post(
            f"/v1/tabs/{open_tabs[me]['id']}/lines",
            json={"service_id": menus[me]["id"]},
            headers=headers,
        )

    responses = race(server_url, 20, work)

    assert_no_server_errors(responses)
    assert statuses(responses) == {200: 20}, [r.text for r in responses]
    for shop, tab, menu in zip(shops, open_tabs, menus, strict=True):
        after = shop.get(f"/v1/tabs/{tab['id']}").json()
        assert after["subtotal"] == 10 * menu["price"]
        assert {line["service_id"] for line in after["lines"]} == {menu["id"]}
    assert assert_ledger_sound(runtime, cafe)["receivables"] == 10 * 310 + 620
    assert assert_ledger_sound(runtime, salon)["receivables"] == 10 * 800 + 1700


def test_a_held_transaction_of_one_merchant_does_not_stall_another(
    runtime: Runtime, server_url: str, live_merchant: Callable[..., Merchant], backend: str
) -> None:
    """More of the café's payments wait on its held rows than a server process
    would give write turns (``server.turns``, when set): the salon's payments
    still go through."""
    cafe, salon = live_merchant("Café Azul"), live_merchant("Salão Rosa")
    cafe_ids = [cafe.served_tab(450)["id"] for _ in range(3)]
    salon_tabs = [salon.served_tab(1200 + 100 * i) for i in range(6)]
    # PostgreSQL: the café's tab rows stay locked, as if a slow request held them.
    # SQLite has no row locks; an open read transaction is what it can hold
    # without taking the one write lock every merchant shares.
    hold = "SELECT status FROM tabs WHERE tab_id IN :tab_ids"
    if backend == "postgresql":
        hold += " FOR UPDATE"
    held = text(hold).bindparams(bindparam("tab_ids", expanding=True))

    def cafe_pays(tab_id: str) -> httpx.Response:
        with httpx.Client(base_url=server_url, timeout=REQUEST_TIMEOUT) as client:
            return client.post(
                f"/v1/tabs/{tab_id}/payments",
                json={"method": "cash", "amount": 450},
                headers=cafe.headers,
            )

    with (
        ThreadPoolExecutor(max_workers=len(cafe_ids)) as background,
        runtime.engine.connect() as conn,
    ):
        with conn.begin():
            assert set(conn.execute(held, {"tab_ids": cafe_ids}).scalars()) == {"served"}
            cafe_paying = [background.submit(cafe_pays, tab_id) for tab_id in cafe_ids]
            if backend == "postgresql":  # every café payment is in, waiting on its row
                wait_for_lock_waiters(runtime, len(cafe_ids))
            started = time.monotonic()

            def pay(client: httpx.Client, i: int) -> httpx.Response:
                return client.post(
                    f"/v1/public/tabs/{salon_tabs[i]['token']}/pay", json={"card": GOOD_CARD}
                )

            responses = race(server_url, len(salon_tabs), pay)
            elapsed = time.monotonic() - started
            assert_no_server_errors(responses)
            assert statuses(responses) == {201: len(salon_tabs)}
            assert elapsed < 10, f"the salon waited {elapsed:.1f} s for the café's locks"
        # Released: the café's own payments go through.
        paid = [future.result(timeout=REQUEST_TIMEOUT) for future in cafe_paying]
    assert [p.status_code for p in paid] == [201] * len(cafe_ids), [p.text for p in paid]
    assert {p.json()["tab"]["status"] for p in paid} == {"paid"}
    salon_total = sum(t["total"] for t in salon_tabs)
    assert assert_ledger_sound(runtime, salon)["card_clearing"] == salon_total
    assert assert_ledger_sound(runtime, cafe)["cash"] == 450 * len(cafe_ids)


def wait_for_lock_waiters(runtime: Runtime, count: int) -> None:
    """Until ``count`` sessions on this database wait on a lock (PostgreSQL)."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + REQUEST_TIMEOUT
    with runtime.engine.connect() as conn:
        while conn.execute(waiting).scalar_one() < count:
            # Requests stuck on a lock that keep their write turns keep the
            # rest of the process out, the next café payment included.
            assert time.monotonic() < deadline, f"{count} requests never reached the lock"
            conn.rollback()  # a new snapshot of pg_stat_activity
            time.sleep(0.02)

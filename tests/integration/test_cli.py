"""The ``servefirst`` command: help, merchant create, the demo, and the README's routes.

The commands run in process through click's runner where that is enough, and
``servefirst demo`` runs for real as a subprocess serving on a free port.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from servefirst.app import create_app
from servefirst.cli import main
from servefirst.config import Settings, load_settings
from servefirst.customers.models import Customer
from servefirst.demo import DemoResult, build_demo
from servefirst.demo.cafe_today import OPEN_WEEKDAYS as CAFE_OPEN_WEEKDAYS
from servefirst.demo.closed_days import is_closed, open_days_ago
from servefirst.demo.salon import OPEN_WEEKDAYS
from servefirst.ledger.service import audit
from servefirst.merchants.models import Merchant as MerchantRow
from servefirst.runtime import Runtime
from tests.patience import SERVER_START_SECONDS
from tests.ports import free_port

README = Path(__file__).resolve().parents[2] / "README.md"


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    commands = result.output.split("Commands:", 1)[1]
    listed = {line.split()[0] for line in commands.strip().splitlines()}
    assert {"serve", "demo", "merchant"} <= listed


def test_merchant_create_prints_a_key_that_works(database_url: str, client: TestClient) -> None:
    result = CliRunner(env={"SERVEFIRST_DATABASE_URL": database_url}).invoke(
        main, ["merchant", "create", "--name", "Padaria Sol", "--currency", "eur", "--json"]
    )
    assert result.exit_code == 0, result.output
    created = json.loads(result.stdout)
    assert set(created) == {"merchant_id", "api_key"}
    assert created["api_key"].startswith(f"sk_{created['merchant_id']}_")

    me = client.get("/v1/merchant", headers={"Authorization": f"Bearer {created['api_key']}"})
    assert me.status_code == 200, me.text
    assert me.json()["id"] == created["merchant_id"]
    assert me.json()["currency"] == "EUR"
    forged = created["api_key"][:-4] + "AAAA"
    refused = client.get("/v1/merchant", headers={"Authorization": f"Bearer {forged}"})
    assert refused.status_code == 401


def test_merchant_create_refuses_a_currency_that_is_not_iso_4217(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner(env={"SERVEFIRST_DATABASE_URL": url})
    plain = runner.invoke(main, ["merchant", "create", "--name", "X", "--currency", "EURO"])
    assert plain.exit_code != 0
    assert plain.stdout == ""
    assert "'EURO' is not an ISO 4217 currency code" in plain.stderr

    as_json = runner.invoke(
        main, ["merchant", "create", "--name", "X", "--currency", "EURO", "--json"]
    )
    assert as_json.exit_code != 0
    error = json.loads(as_json.stderr)["error"]
    assert (error["code"], error["param"]) == ("currency_invalid", "currency")


def test_merchant_create_refuses_a_name_longer_than_a_receipt_can_print(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner(env={"SERVEFIRST_DATABASE_URL": url})
    refused = runner.invoke(
        main, ["merchant", "create", "--name", "x" * 201, "--currency", "EUR", "--json"]
    )
    assert refused.exit_code != 0
    error = json.loads(refused.stderr)["error"]
    assert (error["code"], error["param"]) == ("name_too_long", "name")
    assert "at most 200 characters; this has 201" in error["message"]

    kept = runner.invoke(main, ["merchant", "create", "--name", "x" * 200, "--currency", "EUR"])
    assert kept.exit_code == 0, kept.output


def test_staff_create_refuses_a_name_longer_than_the_console_shows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner(env={"SERVEFIRST_DATABASE_URL": url})
    created = runner.invoke(
        main, ["merchant", "create", "--name", "T", "--currency", "EUR", "--json"]
    )
    merchant_id = json.loads(created.stdout)["merchant_id"]

    def create(name: str) -> Any:
        return runner.invoke(
            main,
            ["staff", "create", "--merchant-id", merchant_id, "--email", f"{len(name)}@example.com"]
            + ["--name", name, "--password-stdin", "--json"],
            input="a long enough password\n",
        )

    refused = create("n" * 201)
    assert refused.exit_code != 0
    error = json.loads(refused.stderr)["error"]
    assert (error["code"], error["param"]) == ("name_too_long", "name")
    assert create("n" * 200).exit_code == 0


def _check_demo(runtime: Runtime, client: TestClient, demo: DemoResult) -> None:
    """What the demo promises, read back through the ledger and the API."""
    assert [m.name for m in demo.merchants] == ["Café Azul", "Studio Lume"]
    for merchant in demo.merchants:
        with runtime.uow(merchant.merchant_id, write=False) as uow:
            result = audit(uow)
        assert result.ok, result
        assert result.entries_checked > 5
        headers = {"Authorization": f"Bearer {merchant.api_key}"}
        balances = client.get("/v1/ledger/balances", headers=headers).json()
        assert balances["total"] == 0
        assert balances["currency"] == "EUR"
        paid = demo.paid_tabs[merchant.merchant_id]
        assert len(paid) >= 4
        for tab_id in paid:
            tab = client.get(f"/v1/tabs/{tab_id}", headers=headers).json()
            assert (tab["status"], tab["amount_due"]) == ("paid", 0)
        methods = {
            p["method"]
            for tab_id in paid
            for p in client.get(f"/v1/tabs/{tab_id}/payments", headers=headers).json()["data"]
        }
        assert methods == {"cash", "card"}
        by_account = {a["code"]: a["balance"] for a in balances["accounts"]}
        assert by_account["cash"] > 0 and by_account["card_clearing"] > 0
        assert by_account["tips_payable"] < 0

    cafe = {"Authorization": f"Bearer {demo.merchants[0].api_key}"}
    public = client.get(f"/v1/public/tabs/{demo.open_tab.token}")
    assert public.status_code == 200, public.text
    seen = public.json()
    assert seen["status"] == "open" and seen["merchant_name"] == "Café Azul"
    assert [(line["name"], line["quantity"]) for line in seen["lines"]] == [
        ("Galão", 1),
        ("Pastel de nata", 2),
    ]
    assert seen["total"] == 380 + 2 * 150
    # Portuguese prices carry IVA: 13 % on coffee and pastries, shown per rate.
    assert [(t["percent"], t["net"] + t["tax"]) for t in seen["tax"]] == [("13", 680)]
    assert seen["gross"] == seen["total"]
    tax = client.get("/v1/reports/tax", headers=cafe, params={"from": "2000-01-01"}).json()
    assert tax["tax"] > 0 and tax["tax"] == tax["ledger_tax_payable"]
    assert {row["name"] for row in tax["rates"]} == {"IVA 13%", "IVA 23%"}
    assert "Servido até 5 minutos depois do pedido" in seen["lines"][0]["expected_results"]
    assert "Bebida de aveia +0,40\u00a0€" in seen["lines"][0]["limits"]
    assert demo.tab_link == f"{demo.public_url}/t/{demo.open_tab.token}"

    customers = {
        c["name"]: c["trust"] for c in client.get("/v1/customers", headers=cafe).json()["data"]
    }
    assert customers["Ana Costa"]["tier"] == "trusted"
    assert "1 payment made late" in customers["Bruno Alves"]["factors"]
    flow = client.get("/v1/reports/cash-flow", headers=cafe).json()
    assert flow["adjustments"]["total"] == 300  # Carla's overcooked eggs
    # Diogo's bicas yesterday, and the weeks of trade's debts 10, 35 and 65
    # days old: every age bucket has something to chase.
    assert flow["receivables"]["served_unpaid"] > 2 * 180
    assert all(bucket["tabs"] >= 1 for bucket in flow["receivables"]["by_age"])
    # The last day the café opened: yesterday, unless it was a public holiday.
    today = runtime.clock.now().date()
    last_open = today - timedelta(days=open_days_ago(today, 1, CAFE_OPEN_WEEKDAYS))
    closed = client.get(f"/v1/day-closes/{last_open.isoformat()}", headers=cafe)
    assert closed.status_code == 200, closed.text
    assert closed.json()["takings"]["total"] > 0 and closed.json()["opening_float"] == 5000
    satisfaction = client.get(
        "/v1/reports/satisfaction", headers=cafe, params={"from": "2000-01-01"}
    )
    assert {"Rui Pinto", "Sofia Reis"} <= {s["name"] for s in satisfaction.json()["staff"]}
    events = client.get("/v1/events", headers=cafe, params={"limit": 200}).json()["data"]
    kinds = {e["type"] for e in events}
    assert {"review.created", "concern.raised", "tab.overdue"} <= kinds

    _check_salon_bookings(runtime, client, demo)

    summary = demo.summary()
    for needed in (demo.tab_link, demo.merchants[0].api_key, demo.merchants[1].api_key):
        assert needed in summary
    assert f"curl -s {demo.public_url}/v1/tabs/{demo.open_tab.tab_id}" in summary
    for email, password in demo.staff_logins:
        assert f"{demo.public_url}/staff   {email} / {password}" in summary


def _check_salon_bookings(runtime: Runtime, client: TestClient, demo: DemoResult) -> None:
    """Studio Lume's bookings: every ending of a deposit, today's list, the week ahead."""
    salon = demo.merchants[1]
    headers = {"Authorization": f"Bearer {salon.api_key}"}
    assert demo.bookings[demo.merchants[0].merchant_id] == []  # the café takes no bookings
    made = [
        client.get(f"/v1/bookings/{booking_id}", headers=headers).json()
        for booking_id in demo.bookings[salon.merchant_id]
    ]
    names = {
        c["id"]: c["name"] for c in client.get("/v1/customers", headers=headers).json()["data"]
    }
    story = [
        (names[b["customer_id"]], b["status"], b["deposit"]["status"], b["deposit"]["amount"])
        for b in made
    ]
    assert story == [
        ("Marta Silva", "checked_in", "none", 0),  # standard: no deposit
        ("Beatriz Rocha", "checked_in", "applied", 525),  # new: 15% of 35.00
        ("Tomás Ferreira", "no_show", "forfeited", 525),
        ("Helena Sousa", "cancelled", "refunded", 1275),  # 15% of 85.00, in time
        ("João Pereira", "confirmed", "none", 0),  # trusted: no deposit
        ("Leonor Batista", "confirmed", "held", 525),  # new: held on the sandbox card
        ("Marta Silva", "confirmed", "none", 0),
        ("Rita Lopes", "confirmed", "held", 525),  # her late payment keeps her new
    ]
    missed, called_off = made[2]["deposit"], made[3]["deposit"]
    assert (missed["fee"], missed["refund"]) == (525, 0)
    assert (called_off["fee"], called_off["refund"]) == (0, 1275)
    # Since issue 23 the no-show model decides for trusted customers, and says why.
    assert made[4]["deposit"]["reason"].startswith("No deposit needed: a ")
    assert "visits kept before" in made[4]["deposit"]["reason"]
    assert made[5]["deposit"]["reason"] == "New customer: a small deposit holds the slot."
    now = runtime.clock.now()  # the session's clock: other tests move it forward
    # Today's bookings fall on the salon's first open day from today: today,
    # unless the clock stands on its day off or a holiday (demo.closed_days).
    first_open = now.date() - timedelta(days=open_days_ago(now.date(), 0, OPEN_WEEKDAYS))
    for booking in made[4:6]:
        assert datetime.fromisoformat(booking["starts_at"]).date() == first_open
    for booking in made[6:]:
        starts = datetime.fromisoformat(booking["starts_at"])
        assert not is_closed(starts.date(), OPEN_WEEKDAYS)
        assert timedelta(days=1) < starts - now < timedelta(days=12)
    assert all(b["staff_id"] for b in made)  # each booked with a stylist or the barber

    for booking in made[:2]:  # checked in, served and paid, the deposit counted
        tab = client.get(f"/v1/tabs/{booking['tab_id']}", headers=headers).json()
        assert (tab["status"], tab["amount_due"]) == ("paid", 0)
        assert booking["tab_id"] in demo.paid_tabs[salon.merchant_id]
        assert {line["staff_id"] for line in tab["lines"]} == {booking["staff_id"]}
    balances = client.get("/v1/ledger/balances", headers=headers).json()
    by_account = {a["code"]: a["balance"] for a in balances["accounts"]}
    assert by_account["deposits_held"] == -1050  # Leonor's and Rita's, until they come
    assert by_account["no_show_fees"] == -525  # Tomás's
    assert balances["total"] == 0


def test_demo_tells_its_story_on_the_test_database(runtime: Runtime, client: TestClient) -> None:
    clock = runtime.clock
    demo = build_demo(runtime)
    assert runtime.clock is clock  # the history's frozen clock was put back
    _check_demo(runtime, client, demo)
    _check_online_booking(client, demo)


def _check_online_booking(client: TestClient, demo: DemoResult) -> None:
    """The salon books online: its link is printed and offers times for a haircut
    (a "Corte de cabelo": the Lisbon salon's price list is in Portuguese)."""
    assert demo.booking_slug and demo.booking_slug.startswith("studio-lume")
    assert f"{demo.public_url}/b/{demo.booking_slug}" in demo.summary()
    page = client.get(f"/b/{demo.booking_slug}")
    assert page.status_code == 200 and "Corte de cabelo" in page.text
    service = re.search(r"\?service=(svc_\w+)", page.text)
    assert service, page.text
    times = client.get(f"/b/{demo.booking_slug}", params={"service": service.group(1)})
    assert times.status_code == 200 and 'name="starts_at"' in times.text


def test_demo_staff_login_opens_the_console(runtime: Runtime, app: Any) -> None:
    demo = build_demo(runtime)
    assert len(demo.staff_logins) == 2
    email, password = demo.staff_logins[0]
    assert f"{email} / {password}" in demo.summary()
    with TestClient(app, base_url="https://testserver") as browser:
        form = browser.get("/staff")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token, form.text
        console = browser.post(
            "/staff/sign-in",
            data={"email": email, "password": password, "csrf_token": token.group(1)},
        )
        assert console.status_code == 200, console.text
        assert "Café Azul" in console.text
        assert demo.open_tab.short_code in console.text  # the open tab is on the console


def test_demo_command_makes_a_fresh_sqlite_file_each_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    environment = dict(os.environ)
    runner = CliRunner(env={"SERVEFIRST_DATABASE_URL": None, "SERVEFIRST_PUBLIC_URL": None})
    for _ in range(2):
        result = runner.invoke(main, ["demo", "--no-serve", "--port", "8123"])
        assert result.exit_code == 0, result.output
    assert dict(os.environ) == environment  # the command left the process's settings alone
    db = tmp_path / "servefirst-demo.db"
    assert f"sqlite:///{db}" in result.stdout
    assert "http://127.0.0.1:8123/t/mer_" in result.stdout
    rt = Runtime.create(Settings(database_url=f"sqlite:///{db}"))
    try:
        with rt.uow(write=False) as uow:
            names = sorted(uow.session.scalars(select(MerchantRow.name)))
            customers = uow.session.scalar(select(func.count()).select_from(Customer))
        assert names == ["Café Azul", "Studio Lume"]  # the first run's are gone
        # 13 at the café (6 from its weeks of trade, 3 this morning), 8 at the salon
        # (Inês came on João's referral)
        assert customers == 21
        token = re.search(r"/t/(mer_\S+)", result.stdout)
        assert token is not None
        with TestClient(create_app(rt)) as client:
            seen = client.get(f"/v1/public/tabs/{token.group(1)}")
            assert seen.status_code == 200 and seen.json()["status"] == "open"
    finally:
        rt.dispose()


def _wait_until_healthy(proc: subprocess.Popen[str], base: str, what: str) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else "exited"
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{what} never answered /healthz"
        time.sleep(0.2)


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SERVEFIRST_")}
    env["PYTHONUNBUFFERED"] = "1"
    proc = subprocess.Popen(
        [sys.executable, "-m", "servefirst", "demo", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield port, proc
    finally:
        _stop(proc)


def test_demo_serves_what_it_prints(
    demo_server: tuple[int, subprocess.Popen[str]], tmp_path: Path
) -> None:
    port, proc = demo_server
    base = f"http://127.0.0.1:{port}"
    _wait_until_healthy(proc, base, "the demo server")
    assert (tmp_path / "servefirst-demo.db").exists()

    # Everything printed comes before uvicorn starts serving.
    assert proc.stdout is not None
    printed = ""
    while "Serving on" not in printed:
        line = proc.stdout.readline()
        assert line, f"the demo stopped printing before serving:\n{printed}"
        printed += line
    link = re.search(rf"{re.escape(base)}/t/(\S+)", printed)
    key = re.search(r"Café Azul\s+(sk_\S+)", printed)
    curl = re.search(rf"curl -s ({re.escape(base)}/v1/tabs/\S+)", printed)
    assert link and key and curl, printed

    seen = httpx.get(f"{base}/v1/public/tabs/{link.group(1)}", timeout=10)
    assert seen.status_code == 200, seen.text
    assert seen.json()["status"] == "open"
    assert seen.json()["lines"][0]["expected_results"]
    page = httpx.get(link.group(0), timeout=10)  # what the customer opens
    assert page.status_code == 200 and "Galão" in page.text
    staff_view = httpx.get(
        curl.group(1), headers={"Authorization": f"Bearer {key.group(1)}"}, timeout=10
    )
    assert staff_view.status_code == 200, staff_view.text
    assert staff_view.json()["token"] == link.group(1)


def test_readme_documents_every_route(app: object) -> None:
    """The contract asks for every route in the README; a new one must be added there."""
    readme = README.read_text(encoding="utf-8")
    schema = app.openapi()  # type: ignore[attr-defined]
    missing = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if f"`{method.upper()} {path}`" not in readme
    ]
    assert missing == []


def test_default_database_is_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unset, the database is servefirst.db where the command runs, not where Python started."""
    monkeypatch.delenv("SERVEFIRST_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert load_settings().database_url == f"sqlite:///{tmp_path / 'servefirst.db'}"


def _children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # the field after the state is the parent's pid
            found.append(int(stat.parent.name))
    return found


def _serve_two_workers(database_url: str, port: int) -> subprocess.Popen[str]:
    """``servefirst serve --workers 2`` on ``database_url``, in a clean environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SERVEFIRST_")}
    env |= {"SERVEFIRST_DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "servefirst",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--no-worker",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_serve_with_two_workers_runs_the_loop_across_processes(
    database_url: str, merchant: Any
) -> None:
    """``servefirst serve --workers 2``: two processes on one database, each with
    its own pool; a tab opened through one is paid through the other."""
    port = free_port()
    proc = _serve_two_workers(database_url, port)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(proc, base, "serve --workers 2")
        deadline = time.monotonic() + SERVER_START_SECONDS
        while len(_children_of(proc.pid)) < 2:  # the workers (and multiprocessing's helper)
            assert time.monotonic() < deadline, "no worker processes appeared"
            time.sleep(0.2)

        service = merchant.service(price=450)
        customer = merchant.customer()
        headers = {"Authorization": f"Bearer {merchant.api_key}"}
        # A new connection per request: the kernel spreads them over both workers.
        tab = httpx.post(
            f"{base}/v1/tabs", json={"customer_id": customer["id"]}, headers=headers
        ).json()
        for _ in range(3):
            added = httpx.post(
                f"{base}/v1/tabs/{tab['id']}/lines",
                json={"service_id": service["id"]},
                headers=headers,
            )
            assert added.status_code == 200, added.text
        assert httpx.post(f"{base}/v1/tabs/{tab['id']}/serve", headers=headers).status_code == 200
        paid = httpx.post(
            f"{base}/v1/public/tabs/{tab['token']}/pay",
            json={"method": "card", "card": "4242424242424242"},
        )
        assert paid.status_code == 201, paid.text
        assert paid.json()["amount"] == 3 * 450
        seen = merchant.get(f"/v1/tabs/{tab['id']}").json()
        assert seen["status"] == "paid"
    finally:
        _stop(proc)
    assert proc.returncode is not None


def _clients_by_worker(workers: list[int], port: int) -> dict[int, set[int]]:
    """Each worker's established connections on ``port``, by the client's port
    (from /proc: the worker's socket inodes, matched in /proc/net/tcp)."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    by_inode = {}
    for row in rows:
        fields = row.split()
        local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
        if state == "01" and int(local.split(":")[1], 16) == port:  # 01: ESTABLISHED
            by_inode[inode] = int(remote.split(":")[1], 16)
    found: dict[int, set[int]] = {}
    for pid in workers:
        inodes = set()
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
        found[pid] = {by_inode[i] for i in inodes if i in by_inode}
    return found


def test_serve_with_two_workers_evens_out_keep_alive_connections(database_url: str) -> None:
    """Six of eight keep-alive connections land on one worker (made so here, as
    the kernel's hash does three times in four): within seconds of requests
    the split is four and four, by ``Connection: close`` from the crowded one."""
    port = free_port()
    proc = _serve_two_workers(database_url, port)
    clients: list[http.client.HTTPConnection] = []

    def ask(client: http.client.HTTPConnection) -> http.client.HTTPResponse:
        client.request("GET", "/healthz")  # reconnects if the server closed it
        response = client.getresponse()
        response.read()
        assert response.status == 200
        return response

    def worker_of(client: http.client.HTTPConnection) -> int:
        """The worker holding this client's connection (/proc settles in a moment)."""
        deadline = time.monotonic() + 5
        while client.sock is None:  # closed after its last answer: open it again
            # (the reopened one may be closed at once too, moved off a crowded worker)
            assert time.monotonic() < deadline, "every new connection was closed at once"
            ask(client)
        local_port = client.sock.getsockname()[1]  # type: ignore[union-attr]
        deadline = time.monotonic() + 5
        while True:
            holders = [
                p for p, ports in _clients_by_worker(workers, port).items() if local_port in ports
            ]
            if holders:
                return holders[0]
            assert time.monotonic() < deadline, f"no worker holds the connection from {local_port}"
            time.sleep(0.01)

    def split() -> list[int]:
        held = [worker_of(client) for client in clients]
        return sorted(held.count(pid) for pid in workers)

    try:
        _wait_until_healthy(proc, f"http://127.0.0.1:{port}", "serve --workers 2")
        deadline = time.monotonic() + SERVER_START_SECONDS
        while len(workers := [p for p in _children_of(proc.pid) if _listens(p, port)]) < 2:
            assert time.monotonic() < deadline, "two workers never listened"
            time.sleep(0.2)
        deadline = time.monotonic() + 30
        crowded, quiet = workers
        wanted = {crowded: 6, quiet: 2}
        held = {crowded: 0, quiet: 0}
        while held != wanted:  # keep connections until six are on one worker, two on the other
            assert time.monotonic() < deadline, f"could not make a 6/2 split: {held}"
            client = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            ask(client)
            landed = worker_of(client)
            if held[landed] < wanted[landed]:
                clients.append(client)
                held[landed] += 1
            else:
                client.close()
        assert split() == [2, 6]

        closed = 0
        deadline = time.monotonic() + 15
        while split() != [4, 4]:
            assert time.monotonic() < deadline, f"still {split()} after {closed} closes"
            for client in clients:
                closed += ask(client).getheader("connection", "") == "close"
        assert closed >= 2  # two moved at least
    finally:
        for client in clients:
            client.close()
        _stop(proc)


def _listens(pid: int, port: int) -> bool:
    """Whether ``pid`` holds a socket listening on ``port`` (a worker, not the
    multiprocessing helper)."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    listening = {
        row.split()[9]
        for row in rows
        if row.split()[3] == "0A" and int(row.split()[1].split(":")[1], 16) == port
    }
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(fd)[len("socket:[") : -1] in listening:
                return True
        except OSError:
            continue
    return False


def test_serve_refuses_zero_workers() -> None:
    result = CliRunner().invoke(main, ["serve", "--workers", "0"])
    assert result.exit_code == 2
    assert "--workers" in result.output


@pytest.mark.parametrize("command", ["serve", "demo"])
@pytest.mark.parametrize("port", ["99999", "-1"])  # not 0: before the fix it served, and hung
def test_a_port_no_server_can_listen_on_is_refused_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, port: str
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"SERVEFIRST_DATABASE_URL": None, "SERVEFIRST_PUBLIC_URL": None})
    result = runner.invoke(main, [command, "--port", port])
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--port'" in result.output
    assert "1<=x<=65535" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert list(tmp_path.iterdir()) == []  # no database made


@pytest.mark.parametrize("holder_shares_its_port", [False, True])
def test_serve_with_workers_says_so_when_the_port_is_taken(
    database_url: str, holder_shares_its_port: bool
) -> None:
    with socket.socket() as taken:
        if holder_shares_its_port:  # as another `serve --workers` does
            taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("SERVEFIRST_")}
        env["SERVEFIRST_DATABASE_URL"] = database_url
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "servefirst",
                "serve",
                "--port",
                str(port),
                "--workers",
                "2",
                "--no-worker",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert run.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in run.stderr
    assert "Traceback" not in run.stderr


def test_serve_workers_stop_when_their_parent_is_killed(database_url: str) -> None:
    """A parent killed outright (SIGKILL, no chance to stop them) must not leave
    workers serving on the port."""
    port = free_port()
    proc = _serve_two_workers(database_url, port)
    try:
        _wait_until_healthy(proc, f"http://127.0.0.1:{port}", "serve --workers 2")
        workers = _children_of(proc.pid)
        assert workers
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 15
    while any(Path(f"/proc/{pid}").exists() for pid in workers):
        assert time.monotonic() < deadline, "workers outlived their parent"
        time.sleep(0.2)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)


def test_demo_on_a_taken_port_says_what_to_do_before_writing_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    earlier = tmp_path / "servefirst-demo.db"
    earlier.write_bytes(b"an earlier demo")  # a run's database is kept, not replaced
    runner = CliRunner(env={"SERVEFIRST_DATABASE_URL": None, "SERVEFIRST_PUBLIC_URL": None})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(main, ["demo", "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert f"--port {port + 1}" in result.output
    assert "sk_mer_" not in result.output and "ines@" not in result.output  # no credentials
    assert sorted(p.name for p in tmp_path.iterdir()) == ["servefirst-demo.db"]
    assert earlier.read_bytes() == b"an earlier demo"


def test_serve_on_a_taken_port_says_what_to_do_before_migrating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"SERVEFIRST_DATABASE_URL": None, "SERVEFIRST_PUBLIC_URL": None})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert "--port" in result.output
    assert list(tmp_path.iterdir()) == []  # no servefirst.db made


def test_ledger_audit_checks_one_merchant_or_refuses_an_unknown_one(tmp_path: Path) -> None:
    runner = CliRunner(env={"SERVEFIRST_DATABASE_URL": f"sqlite:///{tmp_path / 'audit.db'}"})
    create = ["merchant", "create", "--currency", "eur", "--json", "--name"]
    made = [runner.invoke(main, [*create, name]) for name in ("Ana", "Bia")]
    assert all(m.exit_code == 0 for m in made), [m.output for m in made]
    first = json.loads(made[0].stdout)["merchant_id"]
    one = runner.invoke(main, ["ledger", "audit", "--merchant-id", first])
    assert one.exit_code == 0, one.output
    assert one.stdout.startswith(f"{first}: ") and len(one.stdout.splitlines()) == 1
    unknown = runner.invoke(main, ["ledger", "audit", "--merchant-id", "mer_nobody"])
    assert unknown.exit_code == 2 and "No such merchant" in unknown.output

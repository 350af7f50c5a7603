"""Messages under load: 8 clients run lifecycles over HTTP against
``servefirst serve`` with its delivery worker in-process, every customer has an
e-mail address, and a local SMTP server (aiosmtpd) takes the receipts.

Two figures: the API's per-route p99 while the worker delivers beside it, and
the time from a payment's answer (the client has it) to its receipt accepted
by the SMTP server, matched by the tab link in the receipt.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import aiohttp
from aiosmtpd.controller import Controller
from sqlalchemy import text

from bench.databases import fresh_database
from bench.http_load import ROUTES, RequestFailed, _call
from bench.results import Results
from bench.server import Server, free_port
from bench.settle import TEST_CARD, Shop, make_runtime, open_shops
from bench.stats import percentile

if TYPE_CHECKING:
    import argparse

    from bench.ui import Ui

TAB_LINK = re.compile(rb"/t/([A-Za-z0-9_.-]+)/receipt")


class _Sink:
    def __init__(self) -> None:
        self.accepted: dict[str, float] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        now = time.time()
        mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = mail.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
        found = TAB_LINK.search(body.get_content().encode()) if body else None
        if found:
            with self.lock:
                self.accepted.setdefault(found.group(1).decode(), now)
        return "250 OK"

    def wait_for(self, paid: dict[str, float], seconds: float = 30) -> None:
        """Until every paid tab's receipt has come, or ``seconds`` (after the load)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                if all(token in self.accepted for token in paid):
                    return
            time.sleep(0.1)

    def waits_ms(self, paid: dict[str, float]) -> tuple[list[float], int]:
        """Each receipt's wait from its payment's answer, and how many never came."""
        with self.lock:
            waits = [1000 * (self.accepted[t] - at) for t, at in paid.items() if t in self.accepted]
            return waits, sum(1 for t in paid if t not in self.accepted)


def shops_on_email(url: str, count: int) -> list[Shop]:
    """``count`` shops whose customers all take e-mail."""
    runtime = make_runtime(url)
    try:
        shops = open_shops(runtime, count)
        with runtime.engine.begin() as conn:
            conn.execute(text("UPDATE customers SET email = customer_id || '@example.com'"))
    finally:
        runtime.dispose()
    return shops


@contextmanager
def serving_with_receipts(url: str) -> Iterator[tuple[Server, _Sink]]:
    """``servefirst serve`` with its delivery worker, sending to a local aiosmtpd."""
    sink = _Sink()
    port = free_port()
    smtp = Controller(sink, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        env = {"SERVEFIRST_SMTP_URL": f"smtp://127.0.0.1:{port}"}
        with Server(url, deliver=True, env=env) as server:
            yield server, sink
    finally:
        smtp.stop()


@dataclass
class MessagesResult:
    lifecycles: int
    seconds: float
    errors: int
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    receipt_ms: list[float] = field(default_factory=list)
    missing: int = 0
    #: The server's CPU (worker included) from the load's start until the last
    #: receipt was taken, per lifecycle: each lifecycle is one receipt.
    server_cpu_seconds: float | None = None
    #: Each receipt's wait split at the worker's two steps (``receipt_stages``).
    planning_ms: list[float] = field(default_factory=list)
    sending_ms: list[float] = field(default_factory=list)

    def server_cpu_ms_each(self) -> float | None:
        if self.server_cpu_seconds is None or not self.lifecycles:
            return None
        return 1000 * self.server_cpu_seconds / self.lifecycles

    def worst_p99(self) -> float:
        return max(percentile(v, 99) for v in self.latencies_ms.values())


async def _lifecycle(
    client: aiohttp.ClientSession,
    shop: Shop,
    latencies: dict[str, list[float]],
    paid: dict[str, float],
) -> None:
    auth = {"Authorization": f"Bearer {shop.api_key}"}
    tab = await _call(
        client, latencies, ROUTES[0], "/v1/tabs", {"customer_id": shop.customer_id}, 201, auth
    )
    for service_id in shop.service_ids:
        await _call(
            client,
            latencies,
            ROUTES[1],
            f"/v1/tabs/{tab['id']}/lines",
            {"service_id": service_id, "quantity": 1},
            200,
            auth,
        )
    await _call(client, latencies, ROUTES[2], f"/v1/tabs/{tab['id']}/serve", None, 200, auth)
    answer = await _call(
        client,
        latencies,
        ROUTES[3],
        f"/v1/public/tabs/{tab['token']}/pay",
        {"method": "card", "card": TEST_CARD},
        201,
    )
    paid[tab["token"]] = time.time()
    if answer.get("status") != "succeeded":
        raise RequestFailed(f"payment did not succeed: {answer}")


async def _load(
    base_url: str, shops: list[Shop], seconds: float
) -> tuple[int, float, int, dict[str, list[float]], dict[str, float]]:
    latencies: dict[str, list[float]] = defaultdict(list)
    paid: dict[str, float] = {}
    done = errors = 0
    connector = aiohttp.TCPConnector(limit=len(shops))
    async with aiohttp.ClientSession(
        base_url, connector=connector, timeout=aiohttp.ClientTimeout(total=30)
    ) as client:
        await asyncio.gather(*(_lifecycle(client, s, defaultdict(list), {}) for s in shops))
        began = time.perf_counter()
        deadline = began + seconds

        async def run(shop: Shop) -> None:
            nonlocal done, errors
            while time.perf_counter() < deadline:
                try:
                    await _lifecycle(client, shop, latencies, paid)
                    done += 1
                except (RequestFailed, aiohttp.ClientError, TimeoutError):
                    errors += 1

        await asyncio.gather(*(run(shop) for shop in shops))
        elapsed = time.perf_counter() - began
    return done, elapsed, errors, dict(latencies), paid


def messages_rate(url: str, clients: int, seconds: float) -> MessagesResult:
    shops = shops_on_email(url, clients)
    with serving_with_receipts(url) as (server, sink):
        cpu_before = server.cpu_seconds()
        done, elapsed, errors, latencies, paid = asyncio.run(_load(server.base_url, shops, seconds))
        sink.wait_for(paid)
        cpu = server.cpu_seconds() - cpu_before
    waits, missing = sink.waits_ms(paid)
    planning, sending = receipt_stages(url)
    return MessagesResult(done, elapsed, errors, latencies, waits, missing, cpu, planning, sending)


def receipt_stages(url: str) -> tuple[list[float], list[float]]:
    """Each receipt's wait in ms, split where the worker's steps meet: from
    the ``tab.paid`` event to its planning (the event's ``delivered_at``),
    and from there to the message's ``sent_at``. Which of the two grows under
    load says whether the worker falls behind reading the outbox or sending."""
    runtime = make_runtime(url)
    try:
        with runtime.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT e.created_at, e.delivered_at, m.sent_at FROM messages m"
                    " JOIN events e ON e.merchant_id = m.merchant_id AND e.event_id = m.event_id"
                    " WHERE e.type = 'tab.paid' AND m.sent_at IS NOT NULL"
                )
            ).all()
    finally:
        runtime.dispose()
    moments = [[_moment(value) for value in row] for row in rows]
    planning = [1000 * (planned - made).total_seconds() for made, planned, _ in moments]
    sending = [1000 * (sent - planned).total_seconds() for _, planned, sent in moments]
    return planning, sending


def _moment(value: Any) -> datetime:
    # SQLite hands back the stored text; PostgreSQL a datetime.
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def section(engine: str, args: argparse.Namespace, results: Results, ui: Ui) -> None:
    with fresh_database(engine, "messages", args.pg_url) as db:
        found = messages_rate(db.url, args.clients, args.seconds)
    receipt_p99 = percentile(found.receipt_ms, 99)
    ui.log(f"API worst p99 {found.worst_p99():.1f} ms, payment to receipt p99 {receipt_p99:.0f} ms")
    detail = f"{found.lifecycles} lifecycles in {found.seconds:.1f} s, {args.clients} clients" + (
        f", {found.errors} errors" if found.errors else ""
    )
    results.add(
        "messages",
        f"{engine}: API worst route p99, worker in-process",
        found.worst_p99(),
        "ms",
        detail,
    )
    results.add(
        "messages",
        f"{engine}: payment to receipt accepted by SMTP, p50",
        percentile(found.receipt_ms, 50),
        "ms",
        f"{len(found.receipt_ms)} receipts, {found.missing} not arrived within 30 s after the load",
    )
    results.add(
        "messages", f"{engine}: payment to receipt accepted by SMTP, p99", receipt_p99, "ms"
    )
    for stage, waits in (
        ("payment event to planned", found.planning_ms),
        ("planned to sent", found.sending_ms),
    ):
        results.add(
            "messages",
            f"{engine}: receipt wait, {stage}, p50",
            percentile(waits, 50),
            "ms",
            f"p99 {percentile(waits, 99):,.0f} ms; from the rows' own times (`receipt_stages`)",
        )
    cpu = found.server_cpu_ms_each()
    if cpu is not None:
        results.add(
            "messages",
            f"{engine}: server CPU a lifecycle with its receipt",
            cpu,
            "ms",
            "user and system time of the server's processes, /proc: little moved by other load",
        )

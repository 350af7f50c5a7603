"""Card payments with a slow processor beside staff at the till.

The sandbox takes ``SERVEFIRST_SANDBOX_LATENCY_MS`` (300 ms, a real
processor's round trip) for each charge. 8 payer clients each loop open, one
line, serve, card payment on tabs of their own, while 8 staff clients loop
open, two lines, serve, cash payment, all against ``servefirst serve``. With
the processor called outside any transaction and off the event loop
(``payments.phases``), the staff's requests never wait on it: their worst
route p99 is held to 50 ms, and card payments a second to half of what 8
payers could do if the processor were the only wait (8 / 0.3 s).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import aiohttp

from bench.databases import fresh_database
from bench.http_load import RequestFailed, _call, server_workers
from bench.results import Results
from bench.server import Server
from bench.settle import TEST_CARD, Shop, make_runtime, open_shops
from bench.stats import percentile

if TYPE_CHECKING:
    import argparse

    from bench.ui import Ui

LATENCY_MS = 300
PAYERS = STAFF = 8


@dataclass
class PhasesResult:
    seconds: float
    card_payments: int
    staff_lifecycles: int
    errors: int
    first_error: str = ""
    staff_ms: dict[str, list[float]] = field(default_factory=dict)
    card_ms: list[float] = field(default_factory=list)

    @property
    def card_per_second(self) -> float:
        return self.card_payments / self.seconds if self.seconds > 0 else 0.0

    def staff_worst_p99(self) -> float:
        return max((percentile(v, 99) for v in self.staff_ms.values()), default=0.0)


async def _lifecycle(
    client: aiohttp.ClientSession,
    shop: Shop,
    latencies: dict[str, list[float]],
    *,
    lines: int,
    payment: dict[str, object],
) -> None:
    auth = {"Authorization": f"Bearer {shop.api_key}"}
    tab = await _call(
        client, latencies, "POST /v1/tabs", "/v1/tabs", {"customer_id": shop.customer_id}, 201, auth
    )
    for service_id in shop.service_ids[:lines]:
        await _call(
            client,
            latencies,
            "POST /v1/tabs/{id}/lines",
            f"/v1/tabs/{tab['id']}/lines",
            {"service_id": service_id, "quantity": 1},
            200,
            auth,
        )
    await _call(
        client,
        latencies,
        "POST /v1/tabs/{id}/serve",
        f"/v1/tabs/{tab['id']}/serve",
        None,
        200,
        auth,
    )
    paid = await _call(
        client,
        latencies,
        f"POST /v1/tabs/{{id}}/payments ({payment['method']})",
        f"/v1/tabs/{tab['id']}/payments",
        payment,
        201,
        auth,
    )
    if paid.get("status") != "succeeded":
        raise RequestFailed(f"payment did not succeed: {paid}")


async def _load(
    base_url: str, payers: list[Shop], staff: list[Shop], seconds: float
) -> PhasesResult:
    card = {"method": "card", "card": TEST_CARD}
    cash = {"method": "cash"}
    staff_ms: dict[str, list[float]] = defaultdict(list)
    payer_ms: dict[str, list[float]] = defaultdict(list)
    counts = {"card": 0, "staff": 0}
    errors: list[str] = []
    connector = aiohttp.TCPConnector(limit=len(payers) + len(staff))
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(base_url, connector=connector, timeout=timeout) as client:
        warm: dict[str, list[float]] = defaultdict(list)  # one untimed round each
        await asyncio.gather(
            *(_lifecycle(client, s, warm, lines=1, payment=card) for s in payers),
            *(_lifecycle(client, s, warm, lines=2, payment=cash) for s in staff),
        )
        began = time.perf_counter()
        deadline = began + seconds

        async def run(shop: Shop, kind: str) -> None:
            while time.perf_counter() < deadline:
                try:
                    if kind == "card":
                        await _lifecycle(client, shop, payer_ms, lines=1, payment=card)
                    else:
                        await _lifecycle(client, shop, staff_ms, lines=2, payment=cash)
                    counts[kind] += 1
                except (RequestFailed, aiohttp.ClientError, TimeoutError) as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")

        await asyncio.gather(*(run(s, "card") for s in payers), *(run(s, "staff") for s in staff))
        elapsed = time.perf_counter() - began
    card_route = "POST /v1/tabs/{id}/payments (card)"
    return PhasesResult(
        elapsed,
        counts["card"],
        counts["staff"],
        len(errors),
        errors[0] if errors else "",
        dict(staff_ms),
        payer_ms.get(card_route, []),
    )


def phases_rate(
    url: str,
    seconds: float,
    *,
    payers: int = PAYERS,
    staff: int = STAFF,
    latency_ms: int = LATENCY_MS,
) -> PhasesResult:
    runtime = make_runtime(url)
    try:
        shops = open_shops(runtime, payers + staff)
    finally:
        runtime.dispose()
    env = {"SERVEFIRST_SANDBOX_LATENCY_MS": str(latency_ms)}
    with Server(url, workers=server_workers(url), env=env) as server:
        return asyncio.run(_load(server.base_url, shops[:payers], shops[payers:], seconds))


def section(engine: str, args: argparse.Namespace, results: Results, ui: Ui) -> None:
    with fresh_database(engine, "phases", args.pg_url) as db:
        found = phases_rate(db.url, args.seconds)
    worst = found.staff_worst_p99()
    ui.log(
        f"staff worst p99 {worst:.1f} ms, {found.card_per_second:.1f} card payments/s"
        f" with a {LATENCY_MS} ms processor"
    )
    detail = (
        f"{found.staff_lifecycles} staff lifecycles, {found.card_payments} card payments"
        f" in {found.seconds:.1f} s; {STAFF} staff and {PAYERS} payer clients"
        + (f", {found.errors} errors (first: {found.first_error[:120]})" if found.errors else "")
    )
    results.add("phases", f"{engine}: staff worst route p99, processor slow", worst, "ms", detail)
    results.add(
        "phases",
        f"{engine}: card payments/s, processor {LATENCY_MS} ms",
        found.card_per_second,
        "/s",
        f"card payment p50 {percentile(found.card_ms, 50):.0f} ms,"
        f" p99 {percentile(found.card_ms, 99):.0f} ms",
    )


def judge(results: Results, engine: str) -> None:
    worst = results.figure("phases", f"{engine}: staff worst route p99, processor slow")
    rate = results.figure("phases", f"{engine}: card payments/s, processor {LATENCY_MS} ms")
    if worst is not None:
        results.check(
            f"{engine}: staff p99 beside slow card payments (ms)", worst, "< 50", worst < 50
        )
    if rate is not None:
        target = PAYERS / (LATENCY_MS / 1000) / 2
        results.check(
            f"{engine}: card payments/s with a {LATENCY_MS} ms processor",
            rate,
            f">= {target:.1f}",
            rate >= target,
        )

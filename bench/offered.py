"""Messages at an offered load: lifecycles arrive at a fixed rate (an open loop).

The ``messages`` section's eight clients each start their next lifecycle the
moment the last one is answered, so the server is always saturated and a
request's latency is the queue in front of it: any CPU the delivery worker
spends beside the requests lengthens every wait. A shop's real load arrives
on its own schedule. Here lifecycles start at ``--rate`` a second on average
(Poisson arrivals, each on a customer of its own), with the worker in the
server and every customer on e-mail, and the figures are the same: the API's
worst route p99, and payment to receipt accepted by a local aiosmtpd. Run it
at rates below the server's capacity (the ``http`` section's lifecycles a
second) to see latency as a shop sees it.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import aiohttp

from bench.databases import fresh_database
from bench.http_load import RequestFailed
from bench.messages import _lifecycle, serving_with_receipts, shops_on_email
from bench.settle import Shop
from bench.stats import percentile

if TYPE_CHECKING:
    import argparse

    from bench.results import Results
    from bench.ui import Ui

#: Customers to start lifecycles on: one customer has one lifecycle at a time.
CUSTOMERS = 80


@dataclass
class Offered:
    rate: float
    seconds: float
    done: int = 0
    errors: int = 0
    #: Arrivals that found every customer busy (the server fell behind).
    turned_away: int = 0
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    receipt_ms: list[float] = field(default_factory=list)
    #: Receipts not come within 30 s after the load.
    missing: int = 0
    server_cpu_seconds: float = 0.0

    def worst_p99(self) -> float:
        return max(percentile(v, 99) for v in self.latencies_ms.values())


async def _arrivals(base_url: str, shops: list[Shop], found: Offered) -> dict[str, float]:
    latencies: dict[str, list[float]] = defaultdict(list)
    paid: dict[str, float] = {}
    idle = list(shops)
    connector = aiohttp.TCPConnector(limit=len(shops))
    async with aiohttp.ClientSession(
        base_url, connector=connector, timeout=aiohttp.ClientTimeout(total=30)
    ) as client:

        async def one(shop: Shop) -> None:
            try:
                await _lifecycle(client, shop, latencies, paid)
                found.done += 1
            except (RequestFailed, aiohttp.ClientError, TimeoutError):
                found.errors += 1
            finally:
                idle.append(shop)

        # Warm the server's caches, unmeasured.
        await asyncio.gather(*(_lifecycle(client, s, defaultdict(list), {}) for s in shops[:4]))
        paid.clear()
        arrivals = random.Random(7)  # the same schedule for every run
        started: list[asyncio.Task[None]] = []
        end = time.perf_counter() + found.seconds
        due = time.perf_counter()
        while due < end:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            if idle:
                started.append(asyncio.create_task(one(idle.pop())))
            else:
                found.turned_away += 1
            due += arrivals.expovariate(found.rate)
        await asyncio.gather(*started)
    found.latencies_ms = dict(latencies)
    return paid


def offered_load(url: str, rate: float, seconds: float, *, customers: int = CUSTOMERS) -> Offered:
    shops = shops_on_email(url, customers)
    found = Offered(rate, seconds)
    with serving_with_receipts(url) as (server, sink):
        cpu_before = server.cpu_seconds()
        paid = asyncio.run(_arrivals(server.base_url, shops, found))
        sink.wait_for(paid)
        found.server_cpu_seconds = server.cpu_seconds() - cpu_before
    found.receipt_ms, found.missing = sink.waits_ms(paid)
    return found


def section(engine: str, args: argparse.Namespace, results: Results, ui: Ui) -> None:
    with fresh_database(engine, "offered", args.pg_url) as db:
        found = offered_load(db.url, args.rate, args.seconds)
    label = f"{engine}, {args.rate:g} lifecycles/s offered"
    ui.log(f"{label}: API worst p99 {found.worst_p99():.1f} ms")
    results.add(
        "offered",
        f"{label}: API worst route p99, worker in-process",
        found.worst_p99(),
        "ms",
        f"{found.done} lifecycles in {found.seconds:.0f} s, {found.errors} errors, "
        f"{found.turned_away} arrivals found every customer busy",
    )
    results.add(
        "offered",
        f"{label}: payment to receipt accepted by SMTP, p99",
        percentile(found.receipt_ms, 99),
        "ms",
        f"{len(found.receipt_ms)} receipts, {found.missing} not come within 30 s after the load",
    )
    results.add(
        "offered",
        f"{label}: server CPU a lifecycle with its receipt",
        1000 * found.server_cpu_seconds / max(found.done, 1),
        "ms",
    )

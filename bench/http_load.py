"""Over HTTP: the same lifecycle through the API against ``servefirst serve``.

A bounded load generator (aiohttp): a fixed number of concurrent clients,
each its own merchant and customer, each running whole lifecycles one request
at a time until the time or the lifecycle budget runs out. Latency is timed per
route from send to full response. The generator shares the machine's cores
with the server, as any single-machine load test does, so it should take as
little of them as it can: httpx took 1.6 ms of CPU per request here (a quarter
of a core at this load), aiohttp about a third of that.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field

import aiohttp

from bench.server import Server
from bench.settle import TEST_CARD, Shop, make_runtime, open_shops
from bench.stats import percentile

ROUTES = (
    "POST /v1/tabs",
    "POST /v1/tabs/{id}/lines",
    "POST /v1/tabs/{id}/serve",
    "POST /v1/public/tabs/{token}/pay",
)


@dataclass
class HttpResult:
    lifecycles: int
    seconds: float
    errors: int
    first_error: str
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    peak_rss_kib: int | None = None
    idle_rss_kib: int | None = None
    workers: int = 1
    #: CPU seconds the server's processes used while the load ran.
    server_cpu_seconds: float | None = None

    @property
    def per_second(self) -> float:
        return self.lifecycles / self.seconds if self.seconds > 0 else 0.0

    def p(self, route: str, pct: float) -> float:
        return percentile(self.latencies_ms.get(route, []), pct)

    def server_cpu_ms_each(self) -> float | None:
        """The server's CPU a lifecycle took, in milliseconds."""
        if self.server_cpu_seconds is None or not self.lifecycles:
            return None
        return 1000 * self.server_cpu_seconds / self.lifecycles

    def worst_p99(self) -> float:
        return max(self.p(route, 99) for route in self.latencies_ms) if self.latencies_ms else 0.0


class RequestFailed(RuntimeError):
    pass


async def _call(
    client: aiohttp.ClientSession,
    latencies: dict[str, list[float]],
    route: str,
    path: str,
    body: dict[str, object] | None,
    expect: int,
    headers: dict[str, str] | None = None,
) -> dict[str, object]:
    began = time.perf_counter()
    async with client.post(path, json=body, headers=headers) as response:
        payload = await response.read()
    latencies[route].append((time.perf_counter() - began) * 1000)
    if response.status != expect:
        raise RequestFailed(f"{route} answered {response.status}: {payload[:200]!r}")
    result: dict[str, object] = json.loads(payload)
    return result


async def lifecycle_over_http(
    client: aiohttp.ClientSession, shop: Shop, latencies: dict[str, list[float]]
) -> None:
    auth = {"Authorization": f"Bearer {shop.api_key}"}
    tab = await _call(
        client, latencies, ROUTES[0], "/v1/tabs", {"customer_id": shop.customer_id}, 201, auth
    )
    tab_id, token = tab["id"], tab["token"]
    for service_id in shop.service_ids:
        await _call(
            client,
            latencies,
            ROUTES[1],
            f"/v1/tabs/{tab_id}/lines",
            {"service_id": service_id, "quantity": 1},
            200,
            auth,
        )
    await _call(client, latencies, ROUTES[2], f"/v1/tabs/{tab_id}/serve", None, 200, auth)
    paid = await _call(
        client,
        latencies,
        ROUTES[3],
        f"/v1/public/tabs/{token}/pay",
        {"method": "card", "card": TEST_CARD},
        201,
    )
    if paid.get("status") != "succeeded":
        raise RequestFailed(f"payment did not succeed: {paid}")


async def _load(
    base_url: str, shops: list[Shop], seconds: float, max_lifecycles: int
) -> HttpResult:
    latencies: dict[str, list[float]] = defaultdict(list)
    done = 0
    started = 0
    errors: list[str] = []
    # One keep-alive connection per client, as a till would hold.
    connector = aiohttp.TCPConnector(limit=len(shops))
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(base_url, connector=connector, timeout=timeout) as client:
        # One lifecycle per client first, untimed: connections and caches warm up.
        await asyncio.gather(*(lifecycle_over_http(client, s, defaultdict(list)) for s in shops))
        began = time.perf_counter()
        deadline = began + seconds

        async def run(shop: Shop) -> None:
            nonlocal done, started
            while time.perf_counter() < deadline and started < max_lifecycles:
                started += 1
                try:
                    await lifecycle_over_http(client, shop, latencies)
                    done += 1
                except (RequestFailed, aiohttp.ClientError, TimeoutError) as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")

        await asyncio.gather(*(run(shop) for shop in shops))
        elapsed = time.perf_counter() - began
    if errors and not done:
        raise RuntimeError(f"every lifecycle failed over HTTP; first: {errors[0]}")
    return HttpResult(done, elapsed, len(errors), errors[0] if errors else "", dict(latencies))


def server_workers(url: str) -> int:
    """One process per core on PostgreSQL; one on SQLite. There two workers
    (sharing one writer turn) settle about a fifth more tabs a second, but with
    the load generator on the same two cores the turn's holder is sometimes
    descheduled and the p99 is no better: the figure here is the lower p99."""
    return 1 if url.startswith("sqlite") else (os.cpu_count() or 1)


def http_rate(
    url: str,
    clients: int,
    seconds: float,
    *,
    max_lifecycles: int = 100_000,
    workers: int | None = None,
) -> HttpResult:
    """Lifecycles per second and per-route latency against a fresh server on ``url``."""
    runtime = make_runtime(url)
    try:
        shops = open_shops(runtime, clients)
    finally:
        runtime.dispose()
    workers = workers or server_workers(url)
    with Server(url, workers=workers) as server:
        idle = server.rss_kib()
        cpu_before = server.cpu_seconds()
        result = asyncio.run(_load(server.base_url, shops, seconds, max_lifecycles))
        result.server_cpu_seconds = server.cpu_seconds() - cpu_before
        result.peak_rss_kib = server.peak_rss_kib()
        result.idle_rss_kib = idle
        result.workers = workers
    return result

"""Online booking's availability over HTTP, on a busy salon (issue 26).

A salon with 10 stylists, each working Monday to Saturday 09:00-13:00 and
14:00-19:00 (Europe/Lisbon), one 45-minute service with a 15-minute buffer,
and 2,000 bookings spread at random over the next 60 days (about a third of
the hours taken). 8 clients, each on its own keep-alive connection, ask
``GET /v1/public/merchants/{slug}/availability`` for "anyone" over a window
starting on a random day of those 60, one request after another, against
``servefirst serve``; latency is timed from send to full response. The
target: p99 under 50 ms for the 14-day window (the route's longest); the
7-day window (the booking page's week) is measured beside it.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import aiohttp

from bench.databases import fresh_database
from bench.http_load import server_workers
from bench.results import Results
from bench.server import Server
from bench.settle import make_runtime
from bench.stats import percentile
from servefirst.availability.service import set_hours
from servefirst.bookings import service as bookings
from servefirst.catalog.service import create_service
from servefirst.customers.service import create_customer
from servefirst.merchants.service import create_merchant, update_merchant
from servefirst.runtime import Runtime
from servefirst.staff.service import create_member

if TYPE_CHECKING:
    import argparse

    from bench.ui import Ui

STAFF = 10
BOOKINGS = 2000
DAYS_AHEAD = 60
CLIENTS = 8
WINDOWS = (14, 7)
ZONE = ZoneInfo("Europe/Lisbon")
#: The hours a booking may start at: 45 minutes and a 15-minute buffer fit
#: before 13:00 and 19:00.
STARTS = (9, 10, 11, 12, 14, 15, 16, 17, 18)
WORKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat")
WEEK = {day: [["09:00", "13:00"], ["14:00", "19:00"]] for day in WORKDAYS}


@dataclass
class Salon:
    slug: str
    service_id: str
    today: date


@dataclass
class AvailabilityResult:
    seconds: float
    errors: int
    first_error: str = ""
    latencies_ms: dict[int, list[float]] = field(default_factory=dict)
    slots: dict[int, list[int]] = field(default_factory=dict)
    #: CPU seconds the server's processes used per window, while its load ran.
    server_cpu: dict[int, float] = field(default_factory=dict)

    def p(self, days: int, pct: float) -> float:
        return percentile(self.latencies_ms.get(days, []), pct)


def busy_salon(runtime: Runtime, *, seed: int = 26, bookings_made: int = BOOKINGS) -> Salon:
    """The salon, its stylists' hours and 2,000 bookings, through the use cases."""
    rng = random.Random(seed)
    with runtime.uow() as uow:
        created = create_merchant(uow, name="Bench salon", currency="EUR")
        uow.merchant_id = created.merchant.merchant_id
        slug = f"bench-salon-{created.merchant.merchant_id.lower().replace('_', '-')}"
        update_merchant(uow, slug=slug, timezone="Europe/Lisbon")
        bookings.set_deposit_policy(uow, {"required_for": []})
        service = create_service(
            uow,
            name="Cut and blow-dry",
            price=4000,
            duration_minutes=45,
            buffer_minutes=15,
            expected_results=["A cut and blow-dry"],
            limits=["No colour"],
        )[0]
        staff = [create_member(uow, name=f"Stylist {n}").staff_id for n in range(STAFF)]
        for staff_id in staff:
            set_hours(uow, staff_id, weekly=WEEK, exceptions=[], services=[service.service_id])
        customers = [create_customer(uow, name=f"Guest {n}").customer_id for n in range(200)]
        uow.commit()
    merchant_id = created.merchant.merchant_id
    today = datetime.now(ZONE).date()
    free = [
        (staff_id, day, hour)
        for staff_id in staff
        for ahead in range(2, DAYS_AHEAD)
        if (day := today + timedelta(days=ahead)).weekday() < 6
        for hour in STARTS
    ]
    chosen = rng.sample(free, bookings_made)
    for batch in range(0, bookings_made, 200):
        with runtime.uow(merchant_id) as uow:
            for staff_id, day, hour in chosen[batch : batch + 200]:
                starts = datetime.combine(day, clock(hour), tzinfo=ZONE).astimezone(UTC)
                bookings.book_in_turn(
                    uow,
                    bookings.begin_booking(
                        uow,
                        customer_id=rng.choice(customers),
                        service_id=service.service_id,
                        starts_at=starts,
                        staff_id=staff_id,
                    ),
                )
            uow.commit()
    return Salon(slug, service.service_id, today)


async def _ask(
    client: aiohttp.ClientSession, salon: Salon, days: int, rng: random.Random
) -> tuple[float, int]:
    first = salon.today + timedelta(days=rng.randrange(0, DAYS_AHEAD - days + 1))
    params = {
        "service_id": salon.service_id,
        "from": first.isoformat(),
        "to": (first + timedelta(days=days - 1)).isoformat(),
    }
    began = time.perf_counter()
    async with client.get(f"/v1/public/merchants/{salon.slug}/availability", params=params) as r:
        payload = await r.json()
    took = (time.perf_counter() - began) * 1000
    if r.status != 200:
        raise RuntimeError(f"availability answered {r.status}: {str(payload)[:200]}")
    return took, len(payload["slots"])


async def _load(server: Server, salon: Salon, seconds: float) -> AvailabilityResult:
    result = AvailabilityResult(0.0, 0)
    errors: list[str] = []
    connector = aiohttp.TCPConnector(limit=CLIENTS)
    timeout = aiohttp.ClientTimeout(total=60)
    base_url = server.base_url
    async with aiohttp.ClientSession(base_url, connector=connector, timeout=timeout) as client:
        warm = random.Random(0)
        await asyncio.gather(*(_ask(client, salon, 14, warm) for _ in range(CLIENTS)))
        began = time.perf_counter()
        for days in WINDOWS:
            deadline = time.perf_counter() + seconds / len(WINDOWS)
            result.latencies_ms[days], result.slots[days] = [], []

            async def run(no: int, days: int = days, deadline: float = deadline) -> None:
                rng = random.Random(no * 100 + days)
                while time.perf_counter() < deadline:
                    try:
                        took, found = await _ask(client, salon, days, rng)
                    except (RuntimeError, aiohttp.ClientError, TimeoutError) as exc:
                        errors.append(f"{type(exc).__name__}: {exc}")
                        continue
                    result.latencies_ms[days].append(took)
                    result.slots[days].append(found)

            cpu = server.cpu_seconds()
            await asyncio.gather(*(run(no) for no in range(CLIENTS)))
            result.server_cpu[days] = server.cpu_seconds() - cpu
        result.seconds = time.perf_counter() - began
    result.errors, result.first_error = len(errors), (errors[0] if errors else "")
    return result


def availability_latency(
    url: str, seconds: float, *, bookings_made: int = BOOKINGS
) -> AvailabilityResult:
    runtime = make_runtime(url)
    try:
        salon = busy_salon(runtime, bookings_made=bookings_made)
    finally:
        runtime.dispose()
    with Server(url, workers=server_workers(url)) as server:
        return asyncio.run(_load(server, salon, seconds))


def section(engine: str, args: argparse.Namespace, results: Results, ui: Ui) -> None:
    with fresh_database(engine, "availability", args.pg_url) as db:
        found = availability_latency(db.url, args.seconds)
    trouble = f", {found.errors} errors (first: {found.first_error[:120]})" if found.errors else ""
    for days in WINDOWS:
        calls = found.latencies_ms[days]
        slots = found.slots[days]
        detail = (
            f"{len(calls)} requests, {CLIENTS} clients, about"
            f" {sum(slots) // max(len(slots), 1)} slots an answer;"
            f" {STAFF} staff, {BOOKINGS} bookings over {DAYS_AHEAD} days" + trouble
        )
        ui.log(f"{days}-day window: p50 {found.p(days, 50):.1f} ms, p99 {found.p(days, 99):.1f} ms")
        results.add("availability", f"{engine}: {days}-day window p50", found.p(days, 50), "ms")
        if calls:
            results.add(
                "availability",
                f"{engine}: {days}-day window, server CPU a request",
                1000 * found.server_cpu[days] / len(calls),
                "ms",
                "all its processes: what the machine's load does not change",
            )
        results.add(
            "availability", f"{engine}: {days}-day window p99", found.p(days, 99), "ms", detail
        )


def judge(results: Results, engine: str) -> None:
    worst = results.figure("availability", f"{engine}: 14-day window p99")
    if worst is not None:
        results.check(
            f"{engine}: availability for anyone, 14 days, p99 (ms)", worst, "< 50", worst < 50
        )

"""The steps of a run: what to measure on which engine (the targets: ``bench.targets``)."""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable
from contextlib import ExitStack
from functools import partial
from typing import TYPE_CHECKING

from bench.databases import POSTGRESQL, SQLITE, fresh_database
from bench.results import Results
from bench.targets import PEER_MEDIAN
from bench.workers import Rate

if TYPE_CHECKING:
    from bench.ui import Ui

Step = Callable[[argparse.Namespace, Results, "Ui"], None]
MIB = 1024


def settle(engine: str, args: argparse.Namespace, results: Results, ui: Ui) -> None:
    from bench.settle import settle_rate

    with fresh_database(engine, "settle", args.pg_url) as db:
        rate = settle_rate(db.url, args.clients, args.seconds, shared_merchant=args.shared_merchant)
    ui.log(f"{rate.per_second:.1f} settled tabs/s ({rate.done} in {rate.seconds:.1f} s)")
    results.add("settle", f"{engine}: settled tabs/s", rate.per_second, "/s", _detail(rate, "tabs"))
    each = rate.cpu_ms_each()
    if each is not None:
        results.add(
            "settle",
            f"{engine}: machine CPU per settled tab",
            each.machine,
            "ms",
            f"servefirst's process {each.client:.2f} ms"
            + (" (SQLite runs in it)" if engine == SQLITE else ""),
        )
        if engine == POSTGRESQL:
            results.add(
                "settle",
                f"{engine}: machine CPU per settled tab, database server",
                each.server,
                "ms",
                "all but servefirst's process: PostgreSQL's backends, WAL writer, the kernel",
            )


def floor(engine: str, args: argparse.Namespace, results: Results, ui: Ui) -> None:
    from bench.floor import floor_rate

    with fresh_database(engine, "floor", args.pg_url) as db:
        rate, recording = floor_rate(db.url, args.clients, args.seconds)
    ui.log(
        f"{rate.per_second:.1f} tabs/s replaying {recording.statements} statements"
        f" in {recording.transactions} transactions with the bare driver"
    )
    results.add(
        "settle",
        f"{engine}: the lifecycle's SQL replayed, bare driver",
        rate.per_second,
        "/s",
        f"{recording.statements} statements, {recording.transactions} commits a tab; "
        + _detail(rate, "tabs"),
    )
    results.add(
        "settle",
        f"{engine}: statements a settled tab sends",
        recording.statements,
        "",
        f"in {recording.transactions} transactions",
    )


def sqlalchemy_floor(engine: str, args: argparse.Namespace, results: Results, ui: Ui) -> None:
    from bench.floor import sqlalchemy_floor_rate

    with fresh_database(engine, "floorsa", args.pg_url) as db:
        rate = sqlalchemy_floor_rate(db.url, args.clients, args.seconds)
    ui.log(f"{rate.per_second:.1f} tabs/s replaying the same statements through SQLAlchemy Core")
    results.add(
        "settle",
        f"{engine}: the lifecycle's SQL replayed, SQLAlchemy Core",
        rate.per_second,
        "/s",
        "the same recording through servefirst's engine (exec_driver_sql: no compiling,"
        " no ORM, no logic); " + _detail(rate, "tabs"),
    )


def engine_limit(engine: str, args: argparse.Namespace, results: Results, ui: Ui) -> None:
    with fresh_database(engine, "tpcb", args.pg_url) as db:
        if engine == SQLITE:
            from bench.sqlite_tpcb import tpcb_like_rate

            rate = tpcb_like_rate(db.name, args.clients, args.seconds, scale=args.pgbench_scale)
        else:
            from bench.pgbench import tpcb_like_rate as pgbench_rate

            rate = pgbench_rate(db, args.clients, args.seconds, scale=args.pgbench_scale)
    ui.log(f"{rate.per_second:.1f} tpcb-like tx/s")
    results.add(
        "settle", f"{engine}: engine tpcb-like tx/s", rate.per_second, "/s", _detail(rate, "tx")
    )
    each = rate.cpu_ms_each()
    if each is not None:
        client = "pgbench's client" if engine == POSTGRESQL else "the sqlite3 threads' process"
        results.add(
            "settle",
            f"{engine}: machine CPU per tpcb-like transaction",
            each.machine,
            "ms",
            f"{client} {each.client:.3f} ms"
            + (f", the server {each.server:.3f} ms" if engine == POSTGRESQL else ""),
        )


def profile(args: argparse.Namespace, results: Results, ui: Ui) -> None:
    from bench.profile_settle import profile_settle

    with fresh_database(SQLITE, "profile", args.pg_url) as db:
        found = profile_settle(db.url, args.profile_seconds, args.out)
    results.profile_markdown = found.markdown()
    if found.html_path:
        results.profile_markdown += f"\n\nFull profile: `{found.html_path}` (not committed)."
    top = max(found.by_layer.items(), key=lambda kv: kv[1])
    ui.log(f"profiled {found.lifecycles} tabs; most time in {top[0]} ({top[1]:.0%})")


def work(engine: str, args: argparse.Namespace, results: Results, ui: Ui) -> None:
    from bench.work import count_work

    with fresh_database(engine, "work", args.pg_url) as db:
        found = count_work(db.url)
    calls, statements = found.per_tab(found.calls), found.per_tab(found.statements)
    ui.log(f"{calls:,.0f} Python calls and {statements:.0f} statements per settled tab")
    results.add(
        "work", f"{engine}: Python calls per settled tab", calls, "", found.detail(found.calls)
    )
    results.add(
        "work",
        f"{engine}: SQL statements per settled tab",
        statements,
        "",
        found.detail(found.statements),
    )


def http_work(engine: str, args: argparse.Namespace, results: Results, ui: Ui) -> None:
    from bench.http_work import count_http_work

    with fresh_database(engine, "http_work", args.pg_url) as db:
        found = count_http_work(db.url)
    calls = found.per_lifecycle()
    ui.log(f"{calls:,.0f} Python calls in the server per settled tab over HTTP")
    results.add(
        "work",
        f"{engine}: Python calls per settled tab over HTTP (use cases, FastAPI, responses)",
        calls,
        "",
        found.detail(),
    )


def messages(engine: str, args: argparse.Namespace, results: Results, ui: Ui) -> None:
    from bench.messages import section

    section(engine, args, results, ui)


def offered(engine: str, args: argparse.Namespace, results: Results, ui: Ui) -> None:
    from bench.offered import section

    section(engine, args, results, ui)


def phases(engine: str, args: argparse.Namespace, results: Results, ui: Ui) -> None:
    from bench.phases import section

    section(engine, args, results, ui)


def availability(engine: str, args: argparse.Namespace, results: Results, ui: Ui) -> None:
    from bench.availability import section

    section(engine, args, results, ui)


def http(engine: str, args: argparse.Namespace, results: Results, ui: Ui) -> None:
    from bench.http_load import ROUTES, http_rate

    with fresh_database(engine, "http", args.pg_url) as db:
        found = http_rate(db.url, args.clients, args.seconds)
    ui.log(f"{found.per_second:.1f} lifecycles/s, worst p99 {found.worst_p99():.1f} ms")
    processes = f", {found.workers} server processes" if found.workers > 1 else ""
    detail = f"{found.lifecycles} in {found.seconds:.1f} s, {args.clients} clients{processes}" + (
        f", {found.errors} errors (first: {found.first_error})" if found.errors else ""
    )
    if "http" in args.only:
        results.add("http", f"{engine}: lifecycles/s", found.per_second, "/s", detail)
        for route in ROUTES:
            n = len(found.latencies_ms.get(route, []))
            results.add("http", f"{engine}: {route} p50", found.p(route, 50), "ms", f"{n} calls")
            results.add("http", f"{engine}: {route} p99", found.p(route, 99), "ms", f"{n} calls")
        results.add("http", f"{engine}: worst route p99", found.worst_p99(), "ms")
        cpu = found.server_cpu_ms_each()
        if cpu is not None:
            results.add(
                "http", f"{engine}: server CPU per lifecycle", cpu, "ms", "all its processes"
            )
    if found.peak_rss_kib:
        results.add(
            "memory",
            f"{engine}: server peak RSS",
            found.peak_rss_kib / MIB,
            "MiB",
            f"idle after start {((found.idle_rss_kib or 0) / MIB):.0f} MiB"
            + (f"; sum over {found.workers} workers and their parent" if found.workers > 1 else ""),
        )


def growth(engine: str, args: argparse.Namespace, results: Results, ui: Ui) -> None:
    from bench.growth import growth as measure

    sizes = sorted(args.growth_sizes)
    with ExitStack() as stack:
        dbs = {
            n: stack.enter_context(fresh_database(engine, f"growth{n}", args.pg_url)) for n in sizes
        }
        points = measure(
            {n: db.url for n, db in dbs.items()},
            args.clients,
            args.seconds,
            report_repeats=args.report_repeats,
            step=ui.log,
        )
    for size, point in zip(sizes, points, strict=True):
        label = f"{engine} @ {size:,} lines"
        present = f"{point.lines_present:,} lines present"
        detail = f"{present}; {_detail(point.settle, 'tabs')}"
        results.add("growth", f"{label}: settled tabs/s", point.settle.per_second, "/s", detail)
        results.add("growth", f"{label}: cash-flow report", point.cash_flow_ms, "ms", present)


#: The peer comparison's rounds: servefirst and django-hordak take turns, each
#: round a share of ``--seconds``, so the machine's drift falls on both alike;
#: the target takes the median of the rounds' ratios, so one noisy round does
#: not decide it.
PEER_ROUNDS = 3


def peer(args: argparse.Namespace, results: Results, ui: Ui) -> None:
    from bench.hordak_peer import HordakTransfers, ensure_venv
    from bench.ledger_transfers import ServefirstTransfers

    ui.log("making bench/.venv-hordak if needed (pip install django-hordak)")
    ensure_venv()
    rounds = 1 if args.quick else PEER_ROUNDS
    seconds = args.seconds / rounds
    history = args.ledger_history
    found: dict[str, list[Rate]] = {"servefirst": [], "django-hordak": []}
    versions = ""
    with (
        fresh_database(POSTGRESQL, "ledger", args.pg_url) as ours_db,
        fresh_database(POSTGRESQL, "hordak", args.pg_url) as theirs_db,
    ):
        ours = ServefirstTransfers(ours_db.url, args.clients, history=history)
        try:
            theirs = HordakTransfers(theirs_db, args.clients, history=history)
            versions = ", ".join(f"{name} {v}" for name, v in theirs.versions.items())
            try:
                for no in range(rounds):
                    for name, side in (("servefirst", ours), ("django-hordak", theirs)):
                        rate = side.round(seconds)
                        found[name].append(rate)
                        ui.log(f"round {no + 1}/{rounds}: {name} {rate.per_second:.1f} transfers/s")
            finally:
                theirs.close()
        finally:
            ours.close()
    for name, rates in found.items():
        total = Rate(
            sum(r.done for r in rates),
            sum(r.seconds for r in rates),
            sum(r.errors for r in rates),
            next((r.first_error for r in rates if r.first_error), ""),
        )
        each = ", ".join(f"{r.per_second:,.0f}" for r in rates)
        turns = f"{rounds} rounds taking turns" if rounds > 1 else "one round"
        detail = _detail(total, "transfers") + f", {turns} ({each} a second)"
        if name == "django-hordak" and versions:
            detail += f"; {versions}"
        results.add("peer", f"{name} transfers/s", total.per_second, "/s", detail)
    ratios = [
        ours.per_second / theirs.per_second
        for ours, theirs in zip(found["servefirst"], found["django-hordak"], strict=True)
        if theirs.per_second
    ]
    if ratios:
        each = ", ".join(f"{r:.2f}" for r in ratios)
        results.add(
            "peer",
            PEER_MEDIAN,
            statistics.median(ratios),
            "",
            f"the median of {len(ratios)} rounds' ratios ({each})",
        )


def _detail(rate: Rate, what: str) -> str:
    text = f"{rate.done} {what} in {rate.seconds:.1f} s"
    if rate.errors:
        text += f", {rate.errors} errors (first: {rate.first_error[:120]})"
    return text


def plan(args: argparse.Namespace, engines: list[str]) -> list[tuple[str, Step]]:
    steps: list[tuple[str, Step]] = []
    only = args.only
    for engine in engines:
        if "settle" in only:
            steps.append((f"settle in process on {engine}", partial(settle, engine)))
            steps.append((f"engine limit (tpcb-like) on {engine}", partial(engine_limit, engine)))
            steps.append((f"the lifecycle's SQL alone on {engine}", partial(floor, engine)))
            steps.append(
                (
                    f"the lifecycle's SQL through SQLAlchemy on {engine}",
                    partial(sqlalchemy_floor, engine),
                )
            )
    if "profile" in only:
        steps.append(("profile the settle path (SQLite)", profile))
        for engine in engines:
            steps.append((f"work per settled tab on {engine}", partial(work, engine)))
            steps.append(
                (f"work per settled tab over HTTP on {engine}", partial(http_work, engine))
            )
    for engine in engines:
        if only & {"http", "memory"}:
            steps.append((f"HTTP load on {engine}", partial(http, engine)))
    for engine in engines:
        if "messages" in only:
            steps.append((f"messages under HTTP load on {engine}", partial(messages, engine)))
    for engine in engines:
        if "offered" in only:
            steps.append((f"messages at an offered load on {engine}", partial(offered, engine)))
    for engine in engines:
        if "phases" in only:
            steps.append(
                (f"card payments in phases beside staff on {engine}", partial(phases, engine))
            )
    for engine in engines:
        if "availability" in only:
            steps.append((f"availability for anyone on {engine}", partial(availability, engine)))
    for engine in engines:
        if "growth" in only:
            steps.append((f"growth on {engine}", partial(growth, engine)))
    if "hordak" in only and POSTGRESQL in engines:
        steps.append(("peer: servefirst and django-hordak transfers, taking turns", peer))
    return steps

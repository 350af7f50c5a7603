"""One command for every benchmark: ``python -m bench [flags]``.

    python -m bench                     # everything, about 8 minutes on 2 cores
    python -m bench --quick             # a small run (about a minute) to check the harness
    python -m bench --only settle,http  # some sections
    python -m bench --seconds 30 --growth-lines 10000,5000000

Prints a table and writes bench/RESULTS.md (``--results`` elsewhere). Every
database it uses is created fresh (``bench_*`` on the PostgreSQL server,
temporary files for SQLite) and dropped at the end.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from bench import machine
from bench.databases import POSTGRESQL, SQLITE, pg_server_reachable
from bench.ledger_transfers import HISTORY_PER_CLIENT
from bench.results import Results
from bench.ui import Ui

HERE = Path(__file__).resolve().parent
SECTIONS = (
    "settle",
    "http",
    "growth",
    "hordak",
    "memory",
    "profile",
    "messages",
    "phases",
    "availability",
    "offered",
)
#: Sections run only when named (``--only messages``): they would change the others' load.
OPT_IN = ("messages", "phases", "availability", "offered")
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

NOTES = [
    "Settle (in process): each client is a thread with its own merchant, customer and two "
    "services (servefirst shards by merchant; `--shared-merchant` puts all clients on one). "
    "One settled tab = open, add line, add line, serve, pay by sandbox card: seven "
    "transactions (a card payment is three: the attempt, the sandbox's record of its charge, "
    "the outcome), as behind the API. Rate = settled tabs per second.",
    "Engine limit: on PostgreSQL `pgbench -i -s <scale>` on a fresh database, then "
    "`pgbench -c <clients> -j 2 -T <seconds> -b tpcb-like` (tps without connection time); on "
    "SQLite the same tpcb-like transaction (bench/sqlite_tpcb.py) with the sqlite3 module, "
    "WAL, synchronous=NORMAL, BEGIN IMMEDIATE, busy_timeout, as servefirst's engine sets them. "
    "Context only: a settled tab is seven transactions and tens of statements, a tpcb-like "
    "transaction one and five, so the target is held against the replay below instead.",
    "CPU (bench/workers.py, bench/pgbench.py): the machine's busy time over the timed part "
    "of a run (every core and process, from /proc/stat) and the client's own (this process; "
    "pgbench's from its rusage), per unit of work. With both loads holding the cores, settle "
    "rate / tpcb-like rate is about one over a settled tab's CPU counted in tpcb-like "
    "transactions. On PostgreSQL the part besides servefirst's process is the database "
    "server's work on the tab's statements.",
    "The lifecycle's SQL alone (bench/floor.py): the statements one settled tab sends are "
    "recorded on each client's shop as the driver received them, then replayed with the bare "
    "driver (sqlite3 / psycopg, same settings) from the same threads, with new ids, token and "
    "short code for every tab and the same commits: no ORM, no Python logic. The target: "
    "settle rate at least 60 % of this replay on PostgreSQL, 35 % on SQLite, "
    "shown with the statement count, since fewer statements raise both rates. The same "
    "recording is also replayed through SQLAlchemy's Core on servefirst's own engine "
    "(Connection.exec_driver_sql: the driver's SQL, nothing compiled, no ORM, no logic): the "
    "most code written on the stack's SQLAlchemy could reach; context, not a target.",
    "Work (bench/work.py): one client settles 10 tabs after 5 to warm up; per step, the Python "
    "function calls made (cProfile's count, unlike seconds the same on any machine for the same "
    "code) and the SQL statements sent. Lines are counted per line and added twice a tab. "
    "Compare these between versions of the code; compare rates only within a run.",
    "Work over HTTP (bench/http_work.py): the same lifecycle as requests to the app, driven "
    "in process through ASGI (no sockets, no uvicorn) after 5 lifecycles to warm up; the calls "
    "made in every thread while each request runs (a profile hook on all threads): the use "
    "case with FastAPI's routing and validation, the write turn, the worker-thread hop and "
    "the response.",
    "HTTP: `servefirst serve` in a child process on a fresh database, as deployed: "
    "`--workers <cores>` on PostgreSQL, one process on SQLite (whose writers queue fairly only "
    "within one process); an aiohttp load generator in the benchmark process (same cores) with "
    "one keep-alive connection per client, each client its own merchant, runs lifecycles back "
    "to back for the time given. Latency per route, send to full response. Memory = the "
    "server's VmHWM (peak resident set) after load, summed over its processes.",
    "Phases (only with `--only phases`, bench/phases.py): `servefirst serve` with the sandbox "
    "taking 300 ms a charge (SERVEFIRST_SANDBOX_LATENCY_MS); 8 payer clients loop open, one "
    "line, serve, card payment on tabs of their own while 8 staff clients loop open, two "
    "lines, serve, cash. The staff's worst route p99, and card payments a second.",
    "Availability (only with `--only availability`, bench/availability.py): a salon of 10 "
    "stylists (Mon-Sat 09:00-13:00, 14:00-19:00, Europe/Lisbon), a 45-minute service with a "
    "15-minute buffer and 2,000 bookings at random over the next 60 days, made through the "
    "use cases; `servefirst serve` as for HTTP; 8 aiohttp clients each ask the public "
    "availability route for anyone over a window starting on a random day of the 60, one "
    "request after another: half the time 14-day windows, then 7-day ones.",
    "Growth: one fresh database per size, its ledger pre-filled directly (COPY on PostgreSQL "
    "then VACUUM ANALYZE, executemany through sqlite3 on SQLite) with balanced two-leg "
    "entries spread over the measured merchants and the past year, running balances moved to "
    "match (the ledger audit agrees). Then the sizes take turns, so load drift on the "
    "machine falls on both sizes alike: the cash-flow report alternates one run at a time "
    "(small, large, small, ...; median of all runs, 100 a size per round) and the settle "
    "rate alternates in 3 rounds. Only ledger lines are pre-filled, not tabs or events.",
    "Peer: django-hordak in its own venv (bench/.venv-hordak), Account.transfer_to in "
    "transaction.atomic, each client its own pair of accounts, on a fresh database on the same "
    "PostgreSQL server; servefirst: ledger.service.post of a two-leg entry in its own unit of "
    "work, each client its own merchant. Both ledgers are measured lived in: each client first "
    f"posts {HISTORY_PER_CLIENT} transfers, then the database is analysed (ANALYZE), as pgbench "
    "runs on a vacuumed, analysed database; on never-analysed tables PostgreSQL keeps plans it "
    "cached while they were empty, whose cost grows with every row (bench/ledger_transfers.py). "
    "The two take turns, as the growth sizes do: 3 rounds each of a third of the time, "
    "servefirst then django-hordak, each set up once.",
]


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and short runs")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=None, help="per measurement")
    parser.add_argument(
        "--only",
        default=",".join(s for s in SECTIONS if s not in OPT_IN),
        help=f"of {','.join(SECTIONS)}",
    )
    parser.add_argument("--engines", default=f"{SQLITE},{POSTGRESQL}")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="a server to make bench_* dbs on")
    parser.add_argument("--growth-lines", default=None, help="small,large ledger lines")
    parser.add_argument("--pgbench-scale", type=int, default=None)
    parser.add_argument("--shared-merchant", action="store_true")
    parser.add_argument(
        "--rate", type=float, default=10.0, help="lifecycles started a second (offered section)"
    )
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="profile HTML goes here")
    parser.add_argument("--note", action="append", default=[], help="a line for RESULTS.md")
    args = parser.parse_args(argv)
    args.only = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = args.only - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if args.seconds is None:
        args.seconds = 2.0 if args.quick else 15.0
    if args.growth_lines is None:
        args.growth_lines = "1000,20000" if args.quick else "10000,1000000"
    args.growth_sizes = tuple(int(n) for n in args.growth_lines.split(","))
    if args.pgbench_scale is None:
        # pgbench's advice: scale at least the clients, or branch rows become the bottleneck.
        args.pgbench_scale = 1 if args.quick else max(1, args.clients)
    args.report_repeats = 6 if args.quick else 300
    args.ledger_history = 5 if args.quick else HISTORY_PER_CLIENT
    args.profile_seconds = 1.0 if args.quick else 5.0
    return args


def main(argv: list[str] | None = None, console: Console | None = None) -> int:
    from bench import sections, targets

    args = parse(argv)
    # Piped to a file or CI log, rich would fold the table at 80 columns.
    console = console or Console(width=None if sys.stdout.isatty() else 150)
    engines = list(args.engines)
    if POSTGRESQL in engines and not pg_server_reachable(args.pg_url):
        console.print(
            f"[red]PostgreSQL at {args.pg_url} cannot be reached[/red] "
            "(start it, give --pg-url, or run --engines sqlite)"
        )
        return 2
    command = "python -m bench " + shlex.join(argv if argv is not None else sys.argv[1:])
    options = {
        "clients": args.clients,
        "seconds": args.seconds,
        "engines": "+".join(engines),
        "sections": "+".join(s for s in SECTIONS if s in args.only),
        "growth lines": "/".join(f"{n:,}" for n in args.growth_sizes),
        "pgbench scale": args.pgbench_scale,
        "merchants": "one shared" if args.shared_merchant else "one per client",
    }
    results = Results(command, options, machine.describe(args.pg_url))
    results.notes = [*args.note, *NOTES]
    steps = sections.plan(args, engines)
    began = time.perf_counter()
    ui = Ui(console, len(steps))
    with ui.progress:
        for label, step in steps:
            ui.begin(label)
            _run_step(label, step, args, results, ui)
            ui.done()
    results.seconds_taken = time.perf_counter() - began
    results.machine["load average at end (1/5/15 min)"] = machine.load_average()
    results.machine["Python speed at end"] = machine.python_speed()
    targets.judge(results, engines)
    console.print(results.figures_table())
    console.print(results.checks_table())
    for error in results.errors:
        console.print(f"[red]error:[/red] {error}")
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(results.markdown())
    console.print(f"written {args.results}")
    return 1 if results.errors else 0


def _run_step(
    label: str,
    step: Callable[[argparse.Namespace, Results, Ui], None],
    args: argparse.Namespace,
    results: Results,
    ui: Ui,
) -> None:
    try:
        step(args, results, ui)
    except Exception as exc:  # noqa: BLE001 - one failed section must not hide the others
        results.errors.append(f"{label}: {type(exc).__name__}: {exc}")
        ui.log(f"[red]failed: {exc}[/red]")

"""Paired runs: the server with and without one piece of its tuning.

    python -m bench.paired --engine postgresql --rounds 3 --seconds 10 SERVEFIRST_WRITE_TURNS=0
    python -m bench.paired --section settle --engine sqlite SERVEFIRST_DB_POOL_SIZE=5

Every tuning number is a setting (``config.Settings``), so a piece is turned
off by its environment variable. Each round runs both sides, each on a fresh
database, in alternating order (A B, B A, ...) so the machine's drift falls on
both alike; the verdict is the median over the rounds of each figure's B/A
ratio. ``http`` runs ``servefirst serve`` under the HTTP load (lifecycles a
second, the worst route's p99, the server's CPU a lifecycle); ``settle`` runs
the lifecycle in process (tabs a second, this process's CPU a tab);
``messages`` the HTTP load with the delivery worker in the server, every
customer on e-mail (also the receipt's p99). A change of code is paired the
same way: ``PYTHONPATH=/path/to/the/other/checkout/src`` as side B's change
runs the server from that checkout.
"""

from __future__ import annotations

import argparse
import os
import statistics
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bench.databases import POSTGRESQL, fresh_database
from bench.run import DEFAULT_PG

Figures = dict[str, float]


@contextmanager
def environment(changes: dict[str, str]) -> Iterator[None]:
    before = {name: os.environ.get(name) for name in changes}
    os.environ.update(changes)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def http_figures(url: str, clients: int, seconds: float) -> Figures:
    from bench.http_load import http_rate

    found = http_rate(url, clients, seconds)
    return {
        "lifecycles/s": found.per_second,
        "worst p99 ms": found.worst_p99(),
        "server CPU ms a lifecycle": found.server_cpu_ms_each() or float("nan"),
    }


def settle_figures(url: str, clients: int, seconds: float) -> Figures:
    from bench.settle import settle_rate

    rate = settle_rate(url, clients, seconds)
    each = rate.cpu_ms_each()
    return {
        "tabs/s": rate.per_second,
        "process CPU ms a tab": each.client if each else float("nan"),
    }


def messages_figures(url: str, clients: int, seconds: float) -> Figures:
    from bench.messages import messages_rate
    from bench.stats import percentile

    found = messages_rate(url, clients, seconds)
    return {
        "lifecycles/s": found.lifecycles / found.seconds,
        "worst p99 ms": found.worst_p99(),
        "receipt p99 ms": percentile(found.receipt_ms, 99),
        "server CPU ms a lifecycle": found.server_cpu_ms_each() or float("nan"),
    }


SECTIONS: dict[str, Callable[[str, int, float], Figures]] = {
    "http": http_figures,
    "messages": messages_figures,
    "settle": settle_figures,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.paired", description=__doc__)
    parser.add_argument("change", nargs="+", help="NAME=VALUE: side B's environment")
    parser.add_argument("--section", choices=sorted(SECTIONS), default="http")
    parser.add_argument("--engine", default=POSTGRESQL)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    args = parser.parse_args(argv)
    changes = dict(change.split("=", 1) for change in args.change)
    measure = SECTIONS[args.section]
    ratios: dict[str, list[float]] = {}
    for no in range(args.rounds):
        sides = [("A", {}), ("B", changes)]
        if no % 2:
            sides.reverse()
        found: dict[str, Figures] = {}
        for side, change in sides:
            with environment(change), fresh_database(args.engine, "paired", args.pg_url) as db:
                found[side] = measure(db.url, args.clients, args.seconds)
            shown = ", ".join(f"{k} {v:.1f}" for k, v in found[side].items())
            print(f"round {no + 1} {side}: {shown}", flush=True)
        for name, a in found["A"].items():
            ratios.setdefault(name, []).append(found["B"][name] / a if a else float("nan"))
    print(f"B = {' '.join(args.change)}; A = as configured; load {os.getloadavg()[0]:.1f}")
    for name, each in ratios.items():
        listed = ", ".join(f"{r:.2f}" for r in each)
        print(f"  B/A {name}: median {statistics.median(each):.2f} ({listed})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Balanced two-leg transfers through django-hordak, from N threads for T seconds.

Run by bench/hordak_peer.py with bench/.venv-hordak's Python (not servefirst's):

    python bench/hordak/transfers.py --database postgresql://... --clients 8 --history 300

Each client posts between its own pair of accounts (as each servefirst client
posts in its own merchant), one transfer per database transaction. First each
pair gets ``--history`` transfers and the database is analysed, exactly as
servefirst's side (bench/ledger_transfers.py says why); then it prints
{"ready": true} and waits. Each line ``run <seconds>`` on stdin is one timed
round, answered with one JSON line: {"transfers": n, "seconds": s, "errors": e,
"first_error": "..."}. The rounds take turns with servefirst's, so drift in the
machine's speed falls on both ledgers alike. End of input ends it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--history", type=int, default=0, help="transfers per pair before")
    args = parser.parse_args()

    os.environ["BENCH_HORDAK_DATABASE"] = args.database
    os.environ["DJANGO_SETTINGS_MODULE"] = "settings"
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from djmoney.money import Money
    from hordak.models import Account

    call_command("migrate", verbosity=0)
    pairs = []
    for no in range(args.clients):
        cash = Account.objects.create(
            name=f"Cash {no}", type=Account.TYPES.asset, currencies=["EUR"]
        )
        revenue = Account.objects.create(
            name=f"Revenue {no}", type=Account.TYPES.income, currencies=["EUR"]
        )
        pairs.append((cash, revenue))
    for cash, revenue in pairs:
        for _ in range(args.history):
            with transaction.atomic():
                revenue.transfer_to(cash, Money(Decimal("4.50"), "EUR"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()

    from importlib.metadata import version

    versions = {name: version(name) for name in ("django-hordak", "Django")}
    print(json.dumps({"ready": True, "versions": versions}), flush=True)
    for line in sys.stdin:
        command, _, seconds = line.strip().partition(" ")
        if command != "run":
            raise SystemExit(f"unknown command: {line!r}")
        print(json.dumps(timed_round(pairs, float(seconds))), flush=True)
    return 0


def timed_round(pairs: list[tuple[Any, Any]], seconds: float) -> dict[str, Any]:
    """Every pair's client posts transfers for ``seconds``, all starting together."""
    from django.db import connection, transaction
    from djmoney.money import Money

    counts = [0] * len(pairs)
    errors: list[str] = []
    start_line = threading.Barrier(len(pairs) + 1)
    deadline = [0.0]

    def client(no: int) -> None:
        cash, revenue = pairs[no]
        start_line.wait()
        try:
            while time.perf_counter() < deadline[0]:
                try:
                    with transaction.atomic():
                        # Revenue is credited and cash debited, like a cash sale.
                        revenue.transfer_to(cash, Money(Decimal("4.50"), "EUR"))
                    counts[no] += 1
                except Exception as exc:  # noqa: BLE001 - counted, never hidden
                    errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(pairs))]
    for t in threads:
        t.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start_line.wait()
    for t in threads:
        t.join()
    return {
        "transfers": sum(counts),
        "seconds": time.perf_counter() - began,
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
    }


if __name__ == "__main__":
    raise SystemExit(main())

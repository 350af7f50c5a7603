"""Balanced two-leg transfers through django-hordak, from N threads for T seconds.

Run by bench/hordak_peer.py with bench/.venv-hordak's Python (not servefirst's):

    python bench/hordak/transfers.py --database postgresql://... --clients 8 --seconds 15 \
        --history 300

Each client posts between its own pair of accounts (as each servefirst client
posts in its own merchant), one transfer per database transaction. Before the
measured run each pair gets ``--history`` transfers and the database is
analysed, exactly as servefirst's side (bench/ledger_transfers.py says why).
Prints one JSON line: {"transfers": n, "seconds": s, "errors": e}.
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
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

    counts = [0] * args.clients
    errors: list[str] = []
    start_line = threading.Barrier(args.clients + 1)
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

    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    for t in threads:
        t.start()
    began = time.perf_counter()
    deadline[0] = began + args.seconds
    start_line.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    print(
        json.dumps(
            {
                "transfers": sum(counts),
                "seconds": elapsed,
                "errors": len(errors),
                "first_error": errors[0] if errors else "",
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Exports keep flat memory: a year of a busy café (200,000 ledger legs by
default) exported whole and for about a tenth of it, each in a fresh process,
with its peak memory measured.

The year is written straight into the ledger tables (through the API it would
take an hour): each sale a tab charge (receivables / revenue, and for two
sales in three tax payable at 23 % or 6 %, with the entry's tax movement, so
the QuickBooks and Xero files split lines by rate) and a payment in cash or by
card, a third with a tip, so about five legs a sale; the
merchant's running balances are moved by the same totals, so the ledger still
audits. Each export then runs in a child process (``--measure``) that reports
its legs, its time, the peak of Python's own allocations (``tracemalloc``)
and the process's peak resident memory (``getrusage``). A journal held whole
would grow ten times between the two periods; a streamed one does not.

    python -m bench.exports_memory                       # SQLite, 200,000 legs
    python -m bench.exports_memory --engine postgresql   # on --pg-url's server
    python -m bench.exports_memory --write bench/RESULTS-exports.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, update

from bench.databases import POSTGRESQL, SQLITE, fresh_database
from servefirst.config import Settings
from servefirst.kit.ids import new_id
from servefirst.ledger.models import AccountBalance, JournalEntryRow, JournalLegRow
from servefirst.ledger.rules import Account, EntryKind
from servefirst.merchants.service import create_merchant
from servefirst.runtime import Runtime
from servefirst.taxes.models import TaxMovement, TaxRate
from servefirst.taxes.rules import tax_in

FORMATS = ("journal", "beancount", "xero", "quickbooks", "journal+whole")
#: The café's tax rates (prices include tax): none, standard, reduced.
RATES = ((None, 0), ("txr_bench_standard", 23), ("txr_bench_reduced", 6))
BATCH = 20_000


@dataclass(frozen=True)
class Year:
    merchant_id: str
    legs: int
    days: list[tuple[date, int]]  # each day and the legs posted on it, oldest first


def busy_year(runtime: Runtime, legs: int, seed: int = 24) -> Year:
    """A year of sales ending yesterday, ``legs`` legs in all."""
    with runtime.uow() as uow:
        merchant = create_merchant(uow, name="Café Bench", currency="EUR").merchant.merchant_id
        uow.commit()
    with runtime.engine.begin() as conn:
        conn.execute(
            insert(TaxRate),
            [
                {"merchant_id": merchant, "rate_id": rate_id, "name": f"IVA {percent}%",
                 "percent": str(percent), "created_at": datetime.now(UTC)}
                for rate_id, percent in RATES
                if rate_id
            ],
        )  # fmt: skip
    rng = random.Random(seed)
    first = datetime.now(UTC).date() - timedelta(days=365)
    per_day = legs / 365
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # account -> debits, credits
    entries: list[dict[str, object]] = []
    rows: list[dict[str, object]] = []
    moved: list[dict[str, object]] = []
    days: list[tuple[date, int]] = []
    written = 0

    def add(kind: EntryKind, memo: str, when: datetime, tab: str, *legs_: tuple) -> str:
        entry = new_id("je")
        entries.append(
            {
                "merchant_id": merchant,
                "entry_id": entry,
                "kind": kind.value,
                "currency": "EUR",
                "memo": memo,
                "tab_id": tab,
                "created_at": when,
            }
        )
        for n, (account, side, amount) in enumerate(legs_, 1):
            rows.append(
                {
                    "merchant_id": merchant,
                    "entry_id": entry,
                    "leg_no": n,
                    "account": account.value,
                    "side": side,
                    "amount": amount,
                }
            )
            totals[account.value][0 if side == "debit" else 1] += amount
        return entry

    for offset in range(365):
        day = first + timedelta(days=offset)
        target = round(per_day * (offset + 1)) if offset < 364 else legs
        opened = written
        minute = 0
        while written < target - 7:  # leaves 2 to 7 legs for the day's last moves
            minute = (minute + rng.randint(1, 4)) % (11 * 60)
            when = datetime.combine(day, clock_time(8), tzinfo=UTC) + timedelta(minutes=minute)
            price = rng.choice((120, 250, 380, 450, 650, 900))
            tip = rng.choice((0, 0, 50, 100))
            tab = new_id("tab")
            rate_id, percent = rng.choice(RATES)
            tax = tax_in(price, Decimal(percent), included=True)
            charge = [
                (Account.RECEIVABLES, "debit", price),
                (Account.REVENUE, "credit", price - tax),
            ]
            if tax:
                charge.append((Account.TAX_PAYABLE, "credit", tax))
            entry = add(EntryKind.TAB_CHARGE, "Flat white", when, tab, *charge)
            if rate_id:
                moved.append(
                    {"merchant_id": merchant, "entry_id": entry, "rate_id": rate_id,
                     "percent": str(percent), "tab_id": tab, "net": price - tax, "tax": tax}
                )  # fmt: skip
            taken = rng.choice((Account.CASH, Account.CARD_CLEARING))
            paid = [(taken, "debit", price + tip), (Account.RECEIVABLES, "credit", price)]
            if tip:
                paid.append((Account.TIPS_PAYABLE, "credit", tip))
            add(EntryKind.PAYMENT, "payment", when + timedelta(minutes=1), tab, *paid)
            written += len(charge) + len(paid)
        while written < target:  # the day's last legs: moves of two legs, or three
            when = datetime.combine(day, clock_time(20), tzinfo=UTC)
            moves = [(Account.CASH, "debit", 100), (Account.CARD_CLEARING, "credit", 100)]
            if (target - written) % 2:
                moves = [
                    (Account.CASH, "debit", 100),
                    (Account.CARD_CLEARING, "credit", 60),
                    (Account.CARD_TERMINAL, "credit", 40),
                ]
            add(EntryKind.TRANSFER, "float", when, "", *moves)
            written += len(moves)
        days.append((day, written - opened))
        if len(rows) >= BATCH:
            _flush(runtime, entries, rows, moved)
    _flush(runtime, entries, rows, moved)
    with runtime.engine.begin() as conn:
        for account, (debits, credits) in totals.items():
            conn.execute(
                update(AccountBalance)
                .where(AccountBalance.merchant_id == merchant, AccountBalance.account == account)
                .values(
                    debits=AccountBalance.debits + debits,
                    credits=AccountBalance.credits + credits,
                    balance=AccountBalance.balance + debits - credits,
                )
            )
    if runtime.engine.dialect.name == "postgresql":
        with runtime.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE) journal_entries, journal_legs")
    return Year(merchant, written, days)


Rows = list[dict[str, object]]


def _flush(runtime: Runtime, entries: Rows, rows: Rows, moved: Rows) -> None:
    if not entries:
        return
    for entry in entries:
        entry["tab_id"] = entry["tab_id"] or None
    with runtime.engine.begin() as conn:
        conn.execute(insert(JournalEntryRow), entries)
        conn.execute(insert(JournalLegRow), rows)
        if moved:
            conn.execute(insert(TaxMovement), moved)
    entries.clear()
    rows.clear()
    moved.clear()


@dataclass(frozen=True)
class Measured:
    fmt: str
    first: str
    last: str
    legs: int
    seconds: float
    bytes_written: int
    traced_peak_kib: int  # Python's own allocations at their peak, during the export
    rss_before_kib: int  # the process's resident memory as the export starts
    rss_peak_kib: int  # its peak during the export (VmHWM, reset at the start)
    held_whole: bool = False  # the control: the file joined in memory, not streamed


def _status_kib(field: str) -> int:
    """A figure of /proc/self/status (Linux), in KiB; getrusage's peak elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak_rss() -> None:
    """Start the peak resident memory (VmHWM) afresh: the imports' peak must
    not hide the export's (Linux: "5" to clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass


def measure(url: str, merchant: str, first: str, last: str, fmt: str) -> Measured:
    """One export, in this process (run as a child: its peaks are its own).
    ``fmt`` ending in ``+whole`` joins the file in memory instead: the control
    that shows what holding a period whole would cost."""
    from servefirst.exports import service as exports

    whole = fmt.endswith("+whole")
    fmt = fmt.removesuffix("+whole")

    runtime = Runtime.create(Settings(database_url=url))
    with runtime.uow(merchant, write=False) as uow:
        plan = exports.plan_export(uow, fmt, first, last)
        legs = exports.count_legs(uow, plan)
    batch = runtime.settings.export_batch_rows
    rss_before = _status_kib("VmRSS")
    _reset_peak_rss()
    written = 0
    tracemalloc.start()
    started = time.perf_counter()
    with runtime.uow(merchant, write=False) as uow, open(os.devnull, "w") as sink:
        if whole:
            text = "".join(exports.write_export(uow, plan, batch=batch))
            written = len(text)
            sink.write(text)
            del text
        else:
            for chunk in exports.write_export(uow, plan, batch=batch):
                written += len(chunk)
                sink.write(chunk)
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss_peak = _status_kib("VmHWM")
    runtime.dispose()
    return Measured(
        fmt, first, last, legs, seconds, written, traced_peak // 1024, rss_before, rss_peak, whole
    )


def measure_in_child(url: str, merchant: str, first: date, last: date, fmt: str) -> Measured:
    run = subprocess.run(
        [sys.executable, "-m", "bench.exports_memory", "--measure", url, merchant,
         first.isoformat(), last.isoformat(), fmt],
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    return Measured(**json.loads(run.stdout.strip().splitlines()[-1]))


def periods(year: Year, share: float) -> tuple[tuple[date, date], tuple[date, date]]:
    """The whole year, and its first days holding about ``share`` of its legs."""
    counted, last = 0, year.days[0][0]
    for day, legs in year.days:
        counted += legs
        last = day
        if counted >= year.legs * share:
            break
    return (year.days[0][0], last), (year.days[0][0], year.days[-1][0])


def run(kind: str, pg_url: str, legs: int, formats: tuple[str, ...]) -> list[Measured]:
    with fresh_database(kind, "exports", pg_url) as db:
        runtime = Runtime.create(Settings(database_url=db.url))
        runtime.migrate()
        started = time.perf_counter()
        year = busy_year(runtime, legs)
        print(f"{year.legs:,} legs written in {time.perf_counter() - started:.1f} s", flush=True)
        runtime.dispose()
        small, whole = periods(year, 0.1)
        found = []
        for fmt in formats:
            for first, last in (small, whole):
                m = measure_in_child(db.url, year.merchant_id, first, last, fmt)
                print(
                    f"{fmt:13s} {m.legs:>8,} legs  {m.seconds:6.1f} s  traced peak "
                    f"{m.traced_peak_kib:>7,} KiB  RSS {m.rss_before_kib:,} -> "
                    f"{m.rss_peak_kib:,} KiB",
                    flush=True,
                )
                found.append(m)
        return found


def report(kind: str, found: list[Measured], command: str) -> str:
    lines = [
        "# Exports: memory as the period grows",
        "",
        f"Written by `{command}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC;"
        f" {platform.python_version()}, {kind}, {os.cpu_count()} cores.",
        "",
        "Each export ran in a fresh process writing to /dev/null, timed with tracemalloc"
        " on (which slows Python down). *Traced peak*: Python's own allocations at their"
        " highest during the export (tracemalloc). *RSS*: the process's resident memory as"
        " the export starts (imports, engine) and its peak during the export (VmHWM, reset"
        " at the start). The last rows are the control, `journal+whole`: the same file"
        " joined in memory before it is written, as an export that is not streamed would"
        " hold it; there the larger period's figures grow with its legs.",
        "",
        "| format | legs | seconds | traced peak (KiB) | RSS at start (KiB) | peak RSS (KiB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for m in found:
        name = f"{m.fmt}+whole (control)" if m.held_whole else m.fmt
        lines.append(
            f"| {name} | {m.legs:,} | {m.seconds:.1f} | {m.traced_peak_kib:,} |"
            f" {m.rss_before_kib:,} | {m.rss_peak_kib:,} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--measure", nargs=5, metavar=("URL", "MERCHANT", "FROM", "TO", "FORMAT"))
    parser.add_argument("--engine", choices=(SQLITE, POSTGRESQL), default=SQLITE)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--legs", type=int, default=200_000)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--write", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(asdict(measure(*args.measure))))
        return
    formats = tuple(f for f in args.formats.split(",") if f)
    found = run(args.engine, args.pg_url, args.legs, formats)
    if args.write:
        command = "python -m bench.exports_memory " + " ".join(argv or sys.argv[1:])
        args.write.write_text(report(args.engine, found, command.strip()), encoding="utf-8")


if __name__ == "__main__":
    main()

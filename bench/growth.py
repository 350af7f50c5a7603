"""Cost as the data grows: the settle rate and the cash-flow report time with
a small and a large ledger already present.

The history is pre-filled straight into the ledger tables, not through the
API (a million lines through the service layer would take an hour): balanced
two-leg TRANSFER entries (cash debit, revenue credit) with servefirst's own id
format, spread evenly over the measured merchants and over the past year, and
the merchants' running balances moved by the same totals, so ``servefirst
ledger audit`` still agrees. PostgreSQL loads with COPY, then VACUUM ANALYZE
(what autovacuum would have done on a live server); SQLite loads with executemany in one
transaction per batch, through the sqlite3 driver.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from bench.settle import Shop, make_runtime, measure_settle, open_shops, settle_one
from bench.stats import median
from bench.workers import Rate
from servefirst.kit.ids import new_id
from servefirst.ledger.models import AccountBalance, JournalEntryRow, JournalLegRow
from servefirst.ledger.rules import Account, EntryKind
from servefirst.reports.service import cash_flow
from servefirst.runtime import Runtime

BATCH = 50_000
YEAR_SECONDS = 365 * 24 * 3600


@dataclass(frozen=True)
class GrowthPoint:
    lines_present: int  # ledger lines (journal legs) when the measurement began
    settle: Rate
    cash_flow_ms: float  # median of the report's run times


def ledger_lines(runtime: Runtime) -> int:
    with runtime.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(JournalLegRow)).scalar_one())


History = Iterator[tuple[str, str, int, datetime]]  # merchant, entry id, amount, when


def _entries(merchant_ids: list[str], count: int, totals: dict[str, int]) -> History:
    now = datetime.now(UTC)
    for n in range(count):
        merchant = merchant_ids[n % len(merchant_ids)]
        amount = random.randint(100, 5000)
        totals[merchant] += amount
        entry_id = new_id("je")
        created = now - timedelta(seconds=random.randint(60, YEAR_SECONDS))
        yield (merchant, entry_id, amount, created)


def fill_ledger(runtime: Runtime, merchant_ids: list[str], lines: int) -> None:
    """Add ``lines`` ledger lines (``lines / 2`` two-leg entries) to the merchants."""
    if lines <= 0:
        return
    totals: dict[str, int] = defaultdict(int)
    rows = _entries(merchant_ids, lines // 2, totals)
    if runtime.engine.dialect.name == "postgresql":
        _copy_postgres(runtime, rows)
    else:
        _insert_sqlite(runtime, rows)
    with runtime.engine.begin() as conn:
        for merchant, total in totals.items():
            for account, d, c in ((Account.CASH, total, 0), (Account.REVENUE, 0, total)):
                conn.execute(
                    update(AccountBalance)
                    .where(
                        AccountBalance.merchant_id == merchant,
                        AccountBalance.account == account.value,
                    )
                    .values(
                        debits=AccountBalance.debits + d,
                        credits=AccountBalance.credits + c,
                        balance=AccountBalance.balance + (d - c),
                    )
                )
    if runtime.engine.dialect.name == "postgresql":
        with runtime.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # A live server's autovacuum would have done this long ago; left to
            # run now, it would compete with the measurement for the 2 cores.
            conn.exec_driver_sql("VACUUM (ANALYZE) journal_entries, journal_legs")


def _copy_postgres(runtime: Runtime, rows: History) -> None:
    raw = runtime.engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert conn is not None
        legs: list[tuple[str, str, int, str, str, int]] = []
        kind = EntryKind.TRANSFER.value
        with conn.cursor() as cur:
            with cur.copy(
                "COPY journal_entries (merchant_id, entry_id, kind, currency, memo, tab_id,"
                " created_at) FROM STDIN"
            ) as copy:
                for merchant, entry_id, amount, created in rows:
                    copy.write_row((merchant, entry_id, kind, "EUR", "history", None, created))
                    legs.append((merchant, entry_id, 1, Account.CASH.value, "debit", amount))
                    legs.append((merchant, entry_id, 2, Account.REVENUE.value, "credit", amount))
            conn.commit()
            # Without fresh statistics the foreign-key check of every leg plans
            # for a near-empty journal_entries and scans it: quadratic.
            cur.execute("ANALYZE journal_entries")
            conn.commit()
            with cur.copy(
                "COPY journal_legs (merchant_id, entry_id, leg_no, account, side, amount)"
                " FROM STDIN"
            ) as copy:
                for leg in legs:
                    copy.write_row(leg)
        conn.commit()
    finally:
        raw.close()


def _insert_sqlite(runtime: Runtime, rows: History) -> None:
    # Straight to the sqlite3 driver: SQLAlchemy's per-row work would triple the
    # load time. Timestamps go through the column type's own bind processor, so
    # they are stored exactly as servefirst stores them.
    dialect = runtime.engine.dialect
    created_type = JournalEntryRow.__table__.c.created_at.type
    as_stored = created_type.dialect_impl(dialect).bind_processor(dialect) or (lambda v: v)
    entries: list[tuple[object, ...]] = []
    legs: list[tuple[object, ...]] = []
    raw = runtime.engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert conn is not None

        def flush() -> None:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO journal_entries (merchant_id, entry_id, kind, currency, memo,"
                " tab_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                entries,
            )
            conn.executemany(
                "INSERT INTO journal_legs (merchant_id, entry_id, leg_no, account, side, amount)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                legs,
            )
            conn.execute("COMMIT")
            entries.clear()
            legs.clear()

        kind = EntryKind.TRANSFER.value
        for merchant, entry_id, amount, created in rows:
            entries.append((merchant, entry_id, kind, "EUR", "history", None, as_stored(created)))
            legs.append((merchant, entry_id, 1, Account.CASH.value, "debit", amount))
            legs.append((merchant, entry_id, 2, Account.REVENUE.value, "credit", amount))
            if len(entries) >= BATCH:
                flush()
        if entries:
            flush()
        # Fold the load's write-ahead log into the database now, as a live
        # database of this size would have been long ago; otherwise the first
        # settle turn on it pays for checkpointing the whole load.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def sample_cash_flow(runtime: Runtime, merchant_id: str, repeats: int) -> list[float]:
    """Milliseconds for each of ``repeats`` cash-flow reports (read-only units of work)."""
    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        with runtime.uow(merchant_id, write=False) as uow:
            cash_flow(uow)
        samples.append((time.perf_counter() - began) * 1000)
    return samples


@dataclass
class _Sized:
    """One database filled to one size, with its shops, measured in turns."""

    runtime: Runtime
    shops: list[Shop]
    present: int = 0
    done: int = 0
    seconds: float = 0.0
    errors: int = 0
    first_error: str = ""
    report_ms: list[float] = field(default_factory=list)


def growth(
    urls_by_size: dict[int, str],
    clients: int,
    seconds: float,
    *,
    rounds: int = 3,
    report_repeats: int = 20,
    step: Callable[[str], None] = lambda _msg: None,
) -> list[GrowthPoint]:
    """Fill one fresh database per size, then measure them in alternating turns.

    Taking turns (reports small, large, small, ...; settling small, large,
    then large, small) spreads any drift in the machine's load over both
    sizes, so the ratio compares like with like.
    Points come back in ascending size.
    """
    sized: list[_Sized] = []
    try:
        for size, url in sorted(urls_by_size.items()):
            runtime = make_runtime(url)
            entry = _Sized(runtime, open_shops(runtime, clients))
            sized.append(entry)
            settle_one(runtime, entry.shops[0])
            merchants = sorted({s.merchant_id for s in entry.shops})
            step(f"filling a ledger to {size:,} lines")
            began = time.perf_counter()
            missing = size - ledger_lines(runtime)
            fill_ledger(runtime, merchants, missing)
            entry.present = ledger_lines(runtime)
            sample_cash_flow(runtime, entry.shops[0].merchant_id, 2)  # warm, not counted
            step(f"filled {max(missing, 0):,} lines in {time.perf_counter() - began:.1f} s")
        repeats = max(1, report_repeats // rounds)
        for turn in range(1, rounds + 1):
            step(f"turn {turn}/{rounds}: settle and report on each size")
            # One report on each size in turn: the machine's speed drifts
            # within a second (seen: the same loop 0.63 s one run, 0.94 s the
            # next), so a batch of reports on one size then the other compares
            # two different machines.
            for _ in range(repeats):
                for entry in sized:
                    merchant = entry.shops[0].merchant_id
                    entry.report_ms += sample_cash_flow(entry.runtime, merchant, 1)
            # Settle in the order small, large, then large, small, ...: a
            # machine slowing or speeding up through the turns then falls on
            # both sizes alike, not always on the one measured second.
            for entry in sized if turn % 2 else reversed(sized):
                rate = measure_settle(entry.runtime, entry.shops, seconds / rounds)
                entry.done += rate.done
                entry.seconds += rate.seconds
                entry.errors += rate.errors
                entry.first_error = entry.first_error or rate.first_error
        return [
            GrowthPoint(
                e.present,
                Rate(e.done, e.seconds, e.errors, e.first_error),
                median(e.report_ms),
            )
            for e in sized
        ]
    finally:
        for entry in sized:
            entry.runtime.dispose()

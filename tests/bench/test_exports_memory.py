"""A small run of the exports' memory benchmark: the busy year is written and
balances, and memory stays flat as the period grows, while the control (the
same file held whole) does grow: the measurement can tell them apart."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
from bench.databases import Database, fresh_database
from bench.exports_memory import Year, busy_year, measure, periods

from servefirst.config import Settings
from servefirst.ledger import service as ledger
from servefirst.runtime import Runtime
from tests.bench.test_bench_smoke import ENGINE, PG_URL


@pytest.fixture
def db() -> Iterator[Database]:
    with fresh_database(ENGINE, "exports", PG_URL) as database:
        yield database


def test_a_longer_period_exports_in_the_same_memory(db: Database) -> None:
    runtime = Runtime.create(Settings(database_url=db.url))
    runtime.migrate()
    try:
        year = busy_year(runtime, 20_000)
        with runtime.uow(year.merchant_id, write=False) as uow:
            assert ledger.audit(uow).ok
            assert ledger.count_legs(uow, *_bounds(year)) == 20_000
    finally:
        runtime.dispose()
    (first, small_end), (_, last) = periods(year, 0.1)
    url, merchant = db.url, year.merchant_id
    measure(url, merchant, first.isoformat(), small_end.isoformat(), "journal")  # warm caches
    small = measure(url, merchant, first.isoformat(), small_end.isoformat(), "journal")
    large = measure(url, merchant, first.isoformat(), last.isoformat(), "journal")
    whole = measure(url, merchant, first.isoformat(), last.isoformat(), "journal+whole")
    assert 1_500 <= small.legs <= 2_500 and large.legs == whole.legs == 20_000
    assert large.bytes_written == whole.bytes_written > 8 * small.bytes_written
    # Ten times the legs, about the same memory: read and written a batch at a time.
    assert large.traced_peak_kib - small.traced_peak_kib < 2_048
    # Held whole, the file itself is in memory at least once more.
    assert whole.traced_peak_kib - large.traced_peak_kib > whole.bytes_written // 1024


def _bounds(year: Year) -> tuple[datetime, datetime]:
    """A moment before the year's first leg and one after its last."""
    start = datetime.combine(year.days[0][0], time(), tzinfo=UTC) - timedelta(days=1)
    end = datetime.combine(year.days[-1][0], time(), tzinfo=UTC) + timedelta(days=2)
    return start, end

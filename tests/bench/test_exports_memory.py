"""A small run of the exports' memory benchmark: the busy year (taxed at two
rates) is written and balances, and memory stays flat as the period grows
(our journal, and Xero's file split by tax rate), while the control (the
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

LEGS = 40_000


@pytest.fixture
def db() -> Iterator[Database]:
    with fresh_database(ENGINE, "exports", PG_URL) as database:
        yield database


def test_a_longer_period_exports_in_the_same_memory(db: Database) -> None:
    runtime = Runtime.create(Settings(database_url=db.url))
    runtime.migrate()
    try:
        year = busy_year(runtime, LEGS)
        with runtime.uow(year.merchant_id, write=False) as uow:
            assert ledger.audit(uow).ok
            assert ledger.count_legs(uow, *_bounds(year)) == LEGS
    finally:
        runtime.dispose()
    (first, small_end), (_, last) = periods(year, 0.1)
    url, merchant = db.url, year.merchant_id
    measure(url, merchant, first.isoformat(), small_end.isoformat(), "journal")  # warm caches
    small = measure(url, merchant, first.isoformat(), small_end.isoformat(), "journal")
    large = measure(url, merchant, first.isoformat(), last.isoformat(), "journal")
    whole_small = measure(url, merchant, first.isoformat(), small_end.isoformat(), "journal+whole")
    whole = measure(url, merchant, first.isoformat(), last.isoformat(), "journal+whole")
    assert LEGS // 12 <= small.legs <= LEGS // 8 and large.legs == whole.legs == LEGS
    assert large.bytes_written == whole.bytes_written > 8 * small.bytes_written
    # The control: held whole, memory grows by at least the file's growth...
    held_growth = whole.traced_peak_kib - whole_small.traced_peak_kib
    assert held_growth > (whole.bytes_written - whole_small.bytes_written) // 1024
    # ... while streamed, ten times the legs take about the same memory.
    assert large.traced_peak_kib - small.traced_peak_kib < held_growth // 3
    # So does Xero's file, its revenue and tax lines split by the year's tax
    # movements, read beside the legs.
    xero_small = measure(url, merchant, first.isoformat(), small_end.isoformat(), "xero")
    xero = measure(url, merchant, first.isoformat(), last.isoformat(), "xero")
    assert xero.legs == LEGS and xero.bytes_written > 8 * xero_small.bytes_written
    assert xero.traced_peak_kib - xero_small.traced_peak_kib < held_growth // 3


def _bounds(year: Year) -> tuple[datetime, datetime]:
    """A moment before the year's first leg and one after its last."""
    start = datetime.combine(year.days[0][0], time(), tzinfo=UTC) - timedelta(days=1)
    end = datetime.combine(year.days[-1][0], time(), tzinfo=UTC) + timedelta(days=2)
    return start, end

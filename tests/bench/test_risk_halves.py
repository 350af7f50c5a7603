"""The halves' measurement on a small invented history: every customer falls in
one half, and the bookings scored before any outcome was known are counted
apart from those a fitted model scored."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from bench.risk_halves import half_of, main, measure

from servefirst.risk.records import BookingRecord, Outcome, write_bookings

DAY0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def history() -> list[BookingRecord]:
    """Ten customers book each day of the first week for day 14, every other one
    missing; from day 7 forty customers book each day for the next, those
    whose number ends in 0, 1 or 2 missing."""
    records = []
    n = 0
    for day in range(14):
        for c in range(40):
            if day < 7 and c >= 10:
                continue
            lead = 14 - day if day < 7 else 1
            created = DAY0 + timedelta(days=day, minutes=c)
            missed = c % 10 < 3 if day >= 7 else c % 2 == 0
            n += 1
            records.append(
                BookingRecord(
                    f"b{n}",
                    f"customer-{c}",
                    created,
                    created + timedelta(days=lead, hours=2),
                    Outcome.NO_SHOW if missed else Outcome.SHOWED,
                )
            )
    return records


def test_each_customer_is_in_one_half_the_same_each_time() -> None:
    halves = {f"customer-{c}": half_of(f"customer-{c}") for c in range(40)}
    assert set(halves.values()) == {"A", "B"}
    assert all(half_of(name) == half for name, half in halves.items())


def test_the_cold_start_is_measured_apart_from_the_fitted_model() -> None:
    records = history()
    found = measure(records, 0.3)
    # The first slots are on day 8, so their outcomes are known to bookings
    # made from day 9: everything made up to day 8 is scored by the default.
    first_known = min(r.starts_at.date() for r in records)
    cold = sum(r.created_at.date() <= first_known for r in records)
    assert found["cold"]["rows"] == cold
    assert found["fitted"]["rows"] == len(records) - cold
    assert found["all"]["rows"] == len(records)


def test_the_command_prints_both_halves_and_the_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "history.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        write_bookings(history(), stream)
    main([str(path), "--format", "bookings"])
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == {"A", "B", "whole"}
    assert printed["whole"]["all"]["rows"] == len(history())
    assert printed["A"]["all"]["rows"] + printed["B"]["all"]["rows"] == len(history())

"""The demo café's Today page has a believable morning, beside last week's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time

import pytest

from servefirst.demo import build_demo
from servefirst.demo.closed_days import holidays_in_portugal
from servefirst.reports.today import service as today
from servefirst.runtime import Runtime
from tests.conftest import TestClock


@pytest.fixture
def at_lunchtime(clock: TestClock) -> Iterator[None]:
    """The demo started at 12:00 UTC (noon or one in Lisbon): a morning behind it."""
    saved = clock.offset
    now = datetime.now(UTC)
    clock.offset = datetime.combine(now.date(), time(12), tzinfo=UTC) - now
    yield
    clock.offset = saved


def test_the_demo_cafe_has_a_morning_to_show(runtime: Runtime, at_lunchtime: None) -> None:
    demo = build_demo(runtime)
    with runtime.uow(demo.merchants[0].merchant_id, write=False) as uow:
        day = today.today(uow)
    assert {m.method for m in day.today.by_method} == {"cash", "card"}
    assert day.today.amount > 0
    # Last week's same weekday, unless the café was shut for a public holiday.
    week_ago = day.last_week.window.day
    assert (day.last_week.amount > 0) is (week_ago not in holidays_in_portugal(week_ago.year))
    assert day.today.tips > 0
    assert {s.name for s in day.by_staff if s.key} == {"Rui Pinto", "Sofia Reis"}
    assert {s.name for s in day.by_service} >= {"Galão", "Prato de brunch", "Bica"}

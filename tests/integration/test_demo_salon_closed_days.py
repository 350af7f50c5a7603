"""The demo's Lisbon salon works Tuesday to Saturday and closes on Portugal's
public holidays: none of its made-up visits or bookings falls on a day its
door is shut (1 and 8 December, a Monday, Good Friday)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from servefirst.bookings.models import Booking
from servefirst.demo import build_demo
from servefirst.demo.closed_days import holidays_in_portugal
from servefirst.runtime import Runtime
from servefirst.tabs.models import Tab
from tests.conftest import TestClock

LISBON = ZoneInfo("Europe/Lisbon")


@pytest.fixture
def demo_started_on(clock: TestClock) -> Iterator[TestClockAt]:
    saved = clock.offset
    yield TestClockAt(clock)
    clock.offset = saved


class TestClockAt:
    __test__ = False

    def __init__(self, clock: TestClock) -> None:
        self.clock = clock

    def __call__(self, moment: datetime) -> None:
        self.clock.offset = moment - datetime.now(UTC)


def test_portugal_s_holidays_include_those_that_move_with_easter() -> None:
    days = holidays_in_portugal(2027)
    assert days[date(2027, 12, 1)] == "Restauração da Independência"
    assert days[date(2027, 12, 8)] == "Imaculada Conceição"
    assert days[date(2027, 3, 26)] == "Sexta-feira Santa"  # Easter Sunday: 28 March 2027
    assert days[date(2027, 5, 27)] == "Corpo de Deus"
    assert date(2027, 12, 24) not in days


@pytest.mark.parametrize(
    "started",
    [
        # 1 December is three days back, the Monday of 7 December three ahead.
        datetime(2026, 12, 4, 12, tzinfo=UTC),
        # 8 December is three days back.
        datetime(2026, 12, 11, 12, tzinfo=UTC),
        # A Tuesday holiday today: the salon's "today" bookings move on.
        datetime(2026, 12, 8, 9, tzinfo=UTC),
    ],
    ids=str,
)
def test_the_salon_books_and_serves_only_on_days_it_is_open(
    runtime: Runtime, demo_started_on: TestClockAt, started: datetime
) -> None:
    demo_started_on(started)
    demo = build_demo(runtime)
    salon = demo.merchants[1]
    assert salon.name == "Studio Lume"
    with runtime.uow(salon.merchant_id, write=False) as uow:
        booked = [
            b.starts_at
            for b in uow.session.scalars(
                select(Booking).where(Booking.merchant_id == salon.merchant_id)
            )
        ]
        served = [
            t.opened_at
            for t in uow.session.scalars(select(Tab).where(Tab.merchant_id == salon.merchant_id))
        ]
    assert len(booked) >= 7 and served
    shut = {}
    for moment in booked + served:
        day = moment.astimezone(LISBON).date()
        holiday = holidays_in_portugal(day.year).get(day)
        if holiday or day.weekday() in (6, 0):  # Sunday, Monday
            shut[day] = holiday or day.strftime("%A")
    assert shut == {}
    # Bookings for today or later are still ahead of the demo's start.
    assert any(moment > started - timedelta(hours=12) for moment in booked)

"""The demo's Café Azul opens every day but Portugal's public holidays: none of
its six weeks of made-up trade (a tab opened or paid, a day's drawer closed)
falls on Christmas Day, New Year's Day, 1 or 8 December. This morning, the
demo's present, stays as it is: the café is open whenever the demo starts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from servefirst.cashup.models import DayClose
from servefirst.demo import build_demo
from servefirst.demo.closed_days import holidays_in_portugal
from servefirst.payments.models import Payment
from servefirst.reports.today import service as today_page
from servefirst.runtime import Runtime
from servefirst.tabs.models import Tab
from tests.integration.test_demo_salon_closed_days import TestClockAt, demo_started_on

LISBON = ZoneInfo("Europe/Lisbon")
__all__ = ["demo_started_on"]  # a fixture, used by name


@pytest.mark.parametrize(
    "started",
    [
        # Christmas Day was yesterday (Diogo's unpaid bicas); 8 and 1 December further back.
        datetime(2026, 12, 26, 12, tzinfo=UTC),
        # Christmas Day is 15 days back (the redone brunch), New Year's Day 8.
        datetime(2027, 1, 9, 12, tzinfo=UTC),
        # New Year's Day is the same weekday last week (the Today page's comparison).
        datetime(2027, 1, 8, 12, tzinfo=UTC),
    ],
    ids=str,
)
def test_cafe_azul_trades_and_closes_its_drawer_only_on_days_it_is_open(
    runtime: Runtime, demo_started_on: TestClockAt, started: datetime
) -> None:
    demo_started_on(started)
    demo = build_demo(runtime)
    cafe = demo.merchants[0]
    assert cafe.name == "Café Azul"
    with runtime.uow(cafe.merchant_id, write=False) as uow:
        tabs = list(uow.session.scalars(select(Tab).where(Tab.merchant_id == cafe.merchant_id)))
        paid = uow.session.scalars(
            select(Payment.created_at).where(Payment.merchant_id == cafe.merchant_id)
        )
        closed = uow.session.scalars(
            select(DayClose.day).where(DayClose.merchant_id == cafe.merchant_id)
        )
        moments = [t.opened_at for t in tabs] + [t.closed_at for t in tabs if t.closed_at]
        days = {m.astimezone(LISBON).date() for m in [*moments, *paid]} | set(closed)
        last_week = today_page.today(uow).last_week
    today = started.astimezone(LISBON).date()
    assert len(days) > 30 and today in days
    shut = {d: holidays_in_portugal(d.year)[d] for d in days if _holiday(d)}
    assert shut == {}
    # The Today page's same weekday last week: nothing sold on a holiday.
    assert (last_week.amount > 0) is not _holiday(last_week.window.day)


def _holiday(day: date) -> bool:
    return day in holidays_in_portugal(day.year)

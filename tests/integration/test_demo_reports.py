"""The demo's six weeks of history fill every report and chart of both shops
with something believable: a new owner's first look at the reports is never
"Nothing in this period"."""

from __future__ import annotations

import pytest

from servefirst.demo import DemoResult, build_demo
from servefirst.kit import formats, i18n
from servefirst.reports.sales import report_period
from servefirst.reports.views import REPORTS
from servefirst.runtime import Runtime


@pytest.fixture(scope="module")
def demo(runtime: Runtime) -> DemoResult:
    return build_demo(runtime)


@pytest.mark.parametrize("report", sorted(REPORTS))
@pytest.mark.parametrize("shop", [0, 1], ids=["cafe", "salon"])
def test_every_chart_of_the_demo_has_six_weeks_to_show(
    runtime: Runtime, demo: DemoResult, report: str, shop: int
) -> None:
    with runtime.uow(demo.merchants[shop].merchant_id, write=False) as uow:
        today = report_period(uow).last
        view = REPORTS[report](uow, report_period(uow, "", today.isoformat()))
    empty = [section.key for section in view.sections if section.empty]
    assert not empty, f"{report}: {empty} draw nothing for the demo's last four weeks"


def test_the_demo_cafe_sold_on_most_days_and_at_many_hours(
    runtime: Runtime, demo: DemoResult
) -> None:
    with runtime.uow(demo.merchants[0].merchant_id, write=False) as uow:
        view = REPORTS["sales"](uow, report_period(uow))
    by_day = view.section("by-day")
    by_hour = view.section("by-hour")
    assert by_day is not None and by_hour is not None
    selling_days = sum(1 for v in by_day.series[0][1] if v)
    assert selling_days >= 20, f"only {selling_days} of 28 days sold anything"
    assert sum(1 for v in by_hour.series[0][1] if v) >= 6


def test_report_days_read_the_merchants_way(runtime: Runtime, demo: DemoResult) -> None:
    with (
        runtime.uow(demo.merchants[0].merchant_id, write=False) as uow,
        i18n.use_language("pt"),
        formats.use_place("pt_PT", "Europe/Lisbon"),
    ):
        period = report_period(uow)
        section = REPORTS["sales"](uow, period).section("by-day")
    assert section is not None
    first = period.first
    assert section.rows[0][0] == f"{first.day:02d}/{first.month:02d}/{first.year}"
    assert section.labels[0].startswith(f"{first.day} de ")

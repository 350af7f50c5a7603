"""The work one settled tab asks of Python and of the database: counts, not seconds.

Seconds on this shared machine drift by half within minutes (see the Python
speed lines in RESULTS.md), so two runs' rates say little about two versions
of the code. Counts do not drift: for each step of the lifecycle, the Python
function calls made (cProfile's count: the same for the same code and data)
and the SQL statements sent. A change that makes the hot path cheaper shows
here on any machine, and a change that quietly adds work shows too.
"""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from bench.settle import TEST_CARD, Shop, make_runtime, open_shops, settle_one
from servefirst.db.uow import UnitOfWork
from servefirst.payments.service import pay_tab
from servefirst.runtime import Runtime
from servefirst.tabs.service import add_line, open_tab, serve

#: The lifecycle's steps, each one unit of work; a line is added twice.
STEPS = ("open", "line", "serve", "pay")
TIMES = {"open": 1, "line": 2, "serve": 1, "pay": 1}

#: One step's work in its unit of work; the tab's id is passed on in the dict.
StepWork = Callable[[UnitOfWork, dict[str, str]], object]


@dataclass
class Work:
    tabs: int
    calls: dict[str, float] = field(default_factory=dict)  # step -> Python calls, one time
    statements: dict[str, int] = field(default_factory=dict)  # step -> SQL statements, one time

    def per_tab(self, counts: dict[str, Any]) -> float:
        return float(sum(counts[step] * TIMES[step] for step in STEPS))

    def detail(self, counts: dict[str, Any]) -> str:
        return ", ".join(
            f"{step} {counts[step]:,.0f}" + (f" x{TIMES[step]}" if TIMES[step] > 1 else "")
            for step in STEPS
        )


def _steps(shop: Shop) -> list[tuple[str, StepWork]]:
    def opening(uow: UnitOfWork, tab: dict[str, str]) -> None:
        tab["id"] = open_tab(uow, customer_id=shop.customer_id).tab_id

    def line(service_id: str) -> StepWork:
        return lambda uow, tab: add_line(uow, tab["id"], service_id=service_id)

    return [
        ("open", opening),
        *(("line", line(service_id)) for service_id in shop.service_ids),
        ("serve", lambda uow, tab: serve(uow, tab["id"])),
        (
            "pay",
            lambda uow, tab: pay_tab(uow, tab["id"], method="card", amount=None, card=TEST_CARD),
        ),
    ]


def _settle(
    runtime: Runtime, shop: Shop, around: Callable[[str, Callable[[], None]], None]
) -> None:
    tab: dict[str, str] = {}
    for step, work in _steps(shop):

        def unit(work: StepWork = work) -> None:
            with runtime.uow(shop.merchant_id) as uow:
                work(uow, tab)
                uow.commit()

        around(step, unit)


def count_work(url: str, tabs: int = 10) -> Work:
    """Calls and statements per step, over ``tabs`` settled tabs after a warm-up."""
    runtime = make_runtime(url)
    try:
        shop = open_shops(runtime, 1)[0]
        for _ in range(5):  # statements compiled, caches warm
            settle_one(runtime, shop)
        calls = dict.fromkeys(STEPS, 0.0)

        def profiled(step: str, unit: Callable[[], None]) -> None:
            profiler = cProfile.Profile()
            profiler.enable()
            unit()
            profiler.disable()
            calls[step] += pstats.Stats(profiler).total_calls / (tabs * TIMES[step])  # type: ignore[attr-defined]

        for _ in range(tabs):
            _settle(runtime, shop, profiled)
        # Statements last: a listener on the engine, once there, keeps the
        # ledger's posting on SQLAlchemy's path (more calls) for good.
        statements = dict.fromkeys(STEPS, 0)
        sent: list[str] = []

        def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            sent.append(statement)

        def begun(_conn: Any) -> None:
            # SQLite's dialect sends its BEGIN itself, past the cursor events.
            if runtime.engine.dialect.name == "sqlite":
                sent.append("BEGIN")

        def counted(step: str, unit: Callable[[], None]) -> None:
            sent.clear()
            unit()
            statements[step] = max(statements[step], len(sent))

        event.listen(runtime.engine, "before_cursor_execute", count)
        event.listen(runtime.engine, "begin", begun)
        _settle(runtime, shop, counted)
    finally:
        runtime.dispose()
    return Work(tabs, calls, statements)

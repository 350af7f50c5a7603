"""Write turns: few write requests at once, in order, and none held behind a wait."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

from servefirst.server.turns import WriteTurns

T = TypeVar("T")


def run(scenario: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on a thread of its own: the browser tests' sync API
    leaves an event loop running on the worker's main thread."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, scenario).result(timeout=30)


async def most_at_once(
    turns: WriteTurns, requests: int, holding: float, order: list[int] | None = None
) -> int:
    """Send ``requests`` requests that each hold their turn ``holding`` seconds;
    how many ran at once at most (and, in ``order``, the order they got in)."""
    running, most = 0, 0

    async def request(no: int) -> None:
        nonlocal running, most
        async with turns.turn():
            if order is not None:
                order.append(no)
            running += 1
            most = max(most, running)
            await asyncio.sleep(holding)
            running -= 1

    await asyncio.gather(*(request(no) for no in range(requests)))
    return most


def test_no_more_requests_run_than_there_are_turns_and_they_go_in_arrival_order() -> None:
    order: list[int] = []
    assert run(most_at_once(WriteTurns(2, patience=10, cap=20), 8, 0.01, order)) == 2
    assert order == list(range(8))


def test_a_request_past_its_patience_lets_the_next_one_in() -> None:
    """Two requests stuck (as behind another transaction's lock) would hold
    both turns: the third still runs once their patience is out."""

    async def scenario() -> tuple[bool, int]:
        turns = WriteTurns(2, patience=0.02, cap=20)
        stuck = asyncio.Event()
        third_ran = asyncio.Event()

        async def waits_on_a_lock() -> None:
            async with turns.turn():
                await stuck.wait()

        async def third() -> None:
            async with turns.turn():
                third_ran.set()

        waiting = [asyncio.create_task(waits_on_a_lock()) for _ in range(2)]
        await asyncio.sleep(0)  # both take their turns first
        try:
            await asyncio.wait_for(third(), timeout=2)
        finally:
            stuck.set()
            await asyncio.gather(*waiting)
        return third_ran.is_set(), turns.given_back_early

    ran, early = run(scenario())
    assert ran
    assert early == 2


def test_a_turn_given_back_early_is_not_given_back_twice() -> None:
    async def scenario() -> int:
        turns = WriteTurns(1, patience=0.01, cap=20)
        async with turns.turn():
            await asyncio.sleep(0.03)  # past its patience: given back already
        # Had the end of the request given it back again, two would now run at once.
        return await most_at_once(turns, 4, 0)  # well within patience

    assert run(scenario()) == 1


def test_the_cap_bounds_requests_whose_turns_were_given_back() -> None:
    assert run(most_at_once(WriteTurns(1, patience=0.001, cap=3), 6, 0.02)) == 3


def test_with_no_turns_only_the_cap_holds_requests_back() -> None:
    assert run(most_at_once(WriteTurns(0, patience=0.001, cap=3), 6, 0.02)) == 3


def test_turns_must_fit_under_the_cap() -> None:
    with pytest.raises(ValueError):
        WriteTurns(-1, patience=0.05, cap=4)
    with pytest.raises(ValueError):
        WriteTurns(5, patience=0.05, cap=4)


def test_the_server_gives_the_app_its_write_gate_from_the_settings() -> None:
    """The route class asks the app for its gate; the server installs it."""
    from fastapi import FastAPI

    from servefirst.config import Settings
    from servefirst.server.turns import install

    app = FastAPI()
    install(app, Settings(write_turns=1, write_turn_patience_seconds=10))

    async def scenario() -> int:
        gate = app.state.write_gate
        running, most = 0, 0

        async def request() -> None:
            nonlocal running, most
            async with gate():
                running += 1
                most = max(most, running)
                await asyncio.sleep(0.01)
                running -= 1

        await asyncio.gather(*(request() for _ in range(4)))
        return most

    assert run(scenario()) == 1

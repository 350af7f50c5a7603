"""Write turns: which of a server process's write requests run now.

A write request takes a turn before its database work starts and gives it back
when it has answered. A process has few turns (``Settings.write_turns``); the
requests waiting for one are let in first come, first served. The server
installs them at start-up as the app's write gate (``install``); the route
class (``api.routing``) only asks the app for its gate.

Why few: on PostgreSQL each request runs in a worker thread, and every thread
in a process shares one GIL. With a thread per request, all the clients'
requests ran at once and took turns on the GIL a slice at a time, so each one
took as long as all of them together, and the heaviest route (the payment)
waited most. With two turns, one request's Python runs while the other waits
for the database, and the rest queue in order; fewer transactions at once also
contend less in PostgreSQL. One turn was worse: nothing then overlaps a
request's wait for the database.

Why patience: a request that holds a turn and waits on a lock another
transaction holds (a slow request's row lock, a CLI command's) would otherwise
hold every other merchant's requests in this process behind it. A turn held
longer than its patience is given back while its request goes on: the request
is then most likely waiting, not running, and the next in line should not wait
with it. Under load a request holds its turn a few milliseconds.

Why a cap (``Settings.max_concurrent_writes``), turns given back included: a
writer waiting for a database lock (SQLite's write lock, a PostgreSQL row lock)
sits in a worker thread holding a pooled connection, while the request that
holds the lock still needs a free worker thread to serialize its answer and
commit. Uncapped, many writers on one tab starved the lock holder until every
request timed out ("database is locked", pool timeouts).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from servefirst.config import Settings


class WriteTurns:
    """The turns of one event loop (an asyncio semaphore belongs to one loop)."""

    def __init__(
        self,
        turns: int,
        *,
        patience: float,
        cap: int,
    ) -> None:
        if not 0 <= turns <= cap:
            raise ValueError(f"turns must be between 0 and the cap ({cap}), not {turns}")
        # No turns (0): only the cap holds requests back.
        self._turns = asyncio.Semaphore(turns) if turns else None
        self._cap = asyncio.Semaphore(cap)
        self.patience = patience
        #: Turns given back because their request ran past its patience.
        self.given_back_early = 0

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        async with self._cap:
            if self._turns is None:
                yield
                return
            turns = self._turns
            await turns.acquire()
            held = True

            def give_back(early: bool = False) -> None:
                nonlocal held
                if held:
                    held = False
                    turns.release()
                    self.given_back_early += early

            timer = asyncio.get_running_loop().call_later(self.patience, give_back, True)
            try:
                yield
            finally:
                timer.cancel()
                give_back()


def gate(settings: Settings) -> Callable[[], AbstractAsyncContextManager[None]]:
    """The write gate ``settings`` ask for: a turn from the running event
    loop's ``WriteTurns``, made on first use."""
    per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, WriteTurns] = (
        weakref.WeakKeyDictionary()
    )

    def turn() -> AbstractAsyncContextManager[None]:
        loop = asyncio.get_running_loop()
        turns = per_loop.get(loop)
        if turns is None:
            turns = per_loop[loop] = WriteTurns(
                settings.write_turns,
                patience=settings.write_turn_patience_seconds,
                cap=settings.max_concurrent_writes,
            )
        return turns.turn()

    return turn


def install(app: FastAPI, settings: Settings) -> None:
    """Make the app's write requests take turns as ``settings`` say."""
    app.state.write_gate = gate(settings)

"""Write turns: which of a server process's write requests run now.

A write request takes a turn before its database work starts and gives it back
when it has answered. A process has few turns (``WRITE_TURNS``); the requests
waiting for one are let in first come, first served.

Why few: on PostgreSQL each request runs in a worker thread, and every thread
in a process shares one GIL. With a thread per request, eight clients' requests
all ran at once and took turns on the GIL a slice at a time, so each one took
as long as all of them together, and the heaviest route (the payment) waited
most. With two turns, one request's Python runs while the other waits for the
database, and the rest queue in order. Over five paired runs (8 clients, 2
workers, 2 cores): worst-route p99 50-61 ms against 58-85, 16-46 % more
lifecycles a second, and PostgreSQL itself spent a fifth less CPU a lifecycle
(fewer transactions at once contend less). One turn was worse (three runs):
nothing then overlaps a request's wait for the database. Three were no better.

Why patience: a request that holds a turn and waits on a lock another
transaction holds (a slow request's row lock, a CLI command's) would otherwise
hold every other merchant's requests in this process behind it. A turn held
longer than ``PATIENCE_SECONDS`` is given back while its request goes on: the
request is then most likely waiting, not running, and the next in line should
not wait with it. Under load a request holds its turn a few milliseconds.

The cap (``MAX_CONCURRENT_WRITES``) still bounds what runs at all, turns given
back included: see its comment.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

#: Write requests whose database work runs at once in one process.
WRITE_TURNS = 2

#: How long a request keeps its turn before the next in line may go too.
PATIENCE_SECONDS = 0.05

#: Requests that may be writing at once in this process, turns given back
#: included. A writer waiting for a database lock (SQLite's write lock, a
#: PostgreSQL row lock) sits in a worker thread holding a pooled connection,
#: while the request that holds the lock still needs a free worker thread to
#: serialize its answer and commit. Kept well below the thread pool (40) and the
#: connection pool (30), so that thread is always there; uncapped, 50 writers on
#: one tab starved the lock holder until every request timed out ("database is
#: locked", QueuePool timeouts).
MAX_CONCURRENT_WRITES = 20


class WriteTurns:
    """The turns of one event loop (an asyncio semaphore belongs to one loop)."""

    def __init__(
        self,
        turns: int = WRITE_TURNS,
        *,
        patience: float = PATIENCE_SECONDS,
        cap: int = MAX_CONCURRENT_WRITES,
    ) -> None:
        if not 0 < turns <= cap:
            raise ValueError(f"turns must be between 1 and the cap ({cap}), not {turns}")
        self._turns = asyncio.Semaphore(turns)
        self._cap = asyncio.Semaphore(cap)
        self.patience = patience
        #: Turns given back because their request ran past its patience.
        self.given_back_early = 0

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        async with self._cap:
            await self._turns.acquire()
            held = True

            def give_back(early: bool = False) -> None:
                nonlocal held
                if held:
                    held = False
                    self._turns.release()
                    self.given_back_early += early

            timer = asyncio.get_running_loop().call_later(self.patience, give_back, True)
            try:
                yield
            finally:
                timer.cancel()
                give_back()

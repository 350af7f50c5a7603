"""Keeping keep-alive connections spread evenly over ``serve --workers N``.

The kernel hands each new connection to one worker's socket (``SO_REUSEPORT``)
by a hash of its addresses, and a keep-alive connection then stays where it
landed. A reverse proxy, a till or a load test holds a few such connections
for hours, and a few connections hash unevenly more often than not (eight over
two workers: most of the time one worker gets five or more). That worker then
does the work of those clients alone while the other idles, and the p99
follows the split.

So each worker keeps its count of open connections in memory the workers
share, and a worker holding more than its fair share (the total divided over
the workers, rounded up) answers the next request with ``Connection: close``,
at most one every ``Settings.connection_shed_every_seconds``. The client opens
a new connection for its next request, as HTTP/1.1 clients do, and the kernel
hashes it afresh: the split evens out within a second or two, and an even
split sheds nothing.
"""

from __future__ import annotations

import math
import multiprocessing
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def over_share(counts: Sequence[int], worker: int) -> bool:
    """Whether ``worker`` holds more open connections than its fair share."""
    fair = math.ceil(sum(counts) / len(counts))
    return counts[worker] > fair


class ConnectionShares:
    """Each worker's count of open connections, in shared memory (made by the
    parent, handed to every worker; a plain list works within one process)."""

    def __init__(self, workers: int, *, shared: bool = True) -> None:
        if workers < 1:
            raise ValueError("there must be at least one worker")
        self.counts: Any = (
            multiprocessing.get_context("spawn").RawArray("i", workers) if shared else [0] * workers
        )

    def keep_counted(
        self, worker: int, open_connections: Callable[[], int], *, every: float
    ) -> threading.Thread:
        """Write the worker's count of open connections to its slot, now and
        every few milliseconds, so the others see it even while this worker
        answers nothing."""

        def count() -> None:
            while True:
                self.counts[worker] = open_connections()
                time.sleep(every)

        thread = threading.Thread(target=count, name="connection-count", daemon=True)
        thread.start()
        return thread


class ShedOverShare:
    """ASGI middleware: while this worker holds more than its share of
    connections, close one after its response now and then (see the module)."""

    def __init__(
        self,
        app: ASGIApp,
        shares: ConnectionShares,
        worker: int,
        open_connections: Callable[[], int],
        *,
        every: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.shares = shares
        self.worker = worker
        self.open_connections = open_connections
        self.every = every
        self.clock = clock
        self._last_shed = -math.inf
        self.shed = 0  # connections asked to close so far

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and self._should_shed():
                headers = [*message.get("headers", []), (b"connection", b"close")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)

    def _should_shed(self) -> bool:
        counts = self.shares.counts
        counts[self.worker] = self.open_connections()  # this worker's own, as of now
        now = self.clock()
        if now - self._last_shed < self.every or not over_share(counts, self.worker):
            return False
        self._last_shed = now
        self.shed += 1
        return True

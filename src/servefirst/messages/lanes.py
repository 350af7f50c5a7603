"""A delivery worker's lane: sends of one kind (e-mail, webhooks) in a pool of
threads, at most ``size`` in flight, so a slow endpoint holds one sender and
never the others."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

log = logging.getLogger("servefirst.worker")

T = TypeVar("T")


class Lane(Generic[T]):
    """Sends of one kind, at most ``size`` in flight."""

    def __init__(
        self,
        claim_fn: Callable[[int], list[T]],
        send_fn: Callable[[T], int],
        size: int,
        name: str,
        wake: threading.Event,
    ) -> None:
        self.claim_fn, self.send_fn, self.size, self.wake = claim_fn, send_fn, size, wake
        self.pool = ThreadPoolExecutor(size, thread_name_prefix=f"servefirst-{name}")
        self.inflight: set[Future[int]] = set()

    def fill(self) -> bool:
        self.inflight = {f for f in self.inflight if not f.done()}
        free = self.size - len(self.inflight)
        if free <= 0:
            return False
        runs = self.claim_fn(free)
        for run in runs:
            future = self.pool.submit(self.send_fn, run)
            future.add_done_callback(self._done)
            self.inflight.add(future)
        return bool(runs)

    def _done(self, future: Future[int]) -> None:
        exc = future.exception()
        if exc is not None:
            log.error("delivery worker: a send failed", exc_info=exc)
        self.wake.set()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

"""The delivery worker inside ``servefirst serve``: a thread beside the app
while it runs, unless the server is started ``--no-worker``."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime


def lifespan(runtime: Runtime) -> Callable[[Any], Any]:
    """The app's lifespan: the worker in a thread of the server while it runs,
    if ``settings.deliver_in_process`` (``servefirst serve`` without ``--no-worker``)."""

    @asynccontextmanager
    async def run_beside(_app: Any) -> AsyncIterator[None]:
        if not runtime.settings.deliver_in_process:
            yield
            return
        stop = threading.Event()
        thread = threading.Thread(
            target=Worker(runtime).run, args=(stop,), name="servefirst-worker", daemon=True
        )
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=30)

    return run_beside

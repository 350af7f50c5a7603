"""Work that runs in a thread of the web server while it serves (the delivery
worker, payment recovery): started with the app, stopped and waited for when
the app stops."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

#: Seconds the app's shutdown waits for the thread to see ``stop`` and finish.
JOIN_SECONDS = 30


def in_a_thread(
    run: Callable[[threading.Event], None], name: str, *, when: bool
) -> Callable[[Any], Any]:
    """An app lifespan that runs ``run(stop)`` in a daemon thread named
    ``name`` while the app runs, if ``when``; ``stop`` is set at shutdown."""

    @asynccontextmanager
    async def run_beside(_app: Any) -> AsyncIterator[None]:
        if not when:
            yield
            return
        stop = threading.Event()
        thread = threading.Thread(target=run, args=(stop,), name=name, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=JOIN_SECONDS)

    return run_beside

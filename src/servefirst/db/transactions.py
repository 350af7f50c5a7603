"""Which of an engine's connections have a transaction open, right now.

A card processor is never called inside a database transaction (DESIGN.md,
"A payment in phases"): a call of a few hundred milliseconds would hold row
locks, a connection and, on SQLite, the one writer's turn. The sandbox gateway
asks ``OpenTransactions`` before it answers, so a test that reaches the
processor with a transaction open fails (the tests turn the check on).
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, event


class OpenTransactions:
    """Follows ``begin``, ``commit`` and ``rollback`` on every connection of
    ``engine`` (and of the engines made from it with other execution options,
    which share its events), with the thread that began each transaction.

    It answers for the calling thread: other requests' transactions, open at
    the same moment in other threads, are theirs and no fault of this call. A
    transaction may end in another thread than the one that began it (a
    request's phases run in whichever worker thread is free)."""

    def __init__(self, engine: Engine) -> None:
        self._open: dict[int, int] = {}  # connection -> the thread that began its transaction
        self._lock = threading.Lock()
        event.listen(engine, "begin", self._begun)
        event.listen(engine, "commit", self._ended)
        event.listen(engine, "rollback", self._ended)

    def _begun(self, connection: Any) -> None:
        with self._lock:
            self._open[id(connection)] = threading.get_ident()

    def _ended(self, connection: Any) -> None:
        with self._lock:
            self._open.pop(id(connection), None)

    def __call__(self) -> bool:
        """True while this thread has a transaction open on the engine."""
        me = threading.get_ident()
        with self._lock:
            return me in self._open.values()

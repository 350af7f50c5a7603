"""Which of an engine's connections have a transaction open, right now.

A card processor is never called inside a database transaction (DESIGN.md,
"A payment in phases"): a call of a few hundred milliseconds would hold row
locks, a connection and, on SQLite, the one writer's turn. The sandbox gateway
asks ``OpenTransactions`` before it answers, so a test that reaches the
processor with a transaction open fails (the tests turn the check on).
"""

from __future__ import annotations

import threading
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, event

#: The request being served (set by the HTTP middleware; None outside one).
#: A request's steps hop between worker threads and leave its transaction open
#: between them, so in a request the thread does not say whose transaction it
#: is: the request does (each worker thread sees the context of the request it
#: runs for). Outside a request (a command, a test), the thread does.
request_scope: ContextVar[object | None] = ContextVar("servefirst_request", default=None)


def _caller() -> tuple[str, int]:
    scope = request_scope.get()
    return ("request", id(scope)) if scope is not None else ("thread", threading.get_ident())


class OpenTransactions:
    """Follows ``begin``, ``commit`` and ``rollback`` on every connection of
    ``engine`` (and of the engines made from it with other execution options,
    which share its events), with the request (or thread) that began each
    transaction.

    It answers for the caller: other requests' transactions, open at the same
    moment, are theirs and no fault of this call, even in the same worker
    thread. A transaction may end in another thread than the one that began it
    (a request's phases run in whichever worker thread is free)."""

    def __init__(self, engine: Engine) -> None:
        # A connection -> who began its transaction (a request, or a thread).
        self._open: dict[int, tuple[str, int]] = {}
        self._lock = threading.Lock()
        event.listen(engine, "begin", self._begun)
        event.listen(engine, "commit", self._ended)
        event.listen(engine, "rollback", self._ended)

    def _begun(self, connection: Any) -> None:
        with self._lock:
            self._open[id(connection)] = _caller()

    def _ended(self, connection: Any) -> None:
        with self._lock:
            self._open.pop(id(connection), None)

    def __call__(self) -> bool:
        """True while the calling request (or thread) has a transaction open."""
        me = _caller()
        with self._lock:
            return me in self._open.values()

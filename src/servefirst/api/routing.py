"""The route class every servefirst endpoint uses.

It finishes what ``context.py`` began: after the endpoint has built its
response, the stored idempotent answer and the endpoint's work are committed in
one transaction. If the endpoint refused the request (a ``ServefirstError``),
the work is rolled back and the refusal is stored as the key's answer; if the
request never got going (unreadable input, a crash), the key is released.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from servefirst.api.context import ReplayResponse, error_json, runtime_of
from servefirst.db.uow import UnitOfWork, new_session
from servefirst.idempotency import service as idempotency
from servefirst.kit.errors import ServefirstError

#: Requests that may be writing at once in this process. A writer waiting for
#: a database lock (SQLite's write lock, a PostgreSQL row lock) sits in a worker
#: thread holding a pooled connection, while the request that holds the lock
#: still needs a free worker thread to serialize its answer and commit. Kept
#: well below the thread pool (40) and the connection pool (30), so that thread
#: is always there; uncapped, 50 writers on one tab starved the lock holder
#: until every request timed out ("database is locked", QueuePool timeouts).
MAX_CONCURRENT_WRITES = 20

#: How long a thread may keep the GIL while another waits for it (CPython's
#: default is 5 ms). Every database call gives the GIL up and must win it back;
#: a writer holding SQLite's write turn (or a PostgreSQL row lock) then waits
#: up to 5 ms a statement while the event loop parses other requests, and
#: every writer queued behind it waits that much longer. Set by the server
#: process (``servefirst serve``/``demo``), not on import: it is process-wide.
GIL_SWITCH_INTERVAL_SECONDS = 0.0005

_write_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _write_gate() -> asyncio.Semaphore:
    """The cap for this event loop (a semaphore belongs to one loop)."""
    loop = asyncio.get_running_loop()
    gate = _write_gates.get(loop)
    if gate is None:
        gate = _write_gates[loop] = asyncio.Semaphore(MAX_CONCURRENT_WRITES)
    return gate


def _finish(request: Request, response: Response) -> Response:
    uow: UnitOfWork | None = getattr(request.state, "uow", None)
    claim: idempotency.Claim | None = getattr(request.state, "claim", None)
    if uow is None:
        return response
    try:
        if claim is not None and response.status_code < 500:
            idempotency.store(uow.session, claim, response.status_code, bytes(response.body))
        uow.commit()
    except BaseException:
        uow.rollback()
        if claim is not None:
            _release(request, claim)
        raise
    finally:
        uow.close()
    return response


def _commits_inline(request: Request) -> bool:
    """Commit a SQLite write on the event loop, without a hop to a worker thread.

    A SQLite writer holds the process's one write turn (``db.engine.WriterTurn``)
    until its COMMIT; waiting for a free worker thread and the loop's attention
    only to run a COMMIT that takes a fraction of a millisecond (the lock is
    already ours) stretches every other writer's wait. With an idempotency key
    the answer is stored first, which stays in the worker thread.
    """
    uow: UnitOfWork | None = getattr(request.state, "uow", None)
    return (
        uow is not None
        and uow.dialect == "sqlite"
        and getattr(request.state, "claim", None) is None
    )


def _release(request: Request, claim: idempotency.Claim) -> None:
    session = new_session(runtime_of(request).engine, write=True)
    try:
        idempotency.release(session, claim)
    finally:
        session.close()


def _abandon(request: Request, exc: BaseException) -> None:
    uow: UnitOfWork | None = getattr(request.state, "uow", None)
    claim: idempotency.Claim | None = getattr(request.state, "claim", None)
    if uow is not None:
        uow.rollback()
        uow.close()
    if claim is None:
        return
    if isinstance(exc, ServefirstError) and exc.status < 500:
        # A refusal is the request's answer: a retry gets the same refusal.
        session = new_session(runtime_of(request).engine, write=True)
        try:
            idempotency.store(session, claim, exc.status, error_json(exc.to_dict()))
            session.commit()
        finally:
            session.close()
    else:
        _release(request, claim)


class ServefirstRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint_handler = super().get_route_handler()

        async def handler(request: Request) -> Response:
            if request.method in ("GET", "HEAD"):
                return await run(request)  # reads wait for no lock
            async with _write_gate():
                return await run(request)

        async def run(request: Request) -> Response:
            try:
                response = await endpoint_handler(request)
            except ReplayResponse as replay:
                return replay.response()
            except BaseException as exc:
                await run_in_threadpool(_abandon, request, exc)
                raise
            if _commits_inline(request):
                return _finish(request, response)
            return await run_in_threadpool(_finish, request, response)

        return handler

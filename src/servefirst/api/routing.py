"""The route class every servefirst endpoint uses.

It finishes what ``context.py`` began: after the endpoint has built its
response, the stored idempotent answer and the endpoint's work are committed in
one transaction. If the endpoint refused the request (a ``ServefirstError``),
the work is rolled back and the refusal is stored as the key's answer; if the
request never got going (unreadable input, a crash), the key is released.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from servefirst.api.context import ReplayResponse, error_json, runtime_of
from servefirst.db.uow import UnitOfWork, new_session
from servefirst.idempotency import service as idempotency
from servefirst.kit.errors import ServefirstError


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
            try:
                response = await endpoint_handler(request)
            except ReplayResponse as replay:
                return replay.response()
            except BaseException as exc:
                await run_in_threadpool(_abandon, request, exc)
                raise
            return await run_in_threadpool(_finish, request, response)

        return handler

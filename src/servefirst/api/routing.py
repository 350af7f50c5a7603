"""The route class every servefirst endpoint uses.

It finishes what ``context.py`` began: once the endpoint has answered (or
refused, or failed), the request's work is committed or rolled back in one
place, ``commit.conclude``, with its idempotent answer. It also takes write
requests in turns, and runs sync endpoints where ``context.runs_inline`` says.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any

from fastapi import Request, Response
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.utils import get_typed_signature
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from servefirst.api.commit import conclude
from servefirst.api.context import ReplayResponse, run_sync


def write_turns(request: Request) -> AbstractAsyncContextManager[None]:
    """What a write request waits for before its work starts: the app's write
    gate, which the server installs at start-up (``servefirst.server``); an
    app without one lets every request straight in."""
    gate: Callable[[], AbstractAsyncContextManager[None]] | None = getattr(
        request.app.state, "write_gate", None
    )
    return gate() if gate is not None else nullcontext()


#: The request a ``ServefirstRoute`` is running (worker threads get a copy of
#: the context), so a sync endpoint runs where its request's work runs.
_running: contextvars.ContextVar[Request | None] = contextvars.ContextVar(
    "servefirst_request", default=None
)


#: ``APIRoute`` options that change how a response model is turned into JSON;
#: a route using any of them is left to FastAPI's own serialization.
_SERIALIZATION_OPTIONS = (
    "response_model_include",
    "response_model_exclude",
    "response_model_exclude_unset",
    "response_model_exclude_defaults",
    "response_model_exclude_none",
)


def _answers_directly(
    endpoint: Callable[..., Any], options: dict[str, Any]
) -> type[BaseModel] | None:
    """The response model a sync endpoint's result can be sent as, as is.

    FastAPI validates a sync endpoint's result against the response model in
    a second trip to a worker thread, then serializes it: for a result that
    already is an instance of that model (every servefirst endpoint builds its
    ``...Out`` model itself) that is a revalidation and an extra hop, made
    while a SQLite writer still holds the write turn. Only for plain cases:
    a sync endpoint, a pydantic model, the default response class, no
    include/exclude options, no ``Response`` parameter (its headers would be
    lost) and a status that has a body.
    """
    model = options.get("response_model")
    if not (inspect.isclass(model) and issubclass(model, BaseModel)):
        return None
    if inspect.iscoroutinefunction(endpoint) or not inspect.isfunction(endpoint):
        return None
    if not isinstance(options.get("response_class", DefaultPlaceholder(None)), DefaultPlaceholder):
        return None
    if any(options.get(name) for name in _SERIALIZATION_OPTIONS):
        return None
    if options.get("response_model_by_alias", True) is not True:
        return None
    if options.get("status_code") in (204, 304):
        return None
    for param in get_typed_signature(endpoint).parameters.values():
        if inspect.isclass(param.annotation) and issubclass(param.annotation, Response):
            return None
    return model


def _answering(
    endpoint: Callable[..., Any], model: type[BaseModel], status: int
) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    def answer(*args: Any, **kwargs: Any) -> Any:
        result = endpoint(*args, **kwargs)
        if type(result) is model:
            return _sent_as_is(result, status)
        return result  # anything else takes FastAPI's usual path

    return answer


def _sent_as_is(result: BaseModel, status: int) -> Response:
    """What FastAPI would send for ``result``: the model as JSON, by alias."""
    return Response(
        result.model_dump_json(by_alias=True), status_code=status, media_type="application/json"
    )


async def answer_last(
    request: Request, answer: Callable[[], BaseModel], status: int = 200
) -> Response:
    """An ``async`` endpoint's last step: its answer (a route's response
    model, built by ``answer``) read and the request concluded in one trip to
    where its work runs, as a sync endpoint's are (``_answer_and_conclude``)."""
    return await run_sync(
        request, _answer_and_conclude, request, lambda: _sent_as_is(answer(), status)
    )


def _dispatching(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """A sync endpoint as a coroutine that runs it where ``runs_inline`` says.

    FastAPI awaits a coroutine endpoint on the loop (and validates its result
    there too); a plain ``def`` it always sends to a worker thread. The
    wrapper keeps the endpoint's signature (``functools.wraps``), so FastAPI
    sees the same parameters and the schema is unchanged."""

    @functools.wraps(endpoint)
    async def dispatch(*args: Any, **kwargs: Any) -> Any:
        work = functools.partial(endpoint, *args, **kwargs)
        request = _running.get()
        if request is None:  # not behind ServefirstRoute's handler: FastAPI's way
            return await run_in_threadpool(work)
        return await run_sync(request, _answer_and_conclude, request, work)

    return dispatch


def _answer_and_conclude(request: Request, work: Callable[[], Any]) -> Any:
    """The endpoint's work and, when it answered with a finished response,
    the request's commit right after it, where the work ran: on PostgreSQL one
    trip to a worker thread a request instead of two. A model FastAPI still
    serializes, or a refusal, is concluded by the route's handler, as before."""
    result = work()
    if isinstance(result, Response):
        request.state.concluded = True
        return conclude(request, result)
    return result


class ServefirstRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        model = _answers_directly(endpoint, options)
        if model is not None:
            endpoint = _answering(endpoint, model, options.get("status_code") or 200)
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _dispatching(endpoint)
        super().__init__(path, endpoint, **options)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint_handler = super().get_route_handler()

        async def handler(request: Request) -> Response:
            if request.method in ("GET", "HEAD"):
                return await run(request)  # reads wait for no lock
            async with write_turns(request):
                return await run(request)

        async def run(request: Request) -> Response:
            running = _running.set(request)
            outcome: Response | BaseException
            try:
                outcome = await endpoint_handler(request)
            except ReplayResponse as replay:
                return replay.response()
            except BaseException as exc:
                outcome = exc
            finally:
                _running.reset(running)
            if getattr(request.state, "concluded", False):  # by ``_answer_and_conclude``
                if isinstance(outcome, BaseException):
                    raise outcome
                return outcome
            # The request's one commit point (or rollback), where its work ran.
            return await run_sync(request, conclude, request, outcome)

        return handler

"""A request to the API hops to a worker thread once, for its endpoint.

FastAPI runs every plain ``def`` dependency in a worker thread of its own: a
hop there and back for each, paid on every request while the event loop waits.
servefirst's dependencies do their blocking work (a key lookup, an idempotency
claim) in threads they start themselves only when needed, so they are all
``async def``; a sync one slipping in cost about a tenth of the API's rate.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from servefirst.app import create_app


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """Every APIRoute, also inside included routers (newer FastAPI keeps an
    included router as one route that wraps the original)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        original = getattr(route, "original_router", None)
        if original is not None:
            yield from _api_routes(original.routes)


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _dependencies(sub)


def _sync_dependencies(route: APIRoute) -> list[str]:
    found = []
    for dep in _dependencies(route.dependant):
        call = dep.call
        if call is None:
            continue
        # A class instance (HTTPBearer) is called through its __call__.
        target = call if inspect.isfunction(call) or inspect.ismethod(call) else call.__call__  # type: ignore[operator]
        if not inspect.iscoroutinefunction(target):
            found.append(getattr(call, "__qualname__", repr(call)))
    return found


def test_no_api_route_runs_a_dependency_in_a_worker_thread(tmp_path) -> None:
    from servefirst.config import Settings
    from servefirst.runtime import Runtime

    runtime = Runtime.create(Settings(database_url=f"sqlite:///{tmp_path / 'hops.db'}"))
    try:
        app = create_app(runtime)
        routes = [r for r in _api_routes(app.routes) if "/v1/" in r.path]
        assert routes, "no API routes found"
        offenders = {
            f"{sorted(r.methods)[0]} {r.path}": names
            for r in routes
            if (names := _sync_dependencies(r))
        }
        assert offenders == {}
    finally:
        runtime.dispose()

"""What a server process spends outside the use cases.

A request to the API hops to a worker thread once, for its endpoint: FastAPI
runs every plain ``def`` dependency in a worker thread of its own, a hop there
and back for each, paid on every request while the event loop waits.
servefirst's dependencies do their blocking work (a key lookup, an idempotency
claim) in threads they start themselves only when needed, so they are all
``async def``; a sync one slipping in cost about a tenth of the API's rate.
And start-up's objects are frozen out of the garbage collector's full passes.
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


def test_a_server_process_freezes_what_start_up_made(tmp_path) -> None:
    """Full garbage collections must not walk the app's start-up objects again
    (``gc.freeze``): in a fresh interpreter, as a server process would be."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'gc.db'}"
    script = (
        "import gc, sys\n"
        "from servefirst.config import Settings\n"
        "from servefirst.runtime import Runtime\n"
        "from servefirst.app import create_app\n"
        "from servefirst.server.process import tune_process\n"
        f"settings = Settings(database_url={url!r})\n"
        "app = create_app(Runtime.create(settings))\n"
        "tune_process(settings)\n"
        "print(gc.get_freeze_count(), len(gc.get_objects()), sys.getswitchinterval())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    frozen, still_tracked, interval = int(out[0]), int(out[1]), float(out[2])
    assert frozen > 10_000
    assert still_tracked < frozen / 10
    assert interval == 0.0005

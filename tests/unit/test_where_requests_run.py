"""Where a servefirst endpoint's database work runs: on the event loop on
SQLite (one writer at a time anyway, no network to wait for), in a worker
thread on PostgreSQL (a row lock or the network may keep it waiting)."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from servefirst.api.routing import ServefirstRoute
from servefirst.config import Settings
from servefirst.server.serving import uvicorn_options


class Where(BaseModel):
    loop: int
    endpoint: int


async def loop_thread() -> int:
    """An async dependency runs on the event loop's thread."""
    return threading.get_ident()


def _app(dialect: str | None) -> FastAPI:
    router = APIRouter(route_class=ServefirstRoute)

    @router.post("/answered", response_model=Where)
    def answered(loop: Annotated[int, Depends(loop_thread)]) -> Where:
        return Where(loop=loop, endpoint=threading.get_ident())

    @router.post("/plain")
    def plain(loop: Annotated[int, Depends(loop_thread)]) -> dict[str, int]:
        # Not a response model: FastAPI's own serialization path.
        return {"loop": loop, "endpoint": threading.get_ident()}

    app = FastAPI()
    app.include_router(router)
    if dialect is not None:
        app.state.runtime = SimpleNamespace(
            engine=SimpleNamespace(dialect=SimpleNamespace(name=dialect))
        )
    return app


@pytest.mark.parametrize("path", ["/answered", "/plain"])
def test_on_sqlite_the_endpoint_runs_on_the_event_loop(path: str) -> None:
    where = TestClient(_app("sqlite")).post(path).json()
    assert where["endpoint"] == where["loop"]


@pytest.mark.parametrize("path", ["/answered", "/plain"])
@pytest.mark.parametrize("dialect", ["postgresql", None])
def test_elsewhere_the_endpoint_runs_in_a_worker_thread(path: str, dialect: str | None) -> None:
    where = TestClient(_app(dialect)).post(path).json()
    assert where["endpoint"] != where["loop"]


def test_the_endpoint_keeps_its_signature_for_the_schema() -> None:
    schema = TestClient(_app("sqlite")).get("/openapi.json").json()
    answered = schema["paths"]["/answered"]["post"]
    assert answered["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Where"
    }


# The event loop goes with where the work runs (servefirst.server.serving.uvicorn_options).


@pytest.mark.parametrize(
    ("url", "loop"),
    [
        ("sqlite:///servefirst.db", "asyncio"),
        ("postgresql+psycopg://user@host/db", "auto"),
        ("postgres://user@host/db", "auto"),
    ],
)
def test_the_event_loop_follows_the_database(url: str, loop: str) -> None:
    options = uvicorn_options(Settings(database_url=url))
    assert options["loop"] == loop
    assert options["access_log"] is False


def test_serve_runs_uvicorn_with_the_databases_loop(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import uvicorn

    from servefirst.cli import _serve
    from servefirst.config import Settings
    from servefirst.runtime import Runtime

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    monkeypatch.setattr("servefirst.server.start.tune_process", lambda settings: None)
    runtime = Runtime.create(Settings(database_url=f"sqlite:///{tmp_path / 'sf.db'}"))
    try:
        _serve(runtime, "127.0.0.1", 8123)
    finally:
        runtime.dispose()
    assert (seen["host"], seen["port"], seen["loop"]) == ("127.0.0.1", 8123, "asyncio")

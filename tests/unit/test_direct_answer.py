"""ServefirstRoute sends a sync endpoint's response model itself (no second
validation, no extra thread hop): the JSON must be exactly FastAPI's own."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Response
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from servefirst.api.routing import ServefirstRoute


class Line(BaseModel):
    name: str
    amount: int


class Out(BaseModel):
    id: str
    object_type: str = Field(serialization_alias="object")
    total: int
    note: str | None = None
    served_at: datetime
    lines: list[Line]
    terms: Any


def _sample() -> Out:
    return Out(
        id="tab_1",
        object_type="tab",
        total=830,
        served_at=datetime(2026, 11, 25, 9, 30, 5, 123456, tzinfo=UTC),
        lines=[Line(name="Flat white ☕", amount=380), Line(name="Brunch", amount=450)],
        terms={"expected_results": ["Hot"], "limits": "No refills"},
    )


def _app(route_class: type[Any]) -> FastAPI:
    router = APIRouter(route_class=route_class)

    @router.post("/tabs", response_model=Out, status_code=201)
    def create() -> Out:
        return _sample()

    @router.get("/tabs/1", response_model=Out)
    def read() -> Out:
        return _sample()

    @router.post("/tabs/1/header", response_model=Out)
    def with_header(response: Response) -> Out:
        response.headers["X-Extra"] = "kept"
        return _sample()

    app = FastAPI()
    app.include_router(router)
    return app


def test_direct_answer_is_byte_for_byte_what_fastapi_sends() -> None:
    ours = TestClient(_app(ServefirstRoute))
    theirs = TestClient(_app(APIRoute))
    for method, path, status in [("POST", "/tabs", 201), ("GET", "/tabs/1", 200)]:
        a, b = ours.request(method, path), theirs.request(method, path)
        assert (a.status_code, b.status_code) == (status, status)
        assert a.json() == b.json()
        assert a.json()["object"] == "tab" and "object_type" not in a.json()
        assert a.headers["content-type"] == b.headers["content-type"]


def test_an_endpoint_that_sets_headers_keeps_them() -> None:
    response = TestClient(_app(ServefirstRoute)).post("/tabs/1/header")
    assert response.status_code == 200
    assert response.headers["X-Extra"] == "kept"
    assert response.json()["id"] == "tab_1"

"""What the request gate refuses before a body is read: bodies over the limit
(413), requests to the staff API without a valid key (401), bodies that are not
JSON on the JSON API (415). Memory stays flat because the body is never pulled
from the connection: the tests count the bytes the app takes from it."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Iterator
from typing import Any

from fastapi import params
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from servefirst.api.context import merchant_uow
from servefirst.api.gate import API_PREFIX, KEYLESS_PREFIXES
from servefirst.app import create_app
from tests.conftest import Merchant

LIMIT = 1024 * 1024  # the default SERVEFIRST_MAX_BODY_BYTES
CHUNK = 64 * 1024


class Connection:
    """A client sending ``total`` bytes (or without end), as the server hands
    them to the app: it counts what the app pulled."""

    def __init__(self, total: int | None, chunk: bytes = b" " * CHUNK) -> None:
        self.total, self.chunk = total, chunk
        self.pulled = 0
        self.sent: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        left = None if self.total is None else self.total - self.pulled
        body = self.chunk if left is None else self.chunk[:left]
        self.pulled += len(body)
        more = left is None or self.pulled < (self.total or 0)
        return {"type": "http.request", "body": body, "more_body": more}

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent[1:])


def call(app: Any, path: str, connection: Connection, **headers: str) -> Connection:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.replace("_", "-").lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, connection.receive, connection.send))
    return connection


def error_of(connection: Connection) -> dict[str, Any]:
    return json.loads(connection.body)["error"]  # type: ignore[no-any-return]


HUNDRED_MB = str(100 * 1024 * 1024)
#: What the client would send if let: without the gate the app reads it all.
BIG = 16 * LIMIT


def test_a_body_declared_over_the_limit_is_refused_unread(app: Any, merchant: Merchant) -> None:
    sent = call(
        app,
        "/v1/customers",
        Connection(total=BIG),
        content_length=HUNDRED_MB,
        content_type="application/json",
        authorization=f"Bearer {merchant.api_key}",
    )
    assert sent.status == 413
    assert error_of(sent)["type"] == "invalid_request_error"
    assert error_of(sent)["code"] == "payload_too_large"
    assert "1 MiB" in error_of(sent)["message"]
    assert sent.pulled == 0


def test_a_chunked_body_is_read_no_further_than_the_limit(app: Any, merchant: Merchant) -> None:
    sent = call(
        app,
        "/v1/customers",
        Connection(total=BIG),
        transfer_encoding="chunked",
        content_type="application/json",
        authorization=f"Bearer {merchant.api_key}",
    )
    assert sent.status == 413
    assert error_of(sent)["code"] == "payload_too_large"
    assert LIMIT < sent.pulled <= LIMIT + CHUNK


def test_an_unauthenticated_body_is_refused_unread(app: Any) -> None:
    sent = call(
        app, "/v1/customers", Connection(total=LIMIT), content_length=str(LIMIT),
        content_type="application/json",
    )  # fmt: skip
    assert sent.status == 401
    assert error_of(sent)["code"] == "api_key_missing"
    assert sent.pulled == 0


def test_a_body_with_a_wrong_key_is_refused_unread(app: Any, merchant: Merchant) -> None:
    for key in (merchant.api_key + "x", "sk_nothing", "garbage"):
        sent = call(
            app,
            "/v1/services",
            Connection(total=BIG),
            transfer_encoding="chunked",
            content_type="application/json",
            authorization=f"Bearer {key}",
        )
        assert sent.status == 401, key
        assert error_of(sent)["type"] == "authentication_error"
        assert sent.pulled == 0


def test_a_chunked_body_within_the_limit_is_served(app: Any, merchant: Merchant) -> None:
    body = json.dumps({"name": "Ana Costa"}).encode()
    sent = call(
        app,
        "/v1/customers",
        Connection(total=len(body), chunk=body),
        transfer_encoding="chunked",
        content_type="application/json",
        authorization=f"Bearer {merchant.api_key}",
    )
    assert sent.status == 201, sent.body
    assert json.loads(sent.body)["name"] == "Ana Costa"


def test_a_customers_body_over_the_limit_is_refused_unread(app: Any, merchant: Merchant) -> None:
    tab = merchant.served_tab(500)
    sent = call(
        app,
        f"/v1/public/tabs/{tab['token']}/review",
        Connection(total=BIG),
        content_length=str(LIMIT + 1),
        content_type="application/json",
    )
    assert sent.status == 413
    assert sent.pulled == 0


def test_the_customers_routes_take_a_body_without_an_api_key(merchant: Merchant) -> None:
    tab = merchant.served_tab(500)
    review = merchant.client.post(f"/v1/public/tabs/{tab['token']}/review", json={"rating": 5})
    assert review.status_code == 201, review.text


def test_a_form_over_the_limit_gets_a_page_not_json(app: Any) -> None:
    form = "application/x-www-form-urlencoded"
    for framing in ({"content_length": HUNDRED_MB}, {"transfer_encoding": "chunked"}):
        sent = call(
            app, "/staff/sign-in", Connection(total=BIG), content_type=form,
            accept="text/html", **framing,
        )  # fmt: skip
        assert sent.status == 413
        headers = dict(sent.sent[0]["headers"])
        assert headers[b"content-type"].startswith(b"text/html")
        page = sent.body.decode()
        assert "too much to send" in page
        assert "1 MiB" in page
        assert "invalid_json" not in page
        assert sent.pulled <= LIMIT + CHUNK


def test_a_body_that_is_not_json_is_415(merchant: Merchant) -> None:
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        answer = merchant.client.post(
            "/v1/customers",
            content=b'{"name": "Ana"}',
            headers={**merchant.headers, "Content-Type": content_type},
        )
        assert answer.status_code == 415, answer.text
        error = answer.json()["error"]
        assert error["code"] == "unsupported_media_type"
        assert error["type"] == "invalid_request_error"
        assert "application/json" in error["message"]
        assert content_type in error["message"]


def test_json_with_a_charset_or_a_json_suffix_is_json(merchant: Merchant) -> None:
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        answer = merchant.client.post(
            "/v1/customers",
            content=b'{"name": "Ana"}',
            headers={**merchant.headers, "Content-Type": content_type},
        )
        assert answer.status_code == 201, (content_type, answer.text)


def test_a_missing_body_says_so(merchant: Merchant) -> None:
    answer = merchant.client.post(
        "/v1/customers", headers={**merchant.headers, "Content-Type": "application/json"}
    )
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "parameter_missing"
    assert "None" not in error["message"]
    assert "body is missing" in error["message"]


def test_a_post_that_takes_no_body_needs_no_content_type(merchant: Merchant) -> None:
    tab = merchant.tab()
    service = merchant.service()
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"]})
    served = merchant.client.post(f"/v1/tabs/{tab['id']}/serve", headers=merchant.headers)
    assert served.status_code == 200, served.text
    assert served.json()["status"] == "served"


def api_routes(routes: list[BaseRoute]) -> Iterator[APIRoute]:
    """Every FastAPI route, whether the app lists routers flat or nested."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from api_routes(nested.routes)


def dependencies_of(dependant: Any) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from dependencies_of(dependency)


def test_the_gate_knows_which_routes_take_a_key_and_json(app: Any) -> None:
    """The gate tells routes apart by path; this holds it to the routes."""
    routes = list(api_routes(app.routes))
    assert len(routes) > 50
    for route in routes:
        in_api = route.path.startswith(API_PREFIX)
        keyed = in_api and not route.path.startswith(KEYLESS_PREFIXES)
        assert (merchant_uow in set(dependencies_of(route.dependant))) == keyed, route.path
        body = route.body_field
        if body is not None:
            takes_form = isinstance(body.field_info, params.Form)
            assert takes_form == (not in_api), route.path


def test_the_limit_is_a_setting(runtime: Any, merchant: Merchant) -> None:
    settings = runtime.settings.model_copy(update={"max_body_bytes": 64})
    small = create_app(dataclasses.replace(runtime, settings=settings))
    with TestClient(small) as client:
        headers = merchant.headers
        fits = client.post("/v1/customers", json={"name": "Ana"}, headers=headers)
        assert fits.status_code == 201, fits.text
        too_big = client.post("/v1/customers", json={"name": "A" * 60}, headers=headers)
        assert too_big.status_code == 413
        assert "64 bytes" in too_big.json()["error"]["message"]

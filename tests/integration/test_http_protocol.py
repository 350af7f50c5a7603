"""HTTP as clients expect it: HEAD wherever GET, gzip for large answers,
cross-origin calls only from the origins the server lists."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from servefirst.app import create_app
from servefirst.runtime import Runtime
from tests.conftest import Merchant

SAME_HEADERS = ("content-type", "content-length", "content-encoding", "cache-control")


def test_head_answers_wherever_get_does_with_the_same_headers_and_no_body(
    merchant: Merchant, client: TestClient
) -> None:
    tab = merchant.served_tab(450)
    for path, headers in (
        ("/healthz", {}),
        (f"/v1/tabs/{tab['id']}", merchant.headers),
        (f"/v1/public/tabs/{tab['token']}", {}),
        (f"/t/{tab['token']}", {}),
        ("/static/app.css", {}),
        ("/openapi.json", {"Accept-Encoding": "gzip"}),
        ("/docs", {}),
    ):
        got = client.get(path, headers=headers)
        head = client.head(path, headers=headers)
        assert got.status_code == 200, path
        assert head.status_code == 200, (path, head.text)
        assert head.content == b"", path
        for name in SAME_HEADERS:
            assert head.headers.get(name) == got.headers.get(name), (path, name)


def test_head_is_refused_where_get_is(merchant: Merchant, client: TestClient) -> None:
    tab = merchant.tab()
    assert client.head(f"/v1/tabs/{tab['id']}").status_code == 401  # no key: as GET
    assert client.head("/v1/tabs/tab_nothing", headers=merchant.headers).status_code == 404
    # A route with POST alone refuses GET, and HEAD alike.
    assert client.head(f"/v1/tabs/{tab['id']}/serve", headers=merchant.headers).status_code == 405


def test_large_answers_are_gzipped_for_clients_that_accept_it(client: TestClient) -> None:
    raw = client.get("/openapi.json", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    zipped = client.get("/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in zipped.headers["vary"].lower()
    assert int(zipped.headers["content-length"]) < len(raw.content) / 3
    assert zipped.json() == raw.json()  # httpx unzips it
    htmx = client.get("/static/htmx.min.js", headers={"Accept-Encoding": "gzip"})
    assert htmx.headers["content-encoding"] == "gzip"


def test_the_staff_consoles_pages_are_never_compressed(client: TestClient) -> None:
    """They carry a CSRF token beside what one typed: no BREACH by size."""
    page = client.get("/staff", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200
    assert "csrf" in page.text and len(page.content) > 1024
    assert "content-encoding" not in page.headers


def test_small_answers_are_sent_as_they_are(client: TestClient) -> None:
    answer = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in answer.headers


def test_an_idempotent_replay_is_gzipped_like_the_first_answer(merchant: Merchant) -> None:
    tab = merchant.tab()
    for price in (100, 200, 300, 400):
        service = merchant.service(price=price)
        merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"]})
    headers = {"Idempotency-Key": str(uuid.uuid4()), "Accept-Encoding": "gzip"}
    first = merchant.post(f"/v1/tabs/{tab['id']}/serve", headers=headers)
    again = merchant.post(f"/v1/tabs/{tab['id']}/serve", headers=headers)
    assert first.status_code == again.status_code == 200, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert first.headers["content-encoding"] == again.headers["content-encoding"] == "gzip"
    assert again.json() == first.json()


def test_an_htmx_fragment_is_gzipped_and_still_html(merchant: Merchant, client: TestClient) -> None:
    tab = merchant.served_tab(450, 380, 120)
    path, htmx = f"/t/{tab['token']}/live", {"HX-Request": "true"}
    raw = client.get(path, headers={**htmx, "Accept-Encoding": "identity"})
    assert len(raw.content) > 1024
    zipped = client.get(path, headers={**htmx, "Accept-Encoding": "gzip"})
    assert zipped.status_code == 200
    assert zipped.headers["content-type"].startswith("text/html")
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.text == raw.text
    # The reload signal has no body and keeps its header.
    reload = client.get(path, params={"seen": "stale"}, headers={**htmx, "Accept-Encoding": "gzip"})
    assert reload.headers["hx-refresh"] == "true"


@pytest.fixture
def shop_client(runtime: Runtime) -> Any:
    settings = runtime.settings.model_copy(
        update={"cors_origins": "https://shop.example, https://admin.shop.example"}
    )
    with TestClient(create_app(dataclasses.replace(runtime, settings=settings))) as c:
        yield c


def preflight(client: TestClient, origin: str) -> Any:
    return client.options(
        "/v1/customers",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        },
    )


def test_cross_origin_calls_are_refused_by_default(client: TestClient, merchant: Merchant) -> None:
    asked = preflight(client, "https://shop.example")
    assert asked.status_code == 400
    assert "access-control-allow-origin" not in asked.headers
    answer = client.get(
        "/v1/customers", headers={**merchant.headers, "Origin": "https://shop.example"}
    )
    assert "access-control-allow-origin" not in answer.headers


def test_a_listed_origin_may_call_the_api(shop_client: TestClient, merchant: Merchant) -> None:
    asked = preflight(shop_client, "https://admin.shop.example")
    assert asked.status_code == 200
    assert asked.headers["access-control-allow-origin"] == "https://admin.shop.example"
    allowed = asked.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "idempotency-key" in allowed
    answer = shop_client.get(
        "/v1/customers", headers={**merchant.headers, "Origin": "https://shop.example"}
    )
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "https://shop.example"
    assert "idempotent-replayed" in answer.headers["access-control-expose-headers"].lower()


def test_an_unlisted_origin_is_refused_even_when_some_are_listed(
    shop_client: TestClient,
) -> None:
    asked = preflight(shop_client, "https://evil.example")
    assert asked.status_code == 400
    assert "access-control-allow-origin" not in asked.headers

"""Every page and API answer carries the security headers; anything personal
is never stored by a browser or proxy; static files may be cached."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from servefirst.api.headers import CONTENT_SECURITY_POLICY
from servefirst.tabs import service as tabs_service
from tests.conftest import Merchant, TestClock
from tests.integration.test_bookings_api import booked


def personal_answers(merchant: Merchant, client: TestClient, clock: TestClock) -> dict[str, Any]:
    tab = merchant.served_tab(450)
    booking = booked(merchant, clock, days=3)
    return {
        "the API's JSON": merchant.get(f"/v1/tabs/{tab['id']}"),
        "an API error": client.get("/v1/tabs"),
        "an unknown route": client.get("/nothing-here"),
        "the public JSON tab": client.get(f"/v1/public/tabs/{tab['token']}"),
        "the booking's .ics": client.get(f"/v1/public/bookings/{booking['token']}.ics"),
        "the customer's page": client.get(f"/t/{tab['token']}"),
        "the customer's receipt": client.get(f"/t/{tab['token']}/receipt"),
        "the staff sign-in page": client.get("/staff"),
        "the API reference": client.get("/docs"),
        "the schema": client.get("/openapi.json"),
        "a body refused unread": client.post("/v1/tabs", content=b"{}"),
    }


def test_every_answer_carries_the_security_headers(
    merchant: Merchant, client: TestClient, clock: TestClock
) -> None:
    for what, answer in personal_answers(merchant, client, clock).items():
        headers = answer.headers
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY, what
        assert headers["x-frame-options"] == "DENY", what
        assert headers["x-content-type-options"] == "nosniff", what
        assert headers["referrer-policy"] == "no-referrer", what
        assert headers["cache-control"] == "no-store", what
        assert len(headers.get_list("x-frame-options")) == 1, what


def test_a_crash_answer_carries_the_security_headers(
    merchant: Merchant, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Starlette answers an unexpected error from outside the middleware that
    adds the headers; the 500 must not be the one answer a browser may store."""

    def crash(*_: Any, **__: Any) -> None:
        raise RuntimeError("a bug")

    customer = merchant.customer()
    monkeypatch.setattr(tabs_service, "open_tab", crash)
    answer = merchant.post("/v1/tabs", json={"customer_id": customer["id"]})
    assert answer.status_code == 500
    assert answer.json()["error"]["code"] == "internal_error"
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["cache-control"] == "no-store"


def test_the_policy_allows_no_inline_script_and_no_framing() -> None:
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in CONTENT_SECURITY_POLICY.split("; ")
    )
    assert directives["script-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "'unsafe-eval'" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    "path", ["/static/app.css", "/static/htmx.min.js", "/static/swagger-ui/swagger-ui.css"]
)
def test_static_files_may_be_cached(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 200
    assert "no-store" not in answer.headers.get("cache-control", "")
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_the_pages_carry_no_inline_script_or_handler(
    merchant: Merchant, client: TestClient
) -> None:
    tab = merchant.served_tab(450)
    for path in (f"/t/{tab['token']}", f"/t/{tab['token']}/receipt", f"/t/{tab['token']}/qr"):
        page = client.get(path).text
        assert "<script>" not in page and "hx-on" not in page and "onclick" not in page, path
        for script in page.split("<script")[1:]:
            assert script.lstrip().startswith("src="), path

"""/docs works offline: Swagger UI comes from the package, nothing from a CDN."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_the_api_reference_loads_only_same_origin_assets(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert {a.rsplit("/", 1)[-1] for a in assets} == {
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "init.js",
    }
    for asset in assets:
        assert asset.startswith("/static/"), asset  # same origin: no scheme, no host
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert len(served.content) > 100, asset
    assert "<script>" not in page.text  # started by init.js: the CSP allows no inline script
    assert 'data-openapi-url="/openapi.json"' in page.text


def test_swagger_ui_starts_from_the_schema_on_this_server(client: TestClient) -> None:
    init = client.get("/static/swagger-ui/init.js").text
    assert "SwaggerUIBundle(" in init
    assert "validatorUrl: null" in init  # no badge fetched from the public validator
    assert "http" not in init


def test_redoc_is_not_offered(client: TestClient) -> None:
    assert client.get("/redoc").status_code == 404

"""The OpenAPI schema documents every route an integrator can call, with a
summary, and an example for every request body."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

#: The contract's routes built so far (bookings come with the bookings work).
CONTRACT_ROUTES = {
    ("post", "/v1/services"),
    ("get", "/v1/services"),
    ("post", "/v1/customers"),
    ("get", "/v1/customers/{customer_id}"),
    ("post", "/v1/tabs"),
    ("get", "/v1/tabs/{tab_id}"),
    ("post", "/v1/tabs/{tab_id}/lines"),
    ("post", "/v1/tabs/{tab_id}/serve"),
    ("post", "/v1/tabs/{tab_id}/payments"),
    ("post", "/v1/tabs/{tab_id}/concerns/{concern_id}/resolve"),
    ("get", "/v1/public/tabs/{token}"),
    ("post", "/v1/public/tabs/{token}/review"),
    ("post", "/v1/public/tabs/{token}/concerns"),
    ("post", "/v1/public/tabs/{token}/pay"),
    ("get", "/v1/ledger/balances"),
    ("get", "/v1/reports/cash-flow"),
    ("get", "/healthz"),
}

MONEY_FIELDS = {"price", "amount", "tip"}


def api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every APIRoute of the app, looking inside included routers."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        inner = getattr(route, "original_router", None)  # FastAPI >= 0.150 includes lazily
        if inner is not None:
            found.extend(api_routes(inner.routes))
    return found


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        node = schema["components"]["schemas"][name]
    return node


def test_the_schema_is_served(client: TestClient, app: Any) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json()["paths"].keys() == app.openapi()["paths"].keys()


def test_every_contract_route_is_documented(app: Any) -> None:
    documented = {(m, p) for m, p, _ in operations(app.openapi())}
    assert CONTRACT_ROUTES - documented == set()


def test_every_api_route_of_the_app_is_documented(app: Any) -> None:
    documented = {(m, p) for m, p, _ in operations(app.openapi())}
    routes = [
        r for r in api_routes(app.routes) if r.path.startswith("/v1/") or r.path == "/healthz"
    ]
    assert len(routes) >= len(CONTRACT_ROUTES)
    missing = {
        (method.lower(), route.path)
        for route in routes
        for method in route.methods
        if method != "HEAD" and (method.lower(), route.path) not in documented
    }
    assert missing == set()


def test_every_operation_has_a_summary(app: Any) -> None:
    lacking = [
        (m, p) for m, p, op in operations(app.openapi()) if not op.get("summary", "").strip()
    ]
    assert lacking == []


def test_every_request_body_has_a_complete_example(app: Any) -> None:
    schema = app.openapi()
    checked, problems = 0, []
    for method, path, op in operations(schema):
        if "requestBody" not in op:
            continue
        checked += 1
        media = op["requestBody"]["content"]["application/json"]
        body = resolve(schema, media["schema"])
        examples = body.get("examples") or (
            [media["example"]] if "example" in media else list(media.get("examples", {}).values())
        )
        if not examples:
            problems.append(f"{method} {path}: no example")
            continue
        for example in examples:
            unknown = set(example) - set(body.get("properties", {}))
            missing = set(body.get("required", [])) - set(example)
            if unknown or missing:
                problems.append(f"{method} {path}: unknown {unknown}, missing {missing}")
    assert checked >= 9
    assert problems == []


def test_money_in_request_bodies_is_an_integer(app: Any) -> None:
    schema = app.openapi()
    seen = 0
    for _, path, op in operations(schema):
        if "requestBody" not in op:
            continue
        body = resolve(schema, op["requestBody"]["content"]["application/json"]["schema"])
        for name, prop in body.get("properties", {}).items():
            if name not in MONEY_FIELDS:
                continue
            seen += 1
            kinds = {resolve(schema, p).get("type") for p in prop.get("anyOf", [prop])}
            assert kinds <= {"integer", "null"}, (path, name, prop)
            assert "integer" in kinds, (path, name, prop)
    assert seen >= 6


def test_refusals_for_policy_and_cards_are_documented(app: Any) -> None:
    paths = app.openapi()["paths"]
    for method, path in (
        ("post", "/v1/tabs"),
        ("post", "/v1/tabs/{tab_id}/lines"),
        ("post", "/v1/tabs/{tab_id}/payments"),
        ("post", "/v1/public/tabs/{token}/pay"),
    ):
        assert "402" in paths[path][method]["responses"], (method, path)


def test_the_example_bodies_are_accepted(app: Any, merchant: Any) -> None:
    """The documented examples are real requests: the service example creates a service."""
    schema = app.openapi()
    service = resolve(
        schema,
        schema["paths"]["/v1/services"]["post"]["requestBody"]["content"]["application/json"][
            "schema"
        ],
    )
    created = merchant.post("/v1/services", service["examples"][0])
    assert created.status_code == 201, created.text
    customer = resolve(
        schema,
        schema["paths"]["/v1/customers"]["post"]["requestBody"]["content"]["application/json"][
            "schema"
        ],
    )
    assert merchant.post("/v1/customers", customer["examples"][0]).status_code == 201

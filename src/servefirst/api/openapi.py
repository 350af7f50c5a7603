"""The OpenAPI document, made to say what the server does.

FastAPI describes the happy path: a route's model, and a 422 in its own
``{"detail": [...]}`` shape. The server answers every refusal in the contract's
``{"error": {...}}`` shape (``api.errors``), with statuses that follow from what a
route takes. Rather than repeat that on every decorator, the document FastAPI
builds is completed here, once:

* every ``/v1`` operation lists the error statuses it can answer, each with the
  error object's schema: 401 where a key is needed, 404, 409 and 422 always, and
  400, 413 and 415 where a body is read; statuses a route declares itself (a
  402 with its codes, a 403) keep their description and get the same schema;
* every POST declares the ``Idempotency-Key`` request header, and its answers
  the ``Idempotent-Replayed`` header (a refusal is an answer and replays too);
* operation ids are the endpoint functions' names (``create_tab``), short and
  stable, since generated clients name their methods after them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from servefirst.idempotency.service import MAX_KEY_LENGTH


class ErrorDetail(BaseModel):
    """What went wrong; extra facts (``tab_limit``, ``available``) may follow."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(
        description="invalid_request_error, authentication_error, card_error, policy_error, "
        "idempotency_error, rate_limit_error or api_error.",
        examples=["policy_error"],
    )
    code: str = Field(
        description="Stable: branch on it.", examples=["tab_limit_exceeded", "parameter_invalid"]
    )
    message: str = Field(description="For a person to read; may change.")
    param: str | None = Field(description="The parameter at fault, when one is.")


class Error(BaseModel):
    """Every refusal's body."""

    error: ErrorDetail


#: The error statuses, and what each means when a route does not say more.
ERROR_STATUSES: dict[int, str] = {
    400: "invalid_json: the body could not be read as JSON.",
    401: "No API key, or not a valid one (authentication_error).",
    402: "A card declined (card_error) or the merchant's policy refused (policy_error).",
    403: "forbidden: this key or role may not do this.",
    404: "No such object for this merchant (resource_missing, or a more specific "
    "*_not_found code).",
    409: "Not allowed in the object's state now; or a request with this Idempotency-Key "
    "is still running, or the database was busy (retry).",
    413: "The request body is over the size limit.",
    415: "The body is not application/json.",
    422: "A parameter is invalid or missing (parameter_invalid, parameter_missing): "
    "param names it.",
    429: "Too many attempts (rate_limit_error); retry after Retry-After seconds.",
}

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes the POST safe to retry: the same key and body replay the first "
    "answer (for 24 hours), another body answers 422, a request still running 409.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
}
IDEMPOTENT_REPLAYED = {
    "description": "`true` when this is the stored answer to an earlier request with the "
    "same Idempotency-Key.",
    "schema": {"type": "string", "enum": ["true"]},
}

_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_FASTAPI_422 = ("HTTPValidationError", "ValidationError")
#: What FastAPI says of the 422 it adds to every route with a body: ours replaces it.
_FASTAPI_422_WORDS = "Validation Error"


def operation_id(route: APIRoute) -> str:
    """An operation's id: its endpoint function's name (``create_tab``)."""
    return route.name


def _statuses(method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses an API operation can answer, from what it takes."""
    statuses = {404, 409, 422}
    if operation.get("security"):
        statuses.add(401)
    if method == "post" or "requestBody" in operation:
        statuses |= {400, 413, 415}
    return statuses


def _complete(method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    declared = {int(code) for code in responses if code.isdigit() and int(code) >= 400}
    for status in sorted(declared | _statuses(method, operation)):
        answer = responses.setdefault(str(status), {})
        said = answer.get("description")
        if not said or said == _FASTAPI_422_WORDS:
            answer["description"] = ERROR_STATUSES.get(status, "Refused.")
        elif status == 422:  # the route's own refusals, and a bad parameter's
            answer["description"] = f"{said}. {ERROR_STATUSES[422]}"
        answer["content"] = {"application/json": {"schema": _ERROR_REF}}
    if method == "post":
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("name") == IDEMPOTENCY_KEY["name"] for p in parameters):
            parameters.append(dict(IDEMPOTENCY_KEY))
        for answer in responses.values():
            answer.setdefault("headers", {})["Idempotent-Replayed"] = dict(IDEMPOTENT_REPLAYED)


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` (FastAPI's document) completed as the module says; in place."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in (
        Error.model_json_schema(ref_template="#/components/schemas/{model}")
        .pop("$defs", {})
        .items()
    ):
        components[name] = definition
    components["Error"] = Error.model_json_schema(ref_template="#/components/schemas/{model}")
    components["Error"].pop("$defs", None)
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/v1/"):
            continue
        for method, operation in operations.items():
            _complete(method, operation)
    for name in _FASTAPI_422:  # nothing refers to FastAPI's 422 shape any more
        components.pop(name, None)
    return schema


def install(app: FastAPI) -> None:
    """Serve the completed document as ``app.openapi()`` (and ``/openapi.json``)."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

"""One place that turns every failure into the contract's error shape."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from servefirst.api.headers import headers_for
from servefirst.kit.errors import ServefirstError

log = logging.getLogger("servefirst")


def error_body(type_: str, code: str, message: str, param: str | None = None) -> dict[str, Any]:
    return {"error": {"type": type_, "code": code, "message": message, "param": param}}


def render(error: ServefirstError) -> JSONResponse:
    return JSONResponse(error.to_dict(), status_code=error.status)


#: A field name or a list index; pydantic also puts union member tags in the
#: location (``constrained-str``, ``list[constrained-str]``), which are no param.
_PARAM_PART = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_-]*|[0-9]+)$")


def _param(loc: tuple[Any, ...]) -> str | None:
    parts = [
        str(p)
        for p in loc
        if p not in ("body", "query", "path", "header")
        and _PARAM_PART.match(str(p))
        and not str(p).startswith(("constrained-", "function-"))
    ]
    return ".".join(parts) or None


def validation_response(exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    first = errors[0] if errors else {"type": "value_error", "loc": (), "msg": "Invalid request."}
    kind = first.get("type", "")
    param = _param(tuple(first.get("loc", ())))
    if kind == "json_invalid":
        body = error_body(
            "invalid_request_error", "invalid_json", "The request body is not valid JSON."
        )
        return JSONResponse(body, status_code=400)
    if kind == "missing" and param is None:
        code = "parameter_missing"
        message = (
            "The request body is missing: send a JSON object (Content-Type: application/json)."
        )
    elif kind == "missing":
        code, message = "parameter_missing", f"Missing required parameter: {param}."
    else:
        code = "parameter_invalid"
        message = (
            f"Invalid {param}: {first.get('msg', 'invalid value')}."
            if param
            else str(first.get("msg", "Invalid request."))
        )
    if param is None and kind == "model_attributes_type":
        message = "The request body must be a JSON object."
    return JSONResponse(error_body("invalid_request_error", code, message, param), status_code=422)


def refused_value(exc: DataError) -> JSONResponse:
    """The database refused a value (a NUL character, a number out of range):
    bad input, not a busy database, so retrying the same request is useless.
    (A page's address gets a page instead: ``web.error_pages``.)"""
    log.info("database refused a value: %s", exc.orig)
    return JSONResponse(
        error_body(
            "invalid_request_error",
            "parameter_invalid",
            "A value in the request cannot be stored (for example it contains a NUL "
            "character); nothing was changed.",
        ),
        status_code=422,
    )


_HTTP_CODES = {
    # Starlette's own parse failure (e.g. an integer too long for Python's JSON reader).
    400: ("invalid_json", "The request body could not be read as JSON."),
    404: ("resource_missing", "No such route."),
    405: ("method_not_allowed", "This route does not take that method."),
}


async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Starlette's own refusals (no such route, a method the route does not
    take, a body it cannot read) in the contract's shape."""
    code, message = _HTTP_CODES.get(exc.status_code, ("http_error", str(exc.detail)))
    return JSONResponse(
        error_body("invalid_request_error", code, message),
        status_code=exc.status_code,
        headers=exc.headers,
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(ServefirstError)
    async def _servefirst(_: Request, exc: ServefirstError) -> JSONResponse:
        return render(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return await http_error(request, exc)

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("integrity error turned into 409: %s", exc.orig)
        return JSONResponse(
            error_body(
                "invalid_request_error",
                "conflict",
                "The request conflicted with another change; retry it.",
            ),
            status_code=409,
        )

    @app.exception_handler(DataError)
    async def _data(_: Request, exc: DataError) -> JSONResponse:
        return refused_value(exc)

    @app.exception_handler(DBAPIError)
    async def _db(_: Request, exc: DBAPIError) -> JSONResponse:
        # Lock timeouts, deadlocks, serialization failures: the request did
        # nothing (its transaction rolled back) and may simply be retried.
        log.warning("database error turned into 409: %s", exc.orig)
        return JSONResponse(
            error_body(
                "api_error",
                "database_busy",
                "The database was busy and nothing was changed; retry the request.",
            ),
            status_code=409,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return JSONResponse(
            error_body(
                "api_error",
                "internal_error",
                "Something went wrong on our side; nothing was changed.",
            ),
            status_code=500,
            headers=headers_for(request.url.path),
        )

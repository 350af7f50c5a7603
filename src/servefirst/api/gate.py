"""The request gate: what is refused before a request body is read.

FastAPI reads and parses a body before it runs a route's dependencies, so the
API key used to be checked only once the whole body sat in memory: four
unauthenticated 100 MB bodies took a server from 200 MB to over 700 MB. This
pure ASGI middleware stands in front and, for a request that carries a body:

1. refuses a declared ``Content-Length`` over the limit (413) without reading;
2. on the staff and integrator API, checks the API key (401) without reading;
3. on the JSON API, refuses a body declared as anything but JSON (415);
4. counts the bytes of a body sent without a length (chunked) as the app
   reads them, and stops at the limit: the app never receives more.

Which routes are which is told by their path, the way the API is laid out:
``/v1/...`` takes JSON and an API key, except ``/v1/public/...`` (the tab token
in the path is the customer's credential) and ``/v1/webhooks/...`` (signed by
the sender). ``tests/integration/test_http_limits.py`` checks every route
against this. A form posted to a page gets its refusal as a small HTML page.
"""

from __future__ import annotations

import contextlib
import json
from html import escape

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servefirst.api.context import merchant_of_key
from servefirst.api.errors import error_body
from servefirst.kit.errors import AuthenticationFailed

API_PREFIX = "/v1/"
#: Under the API, but no API key: the customer's token routes, signed webhooks.
KEYLESS_PREFIXES = ("/v1/public/", "/v1/webhooks/")


class BodyTooLarge(Exception):
    """Raised to the app from ``receive`` when a body passes the limit."""


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _declared_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None  # the server refuses a malformed length itself


def _has_body(scope: Scope) -> bool:
    length = _declared_length(scope)
    if length is not None:
        return length > 0
    return _header(scope, b"transfer-encoding") is not None


def is_json(content_type: str) -> bool:
    """``application/json`` or a ``+json`` type (what FastAPI parses as JSON)."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _bearer(scope: Scope) -> str | None:
    scheme, _, credentials = (_header(scope, b"authorization") or "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip() or None


def wants_html(scope: Scope) -> bool:
    """A browser's form post or page request: answered with a page, not JSON."""
    content_type = (_header(scope, b"content-type") or "").lower()
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return True
    return "text/html" in (_header(scope, b"accept") or "")


class RequestGate:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        refusal = await self._refusal(scope)
        if refusal is not None:
            await _send(send, *refusal)
            return
        await self._counted(scope, receive, send)

    async def _refusal(self, scope: Scope) -> tuple[int, bytes, str] | None:
        """What to answer instead of reading the body, if anything."""
        length = _declared_length(scope)
        if length is not None and length > self.max_body_bytes:
            return self._too_large(scope)
        path: str = scope["path"]
        if not path.startswith(API_PREFIX):
            return None
        if not path.startswith(KEYLESS_PREFIXES):
            try:
                await merchant_of_key(Request(scope), _bearer(scope))
            except AuthenticationFailed as refused:
                return 401, _json(refused.to_dict()), "application/json"
        content_type = _header(scope, b"content-type")
        if content_type is not None and not is_json(content_type):
            message = (
                f"The request body must be JSON (Content-Type: application/json), "
                f"not {content_type.split(';', 1)[0].strip()[:100]!r}."
            )
            body = error_body("invalid_request_error", "unsupported_media_type", message)
            return 415, _json(body), "application/json"
        return None

    def _too_large(self, scope: Scope) -> tuple[int, bytes, str]:
        limit = _size(self.max_body_bytes)
        if wants_html(scope):
            return 413, _too_large_page(limit), "text/html; charset=utf-8"
        message = f"The request body is larger than this server accepts ({limit})."
        body = error_body("invalid_request_error", "payload_too_large", message)
        return 413, _json(body), "application/json"

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the body on as the app reads it, never more than the limit."""
        received = 0
        exceeded = False
        answered = False

        async def counting() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def sending(message: Message) -> None:
            nonlocal answered
            if exceeded:
                return  # the app's answer to a body cut short: ours goes instead
            answered = True
            await send(message)

        with contextlib.suppress(BodyTooLarge):  # raised by ``counting``, answered below
            await self.app(scope, counting, sending)
        if exceeded and not answered:
            await _send(send, *self._too_large(scope))


def _json(body: dict[str, object]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def _size(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n} bytes"


def _too_large_page(limit: str) -> bytes:
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Too much to send</title>
  <link rel="stylesheet" href="/static/app.css">
</head>
<body>
  <main id="main">
    <h1>That was too much to send</h1>
    <p role="alert">The form was larger than this server accepts ({escape(limit)}).
    Go back, shorten what you typed or attached, and send it again.</p>
  </main>
</body>
</html>
""".encode()


async def _send(send: Send, status: int, body: bytes, content_type: str) -> None:
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
        # The body was not read: the connection cannot carry another request.
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

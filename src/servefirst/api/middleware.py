"""The HTTP plumbing every request passes through, outermost first:

* ``SecurityHeaders``: a Content-Security-Policy, no framing, no sniffing, no
  referrer, and ``Cache-Control: no-store`` on everything but static files
  (tabs, receipts, bookings, the API's answers are all someone's own);
* ``HeadAsGet``: HEAD answered wherever GET is (RFC 9110), headers and no body;
* CORS (Starlette's): only the origins in ``SERVEFIRST_CORS_ORIGINS``;
* gzip (Starlette's) for answers over 1 KiB to clients that accept it;
* ``RequestGate`` (``api.gate``): body limits, the API key and the media type
  checked before a body is read.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servefirst.api.gate import RequestGate
from servefirst.config import Settings

#: Scripts, styles, images and calls only from this server; no plugins, no
#: framing, forms posted only here. No 'unsafe-inline': an injected <script>
#: or event handler does not run (htmx's own inline indicator style is turned
#: off by the pages' htmx-config, its eval-based features by allowEval).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    # A tab's token is in its address: it must never leave in a Referer.
    (b"referrer-policy", b"no-referrer"),
)
NO_STORE = (b"cache-control", b"no-store")
#: Files the same for everyone (scripts, styles, Swagger UI): may be cached.
CACHEABLE_PREFIXES = ("/static/",)
#: Answers over this many bytes are compressed for clients that accept gzip.
GZIP_MINIMUM_BYTES = 1024


class SecurityHeaders:
    """Adds each header the response does not set itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = SECURITY_HEADERS
        if not scope["path"].startswith(CACHEABLE_PREFIXES):
            extra = (*extra, NO_STORE)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in extra if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


class HeadAsGet:
    """HEAD runs as GET and its body is dropped: the same status and headers
    (``Content-Length`` included) wherever GET is answered. FastAPI's routes
    answer only the methods they name, so HEAD was a 405 everywhere."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, sending)


def install(app: FastAPI, settings: Settings) -> None:
    """Wire the middleware above around ``app`` (the last added runs first)."""
    app.add_middleware(RequestGate, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origin_list,
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
        expose_headers=["Idempotent-Replayed", "Retry-After"],
        max_age=600,
    )
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)

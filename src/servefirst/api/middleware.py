"""The HTTP plumbing every request passes through, outermost first:

* security headers: a Content-Security-Policy, no framing, no sniffing, no
  referrer, and ``Cache-Control: no-store`` on everything but static files
  (tabs, receipts, bookings, the API's answers are all someone's own);
* HEAD answered wherever GET is (RFC 9110): the same headers, no body;
* CORS (Starlette's): only the origins in ``SERVEFIRST_CORS_ORIGINS``;
* gzip (Starlette's) for answers over 1 KiB to clients that accept it, but
  not the staff console's pages;
* ``RequestGate`` (``api.gate``): body limits, the API key and the media type
  checked before a body is read.

The first four are one layer (``HttpPlumbing``) that calls Starlette's CORS
only for a request with an ``Origin`` and its gzip only for a client that
accepts gzip: each layer costs every request some CPU (``bench/README.md``,
"Middleware layers"), and most API calls come from servers, without an
``Origin``.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servefirst.api.gate import RequestGate
from servefirst.api.headers import CACHEABLE_PREFIXES, NO_STORE, SECURITY_HEADERS
from servefirst.config import Settings
from servefirst.db import transactions

#: Pages never compressed: the staff console's carry a CSRF token beside what
#: one searched for, the mix from which BREACH reads a secret by the size of
#: compressed answers to requests another site makes the browser send.
UNCOMPRESSED_PREFIXES = ("/staff",)


def _has(scope: Scope, name: bytes, part: bytes = b"") -> bool:
    return any(key == name and part in value for key, value in scope["headers"])


class HttpPlumbing:
    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.gzip = GZipMiddleware(
            app, minimum_size=settings.gzip_minimum_bytes, compresslevel=settings.gzip_level
        )
        self.cors = CORSMiddleware(
            self._compressed,
            allow_origins=settings.cors_origin_list,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
            expose_headers=["Idempotent-Replayed", "Retry-After"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        transactions.request_scope.set(object())  # whose transactions are whose
        head = scope["method"] == "HEAD"
        if head:  # run as GET; FastAPI's routes answer only the methods they name
            scope = {**scope, "method": "GET"}
        extra = SECURITY_HEADERS
        if not scope["path"].startswith(CACHEABLE_PREFIXES):
            extra = (*extra, NO_STORE)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in extra if h[0] not in present)
                message = {**message, "headers": headers}
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        if _has(scope, b"origin"):
            await self.cors(scope, receive, sending)
        else:
            await self._compressed(scope, receive, sending)

    async def _compressed(self, scope: Scope, receive: Receive, send: Send) -> None:
        if _has(scope, b"accept-encoding", b"gzip") and not scope["path"].startswith(
            UNCOMPRESSED_PREFIXES
        ):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def install(app: FastAPI, settings: Settings) -> None:
    """Wire the middleware above around ``app`` (the last added runs first)."""
    app.add_middleware(RequestGate, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(HttpPlumbing, settings=settings)

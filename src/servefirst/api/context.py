"""The request's unit of work: authenticate, claim the idempotency key, open
the transaction. ``commit.conclude`` commits it (or rolls it back)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from servefirst.db.engine import is_sqlite
from servefirst.db.uow import UnitOfWork, new_session
from servefirst.idempotency import service as idempotency
from servefirst.kit.errors import AuthenticationFailed, NotFound
from servefirst.kit.ids import hash_secret, merchant_of_credential
from servefirst.merchants.service import authenticate
from servefirst.runtime import Runtime

T = TypeVar("T")

bearer = HTTPBearer(auto_error=False, description="A secret API key: `sk_mer_..._...`.")


class ReplayResponse(Exception):
    """Raised by a dependency when a stored answer must be sent instead."""

    def __init__(self, status: int, body: str) -> None:
        self.status, self.body = status, body

    def response(self) -> Response:
        return Response(
            self.body,
            status_code=self.status,
            media_type="application/json",
            headers={"Idempotent-Replayed": "true"},
        )


class _KeyCache:
    """Checked API keys, remembered ``seconds`` (``Settings.api_key_cache_seconds``)."""

    def __init__(self, seconds: float, size: int) -> None:
        self._seconds, self._size = seconds, size
        self._lock = threading.Lock()
        self._known: dict[str, tuple[str, float]] = {}

    def get(self, key_hash: str) -> str | None:
        with self._lock:
            hit = self._known.get(key_hash)
            if hit and hit[1] > time.monotonic():
                return hit[0]
            return None

    def put(self, key_hash: str, merchant_id: str) -> None:
        with self._lock:
            if len(self._known) >= self._size:
                self._known.clear()
            self._known[key_hash] = (merchant_id, time.monotonic() + self._seconds)


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def runs_inline(request: Request) -> bool:
    """Run this request's database work on the event loop, not in a worker thread.

    On SQLite, yes. One process has one writer at a time anyway (the write
    turn), and a SQLite statement waits for no network: handing each request
    to a worker thread and back only added two thread switches and a fight for
    the GIL between the loop and the workers, a large share of the server's
    CPU. Run inline, a request never holds the write turn while it waits for
    the loop, so no request on the loop waits on a turn held by one that needs it.

    What it costs: while one request runs, the loop reads no other. A long
    read (an export) delays the requests behind it, as SQLite's one writer
    delays writes; a write waiting for SQLite's lock held by another process
    (a CLI command's transaction, milliseconds) holds the loop as long. A
    payment processor is never called here: the paying routes call it in a
    worker thread between two short transactions (``payments.phases``).

    On PostgreSQL, no: a request may wait on another transaction's row lock,
    and one merchant's held lock must not stall every other merchant's
    requests in that process (``test_concurrency``: a tab row held, six other
    payments still answer). Run inline there, the benchmark was faster but
    that test timed out, the whole server waiting behind the held lock. The
    server's event loop is chosen to match (``server.serving.uvicorn_options``).

    Not the server's tuning (``servefirst.server``): it decides where an
    app's requests run on either engine, tests included, and on PostgreSQL
    inline would be wrong, not merely slower.
    """
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    return runtime is not None and is_sqlite(runtime.engine)


async def run_sync(request: Request, work: Callable[..., T], *args: Any) -> T:
    """``work(*args)`` inline or in a worker thread, as ``runs_inline`` says."""
    if runs_inline(request):
        return work(*args)
    return await run_in_threadpool(work, *args)


def _merchant_for_key(rt: Runtime, cache: _KeyCache, api_key: str) -> str:
    key_hash = hash_secret(api_key)
    cached = cache.get(key_hash)
    if cached is not None:
        return cached
    with rt.uow(write=False) as uow:
        merchant_id = authenticate(uow, api_key)
    cache.put(key_hash, merchant_id)
    return merchant_id


def _claim(
    rt: Runtime, merchant_id: str, scope: str, key: str, fp: str
) -> idempotency.Claim | idempotency.Replay:
    session = new_session(rt.engine, write=True)
    try:
        return idempotency.claim(
            session,
            rt.clock,
            merchant_id=merchant_id,
            scope=scope,
            key=key,
            fingerprint=fp,
            lock_seconds=rt.settings.idempotency_lock_seconds,
            ttl_hours=rt.settings.idempotency_ttl_hours,
        )
    finally:
        session.close()


def _canonical(body: bytes) -> bytes:
    """The same parameters sent again, with keys in another order or other spacing,
    are the same request (as at Stripe): compare the JSON, not its bytes."""
    try:
        return json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, RecursionError):
        return body


async def _open(request: Request, rt: Runtime, merchant_id: str, scope: str) -> UnitOfWork:
    writing = request.method not in ("GET", "HEAD")
    key = request.headers.get("Idempotency-Key")
    if request.method == "POST" and key is not None:
        body = await request.body()
        fp = idempotency.fingerprint(request.method, request.url.path, _canonical(body))
        outcome = await run_sync(request, _claim, rt, merchant_id, scope, key, fp)
        if isinstance(outcome, idempotency.Replay):
            raise ReplayResponse(outcome.status, outcome.body)
        request.state.claim = outcome
    uow = rt.uow(merchant_id, write=writing)
    request.state.uow = uow
    return uow


async def merchant_uow(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> UnitOfWork:
    """For staff and integrator routes: ``Authorization: Bearer sk_...``."""
    api_key = credentials.credentials if credentials is not None else None
    merchant_id = await merchant_of_key(request, api_key)
    return await _open(request, runtime_of(request), merchant_id, scope="api")


async def merchant_of_key(request: Request, api_key: str | None) -> str:
    """The merchant an API key belongs to, or ``AuthenticationFailed``. Also
    asked by the request gate (``api.gate``) before a body is read."""
    if not api_key:
        raise AuthenticationFailed(
            "No API key given. Send 'Authorization: Bearer sk_...'.", code="api_key_missing"
        )
    cache: _KeyCache = request.app.state.key_cache
    # A key seen in the last seconds is answered here, on the event loop: no
    # hop to a worker thread for the common case.
    merchant_id = cache.get(hash_secret(api_key))
    if merchant_id is None:
        merchant_id = await run_sync(
            request, _merchant_for_key, runtime_of(request), cache, api_key
        )
    return merchant_id


async def tab_uow(request: Request, token: str) -> UnitOfWork:
    """For the customer's routes: the tab token in the path is the credential."""
    merchant_id = merchant_of_credential(token)
    if merchant_id is None:
        raise NotFound("No such tab.", code="tab_not_found")
    rt = runtime_of(request)
    # The scope keeps one customer's keys apart from another's and from staff's.
    return await _open(request, rt, merchant_id, scope="tab:" + hash_secret(token)[:40])


async def open_public_uow(request: Request, merchant_id: str, scope: str) -> UnitOfWork:
    """A keyless public route's unit of work, once the route has found its
    merchant; ``scope`` keeps its idempotency keys apart from staff's."""
    return await _open(request, runtime_of(request), merchant_id, scope=scope)


def processor_key(request: Request, tab: str) -> str | None:
    """The payment processor's idempotency key for this request's charge on
    ``tab`` (its id or token): derived from the request's ``Idempotency-Key``,
    so a retry after a crash between the processor's charge and our commit
    asks the processor for the same charge, which it answers without charging
    again. The merchant, the key's scope (staff or this customer) and the tab
    keep one key's charges apart from another's. None without a key."""
    claim: idempotency.Claim | None = getattr(request.state, "claim", None)
    if claim is None:
        return None
    parts = (claim.merchant_id, claim.scope, tab, claim.key)
    return "idem_" + hash_secret("\0".join(parts))[:40]


MerchantUoW = Annotated[UnitOfWork, Depends(merchant_uow)]
TabUoW = Annotated[UnitOfWork, Depends(tab_uow)]


def error_json(body: dict[str, object]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


async def public_url(request: Request) -> str:
    """The address customers' links are built on. ``async``, though it awaits
    nothing: FastAPI runs a plain ``def`` dependency in a worker thread, a hop
    there and back on every request for one attribute read."""
    return runtime_of(request).settings.public_url.rstrip("/")


PublicURL = Annotated[str, Depends(public_url)]


async def processor_uow(request: Request, merchant_id: str) -> UnitOfWork:
    """For a card processor's events (``/v1/webhooks/stripe/{merchant_id}``):
    no API key; the event's signature, checked with the merchant's signing
    secret by the use case, is the credential."""
    uow = runtime_of(request).uow(merchant_id, write=True)
    request.state.uow = uow
    return uow


ProcessorUoW = Annotated[UnitOfWork, Depends(processor_uow)]

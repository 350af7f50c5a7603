"""Stripe for the tests: localstripe (a stateful fake Stripe server, from the
test extra) on a free local port, behind a small proxy that adds what
localstripe 1.15 lacks. None of this is in the product's code path.

What is the double's own, not localstripe's nor Stripe's:
* the proxy replays a POST's answer for an ``Idempotency-Key`` it has seen
  (localstripe does not), as Stripe does for 24 hours, and records the key
  every call carried;
* ``lose_next_answer``: the proxy makes the call, then drops the connection
  before answering (a lost answer), so the library retries with the same key;
* the proxy drops a refund's ``reason`` on its way to localstripe, which
  refuses the parameter Stripe takes (``requested_by_customer``);
* ``signed_event``: an event (``payment_intent.canceled``, ``charge.refunded``,
  ``charge.dispute.created``, and any other) built from the objects localstripe
  holds and signed as Stripe signs them (``t=...,v1=HMAC-SHA256``), for the
  test to post to servefirst's webhook route;
* ``refund_refused_later``: a refund localstripe made (and holds as
  succeeded) turned ``failed``, with Stripe's ``failure_reason``, as the
  customer's bank returns it days later (a card closed): localstripe never
  fails a refund that went through, so the double changes its status in the
  ``charge.refund.updated`` event it signs, and from then on the proxy
  says so too when the Refund is read (``GET /v1/refunds``, one or a list),
  as Stripe's API would (localstripe still holds it succeeded);
* ``refund_failed_at_once``: the same for a refund that never went through
  (a refund made in the dashboard that the card's bank refused);
* the proxy refuses a POST whose ``Idempotency-Key`` it saw before with other
  parameters: 400 ``idempotency_error``, "Keys for idempotent requests can
  only be used with the same parameters they were first used with", as Stripe
  does for 24 hours (localstripe keeps no keys);
  ``key_first_used_with_other_parameters`` has it seen a key so (a call the
  code before a deploy made, refused, its answer lost), and ``forget_keys``
  lets the 24 hours pass.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
import stripe
from sqlalchemy import update

from servefirst.kit.sealed import Sealer
from servefirst.payments.models import GatewayAccount
from servefirst.runtime import Runtime
from tests.patience import SERVER_START_SECONDS
from tests.ports import free_port

#: Any key of this shape is accepted by localstripe; each test merchant has its own.
TEST_SECRET_KEY = "sk_test_servefirst"


@dataclass
class Call:
    method: str
    path: str
    idempotency_key: str | None
    replayed: bool


@dataclass
class StripeDouble:
    api_base: str
    upstream_port: int
    calls: list[Call] = field(default_factory=list)
    answers: dict[tuple[str, str], tuple[int, bytes, list[tuple[str, str]]]] = field(
        default_factory=dict
    )
    #: The parameters each answered key was first used with (what Stripe compares).
    first_parameters: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)
    #: Refunds the double says failed when they are read: id -> failure_reason.
    refunds_failed: dict[str, str] = field(default_factory=dict)
    lose_next_answer: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self, secret_key: str = TEST_SECRET_KEY) -> stripe.StripeClient:
        return stripe.StripeClient(
            secret_key, base_addresses={"api": self.api_base}, max_network_retries=0
        )

    def payment_method(self, number: str = "4242424242424242") -> str:
        """What Stripe.js makes in the payer's browser, made here through the API."""
        card = {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}
        pm = self.client().v1.payment_methods.create(params={"type": "card", "card": card})
        return str(pm.id)

    def intent(self, intent_id: str) -> Any:
        return self.client().v1.payment_intents.retrieve(intent_id)

    def keys_sent(self, path_prefix: str = "/v1/payment_intents") -> list[str | None]:
        return [
            c.idempotency_key
            for c in self.calls
            if c.method == "POST" and c.path.startswith(path_prefix)
        ]

    def signed_event(
        self, type_: str, obj: dict[str, Any], secret: str, *, at: int | None = None
    ) -> tuple[bytes, str]:
        """The payload and ``Stripe-Signature`` header Stripe would send."""
        event = {
            "id": "evt_" + secrets.token_hex(12),
            "object": "event",
            "type": type_,
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "livemode": False,
            "data": {"object": obj},
        }
        payload = json.dumps(event).encode()
        return payload, sign(payload, secret, at=at)

    def refund_refused_later(
        self, refund_id: str, secret: str, *, failure_reason: str = "expired_or_canceled_card"
    ) -> tuple[bytes, str]:
        """``charge.refund.updated`` for the refund ``refund_id``, as Stripe
        sends it when a refund that succeeded fails afterwards: the Refund
        localstripe holds, its status made ``failed`` here (the double's own)."""
        self.refund_failed_at_once(refund_id, failure_reason=failure_reason)
        refund = self.client().v1.refunds.retrieve(refund_id).to_dict()
        return self.signed_event("charge.refund.updated", refund, secret)

    def refund_failed_at_once(
        self, refund_id: str, *, failure_reason: str = "expired_or_canceled_card"
    ) -> None:
        """The Refund reads ``failed`` from now on (the double's own)."""
        with self.lock:
            self.refunds_failed[refund_id] = failure_reason

    def key_first_used_with_other_parameters(
        self, key: str, secret_key: str = TEST_SECRET_KEY
    ) -> None:
        """Stripe saw a refund asked under ``key`` with other parameters (another
        amount) and kept its refusal, no refund made: every call under the key
        with other parameters is refused until ``forget_keys``."""
        slot = (f"Bearer {secret_key}", key)
        refused = {
            "error": {
                "type": "invalid_request_error",
                "code": "amount_too_large",
                "message": "Refund amount is greater than unrefunded amount on charge.",
            }
        }
        with self.lock:
            self.answers[slot] = (400, json.dumps(refused).encode(), _JSON)
            self.first_parameters[slot] = [("amount", "999999")]

    def forget_keys(self) -> None:
        """Stripe forgets an Idempotency-Key 24 hours after its first use."""
        with self.lock:
            self.answers.clear()
            self.first_parameters.clear()


_JSON = [("Content-Type", "application/json")]


def _key_reused(key: str) -> tuple[int, bytes, list[tuple[str, str]]]:
    """Stripe's answer to a key used again with other parameters."""
    message = (
        "Keys for idempotent requests can only be used with the same parameters they were"
        f" first used with. Try using a key other than '{key}' if you meant to execute a"
        " different request."
    )
    return (
        400,
        json.dumps({"error": {"type": "idempotency_error", "message": message}}).encode(),
        _JSON,
    )


def _as_failed(payload: bytes, failed: dict[str, str]) -> bytes:
    """A Refund (or a list of them) read back with the ones made failed said failed."""
    try:
        read = json.loads(payload)
    except ValueError:
        return payload
    for refund in read.get("data", [read]) if isinstance(read, dict) else []:
        if isinstance(refund, dict) and refund.get("id") in failed:
            refund.update(status="failed", failure_reason=failed[refund["id"]])
    return json.dumps(read).encode()


def sign(payload: bytes, secret: str, *, at: int | None = None) -> str:
    """Stripe's scheme: HMAC-SHA256 over ``"{t}.{payload}"`` with the signing secret."""
    t = at if at is not None else int(time.time())
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def _own_scope(path: str, payload: bytes) -> bytes:
    """localstripe's Stripe.js stand-in declares a global ``class Element``,
    which hides the browser's own ``Element`` from every other script on the
    page (htmx's ``instanceof Element`` then fails, and the tab page's live
    poll never runs); the real Stripe.js declares nothing but ``Stripe``. Run
    in a scope of its own (``Stripe`` is assigned undeclared, so it stays a
    global), it leaves the page's scripts as they would be with Stripe."""
    if not path.startswith("/js.stripe.com/v3/"):
        return payload
    return b"(function () {\n" + payload + b"\n})();\n"


def _proxy(double: StripeDouble) -> type[BaseHTTPRequestHandler]:
    class Proxy(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            key = self.headers.get("Idempotency-Key")
            slot = (self.headers.get("Authorization", ""), key or "")
            sent = sorted(parse_qsl(body.decode(errors="replace"), keep_blank_values=True))
            with double.lock:
                stored = double.answers.get(slot) if key and self.command == "POST" else None
                if stored is not None and double.first_parameters.get(slot, sent) != sent:
                    stored = _key_reused(key or "")
                double.calls.append(Call(self.command, self.path, key, stored is not None))
                lose = double.lose_next_answer and stored is None and self.command == "POST"
                if lose:
                    double.lose_next_answer = False
            if stored is None:
                upstream = http.client.HTTPConnection("127.0.0.1", double.upstream_port, timeout=30)
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "connection", "accept-encoding")
                }
                if self.command == "POST" and self.path == "/v1/refunds":
                    kept = [(k, v) for k, v in parse_qsl(body.decode()) if k != "reason"]
                    body = urlencode(kept).encode()
                    headers["Content-Length"] = str(len(body))
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                # localstripe's own headers (content type, CORS for its Stripe.js stand-in).
                kept = [
                    (k, v)
                    for k, v in answer.getheaders()
                    if k.lower()
                    not in ("content-length", "connection", "transfer-encoding", "date", "server")
                ]
                stored = (answer.status, _own_scope(self.path, answer.read()), kept)
                upstream.close()
                if key and self.command == "POST":
                    with double.lock:
                        double.answers[slot] = stored
                        double.first_parameters[slot] = sent
                if self.command == "GET" and self.path.startswith("/v1/refunds"):
                    with double.lock:
                        failed = dict(double.refunds_failed)
                    if failed:
                        stored = (stored[0], _as_failed(stored[1], failed), stored[2])
            if lose:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            status, payload, kept = stored
            self.send_response(status)
            for name, value in kept:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Request-Id", "req_" + secrets.token_hex(6))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = do_OPTIONS = _forward

    return Proxy


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("localstripe stopped at start-up")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("localstripe did not start")


@pytest.fixture(scope="session")
def localstripe_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """localstripe itself, on a free port, for the whole session."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        cwd=tmp_path_factory.mktemp("localstripe"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def stripe_double(localstripe_port: int, runtime: Runtime) -> Iterator[StripeDouble]:
    """A fresh proxy in front of the session's localstripe, for one test.

    Afterwards no merchant of the shared test database is left on Stripe: a
    later ``servefirst`` command on it, with no ``SERVEFIRST_SECRET_KEY``,
    would rightly refuse to start (tests/integration/test_cli.py)."""
    double = StripeDouble("", localstripe_port)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _proxy(double))
    double.api_base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield double
    finally:
        server.shutdown()
        server.server_close()
        no_merchant_left_on_stripe(runtime)


def no_merchant_left_on_stripe(runtime: Runtime) -> None:
    """Every merchant of the shared test database back on the sandbox, its
    keys gone: a later ``servefirst`` command on that database (a crash test's
    ``payments recover``, ``serve`` in test_cli), run without
    ``SERVEFIRST_SECRET_KEY``, would otherwise rightly refuse to start."""
    with runtime.uow() as uow:
        uow.session.execute(
            update(GatewayAccount)
            .where(GatewayAccount.gateway == "stripe")
            .values(gateway="sandbox", secret_key_sealed=None, webhook_secret_sealed=None)
        )
        uow.commit()


#: The server key the tests seal merchants' Stripe keys with.
SERVER_SECRET = "a-server-secret-for-the-tests"


@pytest.fixture
def keeps_stripe_keys(runtime: Runtime) -> Iterator[Runtime]:
    """The session's runtime with a SERVEFIRST_SECRET_KEY (it has none), for
    tests that store Stripe keys without calling Stripe; afterwards no
    merchant is left on Stripe."""
    kept = runtime.gateways.sealer
    runtime.gateways.sealer = Sealer(SERVER_SECRET)
    try:
        yield runtime
    finally:
        runtime.gateways.sealer = kept
        no_merchant_left_on_stripe(runtime)

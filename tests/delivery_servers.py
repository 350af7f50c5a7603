"""Real servers the delivery tests talk to: an SMTP server (aiosmtpd) and an
HTTP receiver that verifies every webhook with the ``standardwebhooks`` library."""

from __future__ import annotations

import email
import email.policy
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from standardwebhooks import Webhook

from tests.ports import free_port


class Mailbox:
    """What the SMTP server accepted, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.accepted_at: list[float] = []
        self.lock = threading.Lock()
        self.refuse: set[str] = set()  # addresses answered 550

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(parsed)  # type: ignore[arg-type]
            self.accepted_at.append(time.time())
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.accepted_at.clear()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[str, Mailbox]]:
    """A real SMTP server on a free local port, for the whole session."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", mailbox
    finally:
        controller.stop()


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    payload: dict[str, Any]


@dataclass
class Receiver:
    """A webhook endpoint of an integrator's: verifies each delivery and
    answers what ``answers`` says (a status, or "slow" to answer too late)."""

    url: str
    secrets: list[str] = field(default_factory=list)
    answers: list[int | str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    slow_seconds: float = 1.0

    def answer(self) -> int | str:
        return self.answers.pop(0) if self.answers else 200


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = receiver.answer()
            try:
                payload = None
                for secret in receiver.secrets:
                    try:
                        payload = Webhook(secret).verify(body, headers)
                        break
                    except Exception:  # noqa: BLE001 - try the next secret
                        continue
                if payload is None:
                    receiver.refused.append(headers.get("webhook-id", "?"))
                    answer = 401
                else:
                    receiver.received.append(Received(headers, body, payload))
            finally:
                if answer == "slow":
                    time.sleep(receiver.slow_seconds)
                    answer = 200
                self.send_response(int(answer))
                self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def webhook_receiver() -> Iterator[Callable[[], Receiver]]:
    servers: list[ThreadingHTTPServer] = []

    def start() -> Receiver:
        server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
        receiver = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks")
        server.RequestHandlerClass = _handler(receiver)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return receiver

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def only_this_merchant_waits(runtime: Any, merchant_id: str) -> None:
    """Settle every other merchant's outbox in the shared test database, as if
    delivered: a worker that serves every merchant (a process of its own, or
    the server's) then works on this test's merchant alone, not on the events
    every earlier test left undelivered."""
    from sqlalchemy import text

    with runtime.engine.begin() as conn:
        for sql in (
            "UPDATE events SET delivered_at = created_at"
            " WHERE delivered_at IS NULL AND merchant_id <> :m",
            "UPDATE messages SET status = 'skipped' WHERE status = 'pending' AND merchant_id <> :m",
            "UPDATE webhook_deliveries SET status = 'failed'"
            " WHERE status = 'pending' AND merchant_id <> :m",
        ):
            conn.execute(text(sql), {"m": merchant_id})

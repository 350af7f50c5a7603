"""The delivery worker keeps its SMTP connection: one connection carries
message after message, and a connection the mail server dropped is opened
again without losing the message that found it closed."""

from __future__ import annotations

from typing import Any

from aiosmtpd.controller import Controller

from servefirst.messages.transport import Transports, mailer_for
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.delivery_servers import Mailbox
from tests.ports import free_port


class CountingMailbox(Mailbox):
    """A mailbox that also counts the connections made to it (one EHLO each)."""

    def __init__(self) -> None:
        super().__init__()
        self.greetings = 0

    async def handle_EHLO(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.greetings += 1
        session.host_name = hostname
        return responses


def paid(merchant: Merchant, email: str) -> None:
    person = merchant.customer("Ana Costa", email=email)
    tab = merchant.tab(person["id"])
    svc = merchant.service(price=380)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    answer = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 380})
    assert answer.status_code == 201, answer.text


def worker(runtime: Runtime, merchant: Merchant, port: int) -> Worker:
    transports = Transports(mailer_for(f"smtp://127.0.0.1:{port}"))
    return Worker(runtime, transports=transports, merchants=[merchant.id])


def test_receipts_in_a_row_share_one_connection_to_the_mail_server(
    runtime: Runtime, merchant: Merchant
) -> None:
    mailbox, port = CountingMailbox(), free_port()
    server = Controller(mailbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        for no in range(3):
            paid(merchant, f"guest{no}@example.com")
        sender = worker(runtime, merchant, port)
        sender.drain()
        assert sorted(m["To"] for m in mailbox.messages) == [
            "guest0@example.com",
            "guest1@example.com",
            "guest2@example.com",
        ]
        assert mailbox.greetings == 1
        sender.transports.close()
    finally:
        server.stop()


def test_a_connection_the_mail_server_dropped_is_opened_again(
    runtime: Runtime, merchant: Merchant
) -> None:
    mailbox, port = CountingMailbox(), free_port()
    server = Controller(mailbox, hostname="127.0.0.1", port=port)
    server.start()
    sender = worker(runtime, merchant, port)
    try:
        paid(merchant, "first@example.com")
        sender.drain()
        server.stop()  # the server goes away, and comes back: the kept connection is dead
        server = Controller(mailbox, hostname="127.0.0.1", port=port)
        server.start()
        paid(merchant, "second@example.com")
        sender.drain()
        assert [m["To"] for m in mailbox.messages] == ["first@example.com", "second@example.com"]
        assert mailbox.greetings == 2
        statuses = {m["to"]: m["status"] for m in merchant.get("/v1/messages").json()["data"]}
        assert statuses == {"first@example.com": "sent", "second@example.com": "sent"}
    finally:
        sender.transports.close()
        server.stop()

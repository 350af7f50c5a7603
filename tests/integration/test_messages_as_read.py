"""The e-mails as a customer reads them, line by line: what follows the bill's
lines stands on a line of its own, amounts add up to what is asked, and every
link leads where its words say."""

from __future__ import annotations

from typing import Any

from servefirst.messages.transport import Transports, mailer_for
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from tests import delivery_servers
from tests.conftest import Merchant
from tests.delivery_servers import Mailbox

smtp_server = delivery_servers.smtp_server  # the session's SMTP server (a fixture)


def deliver(runtime: Runtime, merchant: Merchant, smtp_url: str) -> None:
    Worker(runtime, transports=Transports(mailer_for(smtp_url)), merchants=[merchant.id]).drain()


def text_of(mail: Any) -> str:
    return str(mail.get_body(preferencelist=("plain",)).get_content())


def test_the_receipt_s_tip_stands_on_its_own_line_below_the_total(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    person = merchant.customer("Ana Costa", email="ana.lines@example.com")
    tab = merchant.tab(person["id"])
    svc = merchant.service(price=3500)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    paid = merchant.post(
        f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 3500, "tip": 250}
    )
    assert paid.status_code == 201, paid.text
    deliver(runtime, merchant, smtp_server[0])
    [mail] = smtp_server[1].to("ana.lines@example.com")
    lines = [line.strip() for line in text_of(mail).splitlines()]
    assert "Total da conta  35,00\xa0€" in lines
    assert "Gorjeta  2,50\xa0€" in lines

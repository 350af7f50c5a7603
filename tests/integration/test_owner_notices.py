"""A webhook endpoint turned off by the worker (it answered 410 Gone, or every
delivery failed for days) is told to the merchant's owners by e-mail, each in
their own console language, and to nobody else: the integration behind it no
longer hears of payments, which an owner should not have to find out alone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from servefirst.events.service import emit
from servefirst.messages.transport import Transports, mailer_for
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from servefirst.staff import service as staff
from tests import delivery_servers
from tests.conftest import Merchant
from tests.delivery_servers import Mailbox, Receiver
from tests.integration.test_html_valid import vnu_errors

smtp_server = delivery_servers.smtp_server
webhook_receiver = delivery_servers.webhook_receiver


@pytest.fixture(autouse=True)
def local_receivers_allowed(runtime: Runtime) -> Iterator[None]:
    runtime.settings.webhooks_allow_private = True
    yield
    runtime.settings.webhooks_allow_private = False


def member(
    runtime: Runtime, merchant: Merchant, email: str, access: str, language: str = ""
) -> str:
    with runtime.uow(merchant.id) as uow:
        account = staff.create_staff(
            uow, email=email, password="a long pass phrase", name=email, access=access
        )
        staff.choose_language(uow, account, language)
        uow.commit()
        return account.staff_id


def deliver(runtime: Runtime, merchant: Merchant, smtp_url: str) -> None:
    Worker(
        runtime,
        transports=Transports(mailer_for(smtp_url)),
        merchants=[merchant.id],
        allow_private=True,
        webhook_timeout=0.5,
    ).drain()


def an_endpoint_answers_410(merchant: Merchant, receiver: Receiver) -> str:
    receiver.answers = [410]
    created = merchant.post(
        "/v1/webhook-endpoints", {"url": receiver.url, "events": ["payment.succeeded"]}
    )
    assert created.status_code == 201, created.text
    receiver.secrets.append(created.json()["secret"])  # it checks every signature
    tab = merchant.served_tab(380)
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 380})
    assert paid.status_code == 201, paid.text
    return str(created.json()["id"])


def text_of(mail: EmailMessage, kind: str = "plain") -> str:
    return str(mail.get_body(preferencelist=(kind,)).get_content())  # type: ignore[union-attr]


def test_every_owner_is_e_mailed_in_their_language_when_an_endpoint_is_turned_off(
    runtime: Runtime,
    merchant: Merchant,
    smtp_server: tuple[str, Mailbox],
    webhook_receiver: Callable[[], Receiver],
    tmp_path: Path,
) -> None:
    member(runtime, merchant, "ines@azul.example", "owner")
    member(runtime, merchant, "rui@azul.example", "owner", language="pt")
    member(runtime, merchant, "gestora@azul.example", "manager")
    member(runtime, merchant, "barista@azul.example", "staff")
    receiver = webhook_receiver()
    endpoint_id = an_endpoint_answers_410(merchant, receiver)

    deliver(runtime, merchant, smtp_server[0])

    mailbox = smtp_server[1]
    [english] = mailbox.to("ines@azul.example")
    assert english["Subject"] == "Café Azul: a webhook endpoint was turned off"
    assert english["From"].startswith("servefirst <")
    assert english["List-Unsubscribe"] is None  # the business's own news
    text = text_of(english)
    assert receiver.url in text and "Why: the endpoint answered 410 Gone." in text
    assert "/staff/messages" in text and "Enable again" in text
    assert receiver.url in text_of(english, "html")
    [portuguese] = mailbox.to("rui@azul.example")
    assert portuguese["Subject"] == "Café Azul: um endpoint de webhooks foi desativado"
    assert "Porquê: o endpoint respondeu 410 Gone" in text_of(portuguese)
    assert '<html lang="pt">' in text_of(portuguese, "html")
    assert vnu_errors({"owner-notice": text_of(portuguese, "html")}, tmp_path) == []
    assert mailbox.to("gestora@azul.example") == [] and mailbox.to("barista@azul.example") == []
    listed = merchant.get("/v1/messages").json()["data"]
    notices = [m for m in listed if m["kind"] == "endpoint_disabled"]
    assert {m["to"] for m in notices} == {"ines@azul.example", "rui@azul.example"}
    assert {m["about"] for m in notices} == {endpoint_id}
    assert {m["status"] for m in notices} == {"sent"}


def test_an_owner_who_stepped_down_before_it_went_is_not_told(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    former = member(runtime, merchant, "former@azul.example", "owner")
    with runtime.uow(merchant.id) as uow:  # as the worker turns an endpoint off
        emit(
            uow,
            "webhook_endpoint.disabled",
            "whe_gone",
            {"url": "https://hooks.example.com/in", "reason": "the endpoint answered 410 Gone"},
        )
        uow.commit()
    sender = Worker(
        runtime, transports=Transports(mailer_for(smtp_server[0])), merchants=[merchant.id]
    )
    assert sender.plan() == 1
    # A new owner takes over (the last owner cannot step down), and the former one steps down.
    member(runtime, merchant, "successor@azul.example", "owner")
    with runtime.uow(merchant.id) as uow:
        staff.update_member(uow, former, access="manager")
        uow.commit()
    sender.drain()
    assert smtp_server[1].to("former@azul.example") == []
    [notice] = merchant.get("/v1/messages").json()["data"]
    assert notice["kind"] == "endpoint_disabled" and notice["status"] == "skipped"
    assert "no longer an owner" in notice["last_error"]

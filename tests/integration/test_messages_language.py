"""E-mails speak the merchant's language (its ``locale``) and tell times in its
time zone (``timezone``): Portuguese words, money and days for a Portuguese
business, whatever language the request that caused them spoke."""

from __future__ import annotations

from datetime import timedelta

from servefirst.messages.transport import Transports, mailer_for
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from tests import delivery_servers
from tests.conftest import Merchant, TestClock
from tests.delivery_servers import Mailbox

smtp_server = delivery_servers.smtp_server


def deliver(runtime: Runtime, merchant: Merchant, smtp_url: str) -> None:
    Worker(runtime, transports=Transports(mailer_for(smtp_url)), merchants=[merchant.id]).drain()


def body(mail: object, kind: str = "plain") -> str:
    return str(mail.get_body(preferencelist=(kind,)).get_content())  # type: ignore[attr-defined]


def test_a_portuguese_business_sends_its_receipt_in_portuguese(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    person = merchant.customer("Ana Costa", email="ana.pt@example.com")
    tab = merchant.tab(person["id"])
    svc = merchant.service(price=380)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 380, "tip": 50})
    deliver(runtime, merchant, smtp_server[0])
    [mail] = smtp_server[1].to("ana.pt@example.com")
    assert mail["Subject"] == "Café Azul: o seu recibo"
    text = body(mail)
    assert "Olá Ana Costa," in text and "Gorjeta" in text and "0,50\xa0€" in text
    assert "Deixar de receber mensagens" in text
    # The business's name stands alone: Portuguese would need "do"/"da" before it.
    assert "Café Azul agradece a sua visita. Pagou:" in text
    assert "Café Azul envia-lhe esta mensagem porque é cliente." in text
    assert not any(f"{word} Café Azul" in text for word in ("de", "a", "em", "visitou"))
    html = body(mail, "html")
    assert '<html lang="pt">' in html and "O seu recibo" in html


def test_a_booking_is_told_in_the_merchant_s_time_zone_and_language(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox], clock: TestClock
) -> None:
    changed = merchant.post("/v1/merchant", {"locale": "pt_PT", "timezone": "Atlantic/Azores"})
    assert changed.status_code == 200, changed.text
    person = merchant.customer("Bea Reis", email="bea.pt@example.com")
    svc = merchant.service("Corte", price=4000, duration_minutes=45)
    starts = (clock.now() + timedelta(days=3)).replace(hour=15, minute=0, second=0, microsecond=0)
    booked = merchant.post(
        "/v1/bookings",
        {"customer_id": person["id"], "service_id": svc["id"], "starts_at": starts.isoformat()},
    )
    assert booked.status_code == 201, booked.text
    deliver(runtime, merchant, smtp_server[0])
    [confirmation] = smtp_server[1].to("bea.pt@example.com")
    assert confirmation["Subject"] == "Café Azul: a sua marcação está confirmada"
    text = body(confirmation)
    # 15:00 UTC is 14:00 in the Azores in winter (UTC-1), 13:00 in summer.
    local = starts.astimezone(__import__("zoneinfo").ZoneInfo("Atlantic/Azores"))
    assert f"{local:%H}:00 (Atlantic/Azores)" in text, text
    assert "Café Azul confirma a sua marcação: Corte," in text
    assert " de " in text.split("a sua marcação: Corte,")[1].splitlines()[1]  # "5 de dezembro de"

"""A customer is e-mailed when money is given back to them: once per refund
that succeeded (never for one pending or refused), in the merchant's language,
money format and time zone, saying how much of the bill and of the tip came
back, why, and where it went; the receipt sent before is not sent again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date

from servefirst.messages.transport import Transports, mailer_for
from servefirst.messages.worker import Worker
from servefirst.payments.gateways import RefundResult, SandboxGateway
from servefirst.payments.recovery import recover
from servefirst.runtime import Runtime
from tests import delivery_servers
from tests.conftest import Merchant
from tests.delivery_servers import Mailbox
from tests.integration.test_html_valid import install_vnu, vnu_errors
from tests.integration.test_pages_staff import Staff
from tests.integration.test_refund_phases import Unreachable

smtp_server = delivery_servers.smtp_server  # the session's SMTP server (a fixture)


def deliver(runtime: Runtime, merchant: Merchant, smtp_url: str) -> None:
    Worker(runtime, transports=Transports(mailer_for(smtp_url)), merchants=[merchant.id]).drain()


def text_of(mail: EmailMessage, kind: str = "plain") -> str:
    return str(mail.get_body(preferencelist=(kind,)).get_content())  # type: ignore[union-attr]


def lines_of(mail: EmailMessage) -> list[str]:
    return [line.strip() for line in text_of(mail).splitlines()]


def paid_tab(
    merchant: Merchant, email: str, price: int, *, tip: int = 0, card: bool = False, **who: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A customer's tab, served and paid in cash (or by sandbox card): (tab, payment)."""
    person = merchant.customer(who.pop("name", "Ana Costa"), email=email, **who)
    tab = merchant.tab(person["id"])
    svc = merchant.service(price=price)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    how = {"method": "card", "card": "4242424242424242"} if card else {"method": "cash"}
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {**how, "amount": price, "tip": tip})
    assert paid.status_code == 201, paid.text
    return tab, paid.json()


def refund(merchant: Merchant, payment_id: str, **body: Any) -> dict[str, Any]:
    made = merchant.post(f"/v1/payments/{payment_id}/refunds", body)
    assert made.status_code == 201, made.text
    return made.json()  # type: ignore[no-any-return]


def refund_mails(mailbox: Mailbox, email: str) -> list[EmailMessage]:
    return [m for m in mailbox.to(email) if "refund" in m["Subject"] or "reembolso" in m["Subject"]]


def test_a_cash_refund_is_e_mailed_once_with_what_came_back_of_the_bill_and_the_tip(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox], tmp_path: Path
) -> None:
    email = "ana.cash.refund@example.com"
    tab, payment = paid_tab(merchant, email, 1200, tip=150)
    deliver(runtime, merchant, smtp_server[0])
    [receipt] = smtp_server[1].to(email)
    given = refund(merchant, payment["id"], amount=400, tip=150, reason="The toast was cold")
    deliver(runtime, merchant, smtp_server[0])
    deliver(runtime, merchant, smtp_server[0])  # the worker again: nothing more
    mails = smtp_server[1].to(email)
    assert len(mails) == 2 and mails[0] is receipt  # the receipt is not sent again
    mail = mails[1]
    assert mail["Subject"] == "Your refund from Café Azul"
    lines = lines_of(mail)
    assert "Hello Ana Costa," in lines
    assert any(line.startswith("Café Azul refunded you €5.50 on ") for line in lines), lines
    assert "From the bill  €4.00" in lines and "From the tip  €1.50" in lines
    assert "Refunded in all  €5.50" in lines
    assert "Reason: The toast was cold" in lines
    assert "It was given back to you in cash." in lines
    assert not any("card" in line for line in lines)  # no card, no statement to wait for
    receipt_url = f"/t/{tab['token']}/receipt"
    assert any(line.endswith(receipt_url) for line in lines)
    # Like every message to a customer: one-click unsubscribe (RFC 8058).
    assert mail["List-Unsubscribe"].startswith("<") and "/u/" in mail["List-Unsubscribe"]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = text_of(mail, "html")
    assert f'{receipt_url}"' in html and "The toast was cold" in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    install_vnu()
    assert vnu_errors({"refund-email": html}, tmp_path) == []
    listed = merchant.get("/v1/messages").json()["data"]
    mine = [(m["kind"], m["about"], m["status"]) for m in listed if m["to"] == email]
    assert mine == [("refund", given["id"], "sent"), ("receipt", tab["id"], "sent")]


def test_a_card_refund_in_portuguese_names_the_card_and_each_refund_is_told(
    runtime: Runtime,
    merchant: Merchant,
    smtp_server: tuple[str, Mailbox],
    at_noon: datetime,
    tmp_path: Path,
) -> None:
    """A partial refund and then the rest: two e-mails, each of its own money,
    dated in the merchant's zone (Kiritimati is UTC+14: most hours, another day;
    at noon UTC it is 02:00 there, tomorrow)."""
    zone = "Pacific/Kiritimati"
    changed = merchant.post("/v1/merchant", {"locale": "pt_PT", "timezone": zone})
    assert changed.status_code == 200, changed.text
    email = "bea.card.refund@example.com"
    tab, payment = paid_tab(merchant, email, 900, tip=100, card=True, name="Bea Reis")
    refund(merchant, payment["id"], amount=250, tip=0, reason="Demorou demasiado")
    deliver(runtime, merchant, smtp_server[0])
    [first] = refund_mails(smtp_server[1], email)
    assert first["Subject"] == "Café Azul: o seu reembolso"
    day = format_date(at_noon.astimezone(ZoneInfo(zone)), "long", locale="pt_PT")
    lines = lines_of(first)
    assert "Olá Bea Reis," in lines
    assert f"Café Azul reembolsou-lhe 2,50\xa0€ a {day}." in lines, lines
    assert "Da conta  2,50\xa0€" in lines
    assert not any(line.startswith("Da gorjeta") for line in lines)  # none of the tip
    assert "Motivo: Demorou demasiado" in lines
    assert "O valor é devolvido ao cartão terminado em 4242." in lines
    assert "Pode levar alguns dias úteis a aparecer no extrato do cartão." in lines
    assert "Deixar de receber mensagens:" in "\n".join(lines)
    html = text_of(first, "html")
    assert '<html lang="pt">' in html and "terminado em 4242. Pode levar" in html
    install_vnu()
    assert vnu_errors({"refund-email-card": html}, tmp_path) == []

    refund(merchant, payment["id"], reason="O resto")  # all that is left: 6,50 and the tip
    deliver(runtime, merchant, smtp_server[0])
    first_again, second = refund_mails(smtp_server[1], email)
    assert first_again is first  # the first refund is not told again
    lines = lines_of(second)
    assert f"Café Azul reembolsou-lhe 7,50\xa0€ a {day}." in lines, lines
    assert "Da conta  6,50\xa0€" in lines and "Da gorjeta  1,00\xa0€" in lines
    assert "Reembolsado no total  7,50\xa0€" in lines
    kinds = [m["kind"] for m in merchant.get("/v1/messages").json()["data"] if m["to"] == email]
    assert kinds == ["refund", "refund", "receipt"]


def test_a_refund_at_the_terminal_says_so_and_one_of_the_tip_alone_says_only_the_tip(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    """A refund at the card terminal goes back to the card too: the customer
    is told it can take some working days to show, as for one by the processor."""
    email = "carla.terminal@example.com"
    person = merchant.customer("Carla Dias", email=email)
    tab = merchant.tab(person["id"])
    svc = merchant.service(price=500)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    paid = merchant.post(
        f"/v1/tabs/{tab['id']}/payments", {"method": "card_terminal", "amount": 500, "tip": 80}
    )
    assert paid.status_code == 201, paid.text
    refund(merchant, paid.json()["id"], amount=0, tip=80, reason="Tip keyed twice")
    deliver(runtime, merchant, smtp_server[0])
    [mail] = refund_mails(smtp_server[1], email)
    lines = lines_of(mail)
    assert "From the tip  €0.80" in lines
    assert not any(line.startswith(("From the bill", "Refunded in all")) for line in lines)
    assert "It was given back to you at the card terminal." in lines
    assert "It can take some working days to show on your card statement." in lines
    html = text_of(mail, "html")
    assert "at the card terminal. It can take some working days" in html


def test_no_refund_e_mail_to_a_customer_who_opted_out_or_when_the_merchant_turned_it_off(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    quiet = "dora.optout@example.com"
    _, payment = paid_tab(merchant, quiet, 600, name="Dora Lima", messages_opt_out=True)
    refund(merchant, payment["id"], reason="Wrong order")
    deliver(runtime, merchant, smtp_server[0])
    assert smtp_server[1].to(quiet) == []

    # A customer who unsubscribed (from the receipt's link) after the refund
    # was planned: checked again just before it goes.
    later = "eva.later@example.com"
    _, payment = paid_tab(merchant, later, 600, name="Eva Matos")
    deliver(runtime, merchant, smtp_server[0])
    [receipt] = smtp_server[1].to(later)
    refund(merchant, payment["id"], reason="Wrong order")
    Worker(runtime, transports=Transports(None), merchants=[merchant.id]).plan()
    link = receipt["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")
    assert merchant.client.post(link).status_code == 200
    deliver(runtime, merchant, smtp_server[0])
    assert smtp_server[1].to(later) == [receipt]
    skipped = merchant.get("/v1/messages?status=skipped").json()["data"]
    assert [m["kind"] for m in skipped if m["to"] == later] == ["refund"]

    off = merchant.post("/v1/merchant/messages", {"kinds": {"refund": False}})
    assert off.status_code == 200, off.text
    assert off.json()["kinds"]["refund"] is False and off.json()["kinds"]["receipt"] is True
    email = "fabio.off@example.com"
    _, payment = paid_tab(merchant, email, 600, name="Fábio Cruz")
    refund(merchant, payment["id"], reason="Wrong order")
    deliver(runtime, merchant, smtp_server[0])
    [receipt] = smtp_server[1].to(email)  # the receipt still goes; the refund is not told
    assert receipt["Subject"] == "Your receipt from Café Azul"


def test_a_refused_refund_is_not_told_and_a_pending_one_only_once_it_succeeds(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox], monkeypatch: Any
) -> None:
    class Refusing(SandboxGateway):
        def refund(self, *args: Any, **kwargs: Any) -> RefundResult:
            return RefundResult("", status="failed", failure_code="charge_disputed")

    refused_to = "gil.refused@example.com"
    _, payment = paid_tab(merchant, refused_to, 700, card=True, name="Gil Pires")
    monkeypatch.setattr(runtime.gateways, "sandbox", Refusing())
    answer = merchant.post(f"/v1/payments/{payment['id']}/refunds", {"reason": "Too strong"})
    assert answer.status_code == 402, answer.text
    deliver(runtime, merchant, smtp_server[0])
    assert refund_mails(smtp_server[1], refused_to) == []

    waiting = "hugo.pending@example.com"
    _, payment = paid_tab(merchant, waiting, 900, card=True, name="Hugo Reis")
    monkeypatch.setattr(runtime.gateways, "sandbox", Unreachable())
    pending = refund(merchant, payment["id"], amount=300, reason="Too sweet")
    assert pending["status"] == "pending"
    deliver(runtime, merchant, smtp_server[0])
    assert refund_mails(smtp_server[1], waiting) == []
    # The processor answers when recovery asks again: now the money went back.
    monkeypatch.setattr(runtime.gateways, "sandbox", SandboxGateway())
    assert pending["id"] in recover(runtime, grace_seconds=0).refunds
    deliver(runtime, merchant, smtp_server[0])
    [told] = refund_mails(smtp_server[1], waiting)
    assert "From the bill  €3.00" in lines_of(told)
    assert refund_mails(smtp_server[1], refused_to) == []
    listed = merchant.get("/v1/messages").json()["data"]
    assert [m["about"] for m in listed if m["kind"] == "refund"] == [pending["id"]]


def test_the_owner_turns_the_refund_e_mail_on_and_off_in_the_console_in_either_language(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, access="owner")
    page = owner.get("/staff/messages").text
    assert 'name="kind_refund" checked' in page and "Refund confirmation" in page
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    assert "Confirmação de reembolso" in owner.get("/staff/messages").text

"""A refund of a tab's payment that went through, and was told to the
customer as on its way, then failed at the card processor (their bank sent
it back: Stripe's ``charge.refund.updated``, applied here as the webhook
applies it, ``refund_reversals.refused_at_processor``; the sandbox sends no
events). The customer is told once, however often the refusal is told
again or ``payments recover`` runs, in the business's language, by e-mail
or by text; not when the refund never went through, nor when, by the time
the word goes, the business has given the money back another way (the
Messages page and ``GET /v1/messages`` say why). SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from servefirst.payments import refunds as refund_phases
from servefirst.payments.recovery import recover
from servefirst.payments.refund_repository import RefundRepository
from servefirst.payments.refund_reversals import refused_at_processor
from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.delivery_servers import Mailbox
from tests.integration import test_refund_emails as refund_emails
from tests.integration import test_text_messages as texts
from tests.integration.test_html_valid import install_vnu, vnu_errors
from tests.integration.test_pages_staff import Staff

smtp_server = refund_emails.smtp_server  # the session's SMTP server (a fixture)
deliver, lines_of, text_of = refund_emails.deliver, refund_emails.lines_of, refund_emails.text_of

PHONE = "+351 213 000 202"


def the_bank_sends_it_back(runtime: Runtime, merchant: Merchant, refund_id: str) -> None:
    """The card processor's word that the refund failed, told twice (Stripe
    tells it again under another event id), and recovery run twice over."""
    for _ in range(2):
        with runtime.uow(merchant.id) as uow:
            refund = RefundRepository(uow).get(refund_id)
            assert refund is not None and refund.gateway_reference
            refused_at_processor(
                uow,
                reference=refund.gateway_reference,
                key=refund_id,
                failure="expired_or_canceled_card",
            )
            uow.commit()
        recover(runtime, grace_seconds=0)


def card_lunch_refunded(
    merchant: Merchant, email: str | None, **who: Any
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Ana's 12.00 lunch and a 1.50 tip, paid by card; 4.00 of it and the
    tip refunded to her card: (tab, payment, refund)."""
    if email is None:
        person = merchant.customer(who.pop("name", "Caio Nunes"), phone=texts.PHONE, **who)
        tab = merchant.tab(person["id"])
        svc = merchant.service(price=1200)
        merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
        merchant.post(f"/v1/tabs/{tab['id']}/serve")
        paid = merchant.post(
            f"/v1/tabs/{tab['id']}/payments",
            {"method": "card", "card": "4242424242424242", "amount": 1200, "tip": 150},
        )
        assert paid.status_code == 201, paid.text
        payment = paid.json()
    else:
        tab, payment = refund_emails.paid_tab(merchant, email, 1200, tip=150, card=True, **who)
    made = refund_emails.refund(
        merchant, payment["id"], amount=400, tip=150, reason="The soup was cold"
    )
    assert made["status"] == "succeeded"
    return tab, payment, made


def listed(merchant: Merchant, kind: str) -> list[dict[str, Any]]:
    return [m for m in merchant.get("/v1/messages").json()["data"] if m["kind"] == kind]


def test_a_refund_the_bank_sent_back_is_told_to_the_customer_once_with_the_number_to_call(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox], tmp_path: Path
) -> None:
    given = merchant.post("/v1/merchant", {"phone": PHONE})
    assert given.status_code == 200, given.text
    assert merchant.post("/v1/merchant/messages", {"sender": "ola@cafeazul.pt"}).status_code == 200
    email = "ana.devolvido@example.com"
    tab, _, made = card_lunch_refunded(merchant, email)
    deliver(runtime, merchant, smtp_server[0])
    [_, refunded] = smtp_server[1].to(email)
    assert "It goes back to the card ending 4242." in lines_of(refunded)

    the_bank_sends_it_back(runtime, merchant, made["id"])
    for _ in range(2):
        deliver(runtime, merchant, smtp_server[0])
    [_, _, told] = smtp_server[1].to(email)
    assert told["Subject"] == "Your refund from Café Azul could not be made"
    lines = lines_of(told)
    assert lines[:2] == ["Hello Ana Costa,", ""]
    day = next(line for line in lines_of(refunded) if "refunded you" in line)
    day = day.split(" on ")[-1].rstrip(".")
    assert (
        f"The refund of €5.50 that Café Azul made you on {day} could not be completed: your"
        " bank or the card processor sent it back, so the money did not reach your card."
    ) in lines, lines
    assert "It was going back to the card ending 4242." in lines
    assert (
        "Café Azul has the money again and still owes it to you, and will be in touch to give"
        " it back another way."
    ) in lines
    assert "To reach Café Azul, reply to this e-mail or write to ola@cafeazul.pt." in lines
    assert f"Café Azul answers the phone on {PHONE}." in lines
    assert not any(line.startswith("Questions?") for line in lines)  # said once, in the body
    html = text_of(told, "html")
    assert '<a href="tel:+351213000202">+351 213 000 202</a>' in html
    assert 'data-testid="call-us"' not in html
    install_vnu()
    assert vnu_errors({"refund-failed-email": html}, tmp_path) == []

    [message] = listed(merchant, "refund_failed")
    assert (message["status"], message["channel"], message["to"]) == ("sent", "email", email)
    assert (message["about"], message["customer_id"]) == (made["id"], tab["customer_id"])
    assert message["subject"] == "Your refund from Café Azul could not be made"


def test_a_lisbon_cafe_tells_it_in_portuguese(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    email = "bea.devolvido@example.com"
    _, _, made = card_lunch_refunded(merchant, email, name="Bea Reis")
    the_bank_sends_it_back(runtime, merchant, made["id"])
    deliver(runtime, merchant, smtp_server[0])
    [told] = [m for m in smtp_server[1].to(email) if "não foi possível" in m["Subject"]]
    assert told["Subject"] == "Café Azul: não foi possível fazer o seu reembolso"
    lines = lines_of(told)
    assert lines[0] == "Olá Bea Reis,"
    [said] = [line for line in lines if line.startswith("Não foi possível concluir")]
    assert said.startswith("Não foi possível concluir o reembolso de 5,50\xa0€ que Café Azul")
    assert said.endswith(
        ": o seu banco ou o processador de cartões devolveu-o, e o dinheiro não chegou ao seu"
        " cartão."
    )
    assert "Ia ser devolvido ao cartão terminado em 4242." in lines
    assert (
        "Café Azul voltou a ter esse valor e continua a dever-lho, e vai entrar em contacto"
        " consigo para o devolver de outra forma."
    ) in lines
    # No sender address, no phone: nothing to reply to or call.
    assert not any("responda" in line or "telefone" in line for line in lines)
    assert not any("refund" in line or "could not" in line for line in lines)


def test_a_phone_only_customer_is_texted_it_with_the_number_to_call(
    runtime: Runtime, merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    assert merchant.post("/v1/merchant", {"phone": PHONE}).status_code == 200
    phone = texts.Phone()
    _, _, made = card_lunch_refunded(merchant, None)
    texts.deliver(runtime, merchant, phone)
    the_bank_sends_it_back(runtime, merchant, made["id"])
    texts.deliver(runtime, merchant, phone)
    [refunded, told] = phone.to(texts.PHONE)
    assert refunded.startswith("Café Azul refunded you €5.50")
    words, stop = told.split(" Stop: ")
    assert words == (
        "Café Azul: your refund of €5.50 was sent back by your bank or the card processor;"
        f" still owed to you. Call us: {PHONE}."
    )
    assert stop.startswith("http://testserver/u/") and "\n" not in told
    assert texts.septets(told) is not None
    [message] = listed(merchant, "refund_failed")
    assert (message["channel"], message["status"]) == ("sms", "sent")
    # The console's Messages page names it, in the member's language.
    latest = signed_in(merchant, access="manager").get("/staff/messages").text
    assert f"<strong>Refund failed</strong> · by text · {texts.PHONE}" in latest
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    latest = signed_in(merchant, access="manager").get("/staff/messages").text
    assert f"<strong>Reembolso não concretizado</strong> · por SMS · {texts.PHONE}" in latest


def test_a_refund_refused_before_it_went_through_tells_the_customer_nothing_more(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    """Still pending in our books when the processor said it failed: the
    customer was never told it was on its way, and is not told now."""
    email = "rui.pendente@example.com"
    _, payment = refund_emails.paid_tab(merchant, email, 900, card=True, name="Rui Lopes")
    with runtime.uow(merchant.id) as uow:
        refund = refund_phases.begin_refund(
            uow, payment["id"], amount=300, tip=None, reason="Wrong order"
        )
        uow.commit()
    with runtime.uow(merchant.id) as uow:
        refused_at_processor(uow, reference="re_sandbox_gone", key=refund.refund_id, failure="x")
        uow.commit()
    recover(runtime, grace_seconds=0)
    deliver(runtime, merchant, smtp_server[0])
    assert [m["Subject"] for m in smtp_server[1].to(email)] == ["Your receipt from Café Azul"]
    assert listed(merchant, "refund_failed") == []


def test_no_word_once_the_business_gave_the_money_back_another_way(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    """The refund came back and staff refunded the 5.50 to the card again
    before the worker ran: the customer hears of the refund that went, and
    not of one that failed, which is no longer their news."""
    email = "ana.outra.vez@example.com"
    _, payment, made = card_lunch_refunded(merchant, email, name="Ana Reis")
    deliver(runtime, merchant, smtp_server[0])
    the_bank_sends_it_back(runtime, merchant, made["id"])
    again = refund_emails.refund(merchant, payment["id"], amount=400, tip=150, reason="Sent again")
    deliver(runtime, merchant, smtp_server[0])
    subjects = [m["Subject"] for m in smtp_server[1].to(email)]
    assert subjects == ["Your receipt from Café Azul"] + ["Your refund from Café Azul"] * 2
    [message] = listed(merchant, "refund_failed")
    assert message["status"] == "skipped"
    assert message["last_error"] == (
        "the business refunded the money again since: that refund's own message says so"
    )
    assert [m["about"] for m in listed(merchant, "refund")] == [again["id"], made["id"]]


def test_a_refund_message_still_waiting_when_it_failed_gives_way_to_the_failure_s(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    email = "ana.tarde@example.com"
    _, _, made = card_lunch_refunded(merchant, email, name="Ana Tarde")
    the_bank_sends_it_back(runtime, merchant, made["id"])
    deliver(runtime, merchant, smtp_server[0])
    subjects = [m["Subject"] for m in smtp_server[1].to(email)]
    assert subjects == [
        "Your receipt from Café Azul",
        "Your refund from Café Azul could not be made",
    ]
    [refund] = listed(merchant, "refund")
    assert refund["status"] == "skipped"
    assert refund["last_error"] == (
        "the refund failed after it went through: the customer is told that instead"
    )


def test_a_business_that_turned_the_kind_off_sends_nothing_of_it(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    off = merchant.post("/v1/merchant/messages", {"kinds": {"refund_failed": False}})
    assert off.status_code == 200, off.text
    assert off.json()["kinds"]["refund_failed"] is False
    email = "ana.calada@example.com"
    _, _, made = card_lunch_refunded(merchant, email, name="Ana Calada")
    the_bank_sends_it_back(runtime, merchant, made["id"])
    deliver(runtime, merchant, smtp_server[0])
    assert listed(merchant, "refund_failed") == []

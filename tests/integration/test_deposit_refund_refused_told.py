"""A deposit refund the card processor refuses after the customer was told it
was on its way: the customer is told it did not come, how much, that the
business still owes it and will be in touch, and how to reach the business.
Once per refused refund (recovery run again, the worker run again), by
e-mail or, for a customer with only a phone, by text, in the business's
language; listed by ``GET /v1/messages`` like every message. A cancellation
e-mail sent once the refusal was known already said it: nothing more goes.
The customer's tab page counts only what came back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from servefirst.payments.recovery import recover
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.delivery_servers import Mailbox
from tests.integration import test_booking_cancelled_emails as emails
from tests.integration import test_checkin_deposit_refunds as checkin
from tests.integration import test_deposit_said_as_it_is as said
from tests.integration import test_text_messages as texts
from tests.integration.test_availability_api import Salon
from tests.integration.test_deposit_refunds import RefundsAsked, captured
from tests.integration.test_html_valid import install_vnu, vnu_errors
from tests.integration.test_pages_staff import Staff

refunds = said.refunds
smtp_server = said.smtp_server


def cancelled_while_the_processor_is_down(
    runtime: Runtime, shop: Salon, refunds: RefundsAsked, smtp_url: str, email: str
) -> dict[str, Any]:
    """Lia's 6.00 deposit, the booking called off by the business while the
    processor does not answer: the cancellation e-mail goes saying on its way."""
    booking = said.booked_with_deposit(shop, email)
    refunds.down = True
    said.cancelled_by_the_business(shop.merchant, booking)
    emails.deliver(runtime, shop.merchant, smtp_url)
    return booking


def refused_by_recovery(
    runtime: Runtime, merchant: Merchant, clock: TestClock, refunds: RefundsAsked, **deliver: Any
) -> None:
    """The processor answers again and refuses; ``payments recover`` and the
    worker run twice over, as a restarted server would."""
    refunds.down, refunds.refuse = False, True
    for _ in range(2):
        clock.advance(minutes=5)
        recover(runtime, grace_seconds=60)
        if "phone" in deliver:
            texts.deliver(runtime, merchant, deliver["phone"])
        else:
            emails.deliver(runtime, merchant, deliver["smtp_url"])


def listed(merchant: Merchant, kind: str) -> list[dict[str, Any]]:
    return [m for m in merchant.get("/v1/messages").json()["data"] if m["kind"] == kind]


def test_a_refund_on_its_way_then_refused_is_told_to_the_customer_once(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    smtp_server: tuple[str, Mailbox],
    tmp_path: Path,
) -> None:
    shop = Salon(merchant, clock)
    sender = merchant.post("/v1/merchant/messages", {"sender": "ola@cafeazul.pt"})
    assert sender.status_code == 200, sender.text
    email = "lia.recusada.depois@example.com"
    booking = cancelled_while_the_processor_is_down(runtime, shop, refunds, smtp_server[0], email)
    [cancellation] = smtp_server[1].to(email)
    assert "€6.00 is on its way back to your card." in emails.lines_of(cancellation)

    refused_by_recovery(runtime, merchant, clock, refunds, smtp_url=smtp_server[0])
    [_, told] = smtp_server[1].to(email)
    assert told["Subject"] == "Your deposit at Café Azul could not be refunded"
    lines = emails.lines_of(told)
    assert lines[:2] == ["Hello Lia Matos,", ""]
    assert (
        "The refund of your deposit of €6.00 could not be made: the card processor refused"
        " it, so the money did not reach your card."
    ) in lines, lines
    when = emails.when(merchant, booking["starts_at"])
    assert f"It was the deposit of your booking: Cut and blow-dry, {when}." in lines
    assert (
        "Café Azul still holds it and owes it to you, and will be in touch to give it back"
        " another way."
    ) in lines
    assert "To reach Café Azul, reply to this e-mail or write to ola@cafeazul.pt." in lines
    assert not any("card statement" in line for line in lines)
    html = emails.text_of(told, "html")
    assert "could not be made" in html
    assert '<a href="mailto:ola@cafeazul.pt">ola@cafeazul.pt</a>' in html
    install_vnu()
    assert vnu_errors({"deposit-refund-failed-email": html}, tmp_path) == []

    [message] = listed(merchant, "deposit_refund_failed")
    assert (message["status"], message["channel"], message["to"]) == ("sent", "email", email)
    assert message["about"] == booking["id"]
    assert message["subject"] == "Your deposit at Café Azul could not be refunded"


def test_a_lisbon_salon_tells_it_in_portuguese(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    smtp_server: tuple[str, Mailbox],
) -> None:
    shop = Salon(merchant, clock)
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    email = "lia.recusada.pt@example.com"
    booking = cancelled_while_the_processor_is_down(runtime, shop, refunds, smtp_server[0], email)
    refused_by_recovery(runtime, merchant, clock, refunds, smtp_url=smtp_server[0])
    [_, told] = smtp_server[1].to(email)
    assert told["Subject"] == "Café Azul: não foi possível reembolsar o seu sinal"
    lines = emails.lines_of(told)
    assert lines[0] == "Olá Lia Matos,"
    assert (
        "Não foi possível fazer o reembolso do seu sinal de 6,00\xa0€: o processador de"
        " cartões recusou-o, e o dinheiro não chegou ao seu cartão."
    ) in lines, lines
    when = emails.when(merchant, booking["starts_at"])
    assert f"Era o sinal da sua marcação: Cut and blow-dry, {when}." in lines
    assert (
        "Café Azul continua com esse valor e deve-lho, e vai entrar em contacto consigo para"
        " o devolver de outra forma."
    ) in lines
    # No sender address set: nothing to reply to but the business's own news.
    assert not any("responda" in line for line in lines)
    assert not any("could not" in line or "refund" in line for line in lines)


def test_a_cancellation_that_already_said_the_refusal_is_not_followed_by_another(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    smtp_server: tuple[str, Mailbox],
) -> None:
    shop = Salon(merchant, clock)
    email = "lia.recusada.logo@example.com"
    booking = said.booked_with_deposit(shop, email)
    refunds.refuse = True
    said.cancelled_by_the_business(merchant, booking)
    emails.deliver(runtime, merchant, smtp_server[0])
    emails.deliver(runtime, merchant, smtp_server[0])
    [cancellation] = smtp_server[1].to(email)
    assert "could not go back to your card" in emails.text_of(cancellation)
    [message] = listed(merchant, "deposit_refund_failed")
    assert message["status"] == "skipped", message
    assert "already said" in message["last_error"]


def test_a_phone_only_customer_is_texted_the_refusal(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    signed_in: Callable[..., Staff],
) -> None:
    shop = Salon(merchant, clock)
    said.salon(merchant)
    phone = texts.Phone()
    booking = texts.phone_booking(shop, "Caio Nunes")
    refunds.down = True
    said.cancelled_by_the_business(merchant, booking)
    texts.deliver(runtime, merchant, phone)
    refused_by_recovery(runtime, merchant, clock, refunds, phone=phone)
    [cancelled, told] = phone.to(texts.PHONE)
    assert "on its way back to your card" in cancelled
    words, stop = told.split(" Stop: ")
    assert words == (
        "Café Azul: deposit refund of €6.00 refused by the card processor; still held,"
        " owed to you. The business will be in touch."
    )
    assert stop.startswith("http://testserver/u/") and "\n" not in told
    [message] = listed(merchant, "deposit_refund_failed")
    assert (message["channel"], message["status"]) == ("sms", "sent")
    # The console's Messages page names it, in the member's language.
    latest = signed_in(merchant, access="manager").get("/staff/messages").text
    assert f"<strong>Deposit refund refused</strong> · by text · {texts.PHONE}" in latest
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    latest = signed_in(merchant, access="manager").get("/staff/messages").text
    assert "<strong>Reembolso do sinal recusado</strong>" in latest


def test_a_check_in_extra_refused_is_told_and_the_tab_page_counts_none_of_it(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    smtp_server: tuple[str, Mailbox],
) -> None:
    """The price lowered to 4.00 after Lia left 6.00: the 2.00 above the bill
    is refused at check-in; her tab says nothing went back, the e-mail says why."""
    email = "lia.extra@example.com"
    person = merchant.customer("Lia Matos", email=email)
    booking = captured(merchant, clock, days=0.01, customer_id=person["id"])
    checkin.cheaper(merchant, booking)
    refunds.refuse = True
    checked = merchant.post(f"/v1/bookings/{booking['id']}/check-in")
    assert checked.status_code == 200, checked.text
    token = merchant.get(f"/v1/tabs/{checked.json()['tab_id']}").json()["token"]
    public = merchant.client.get(f"/v1/public/tabs/{token}").json()
    assert (public["deposit_applied"], public["deposit_refunded"]) == (400, 0)
    assert public["deposit_refund_pending"] == 0
    page = merchant.client.get(f"/t/{token}").text.replace("\xa0", " ")
    assert "of your deposit went back to your card" not in page
    assert "of your deposit is going back to your card" not in page

    emails.deliver(runtime, merchant, smtp_server[0])
    [told] = [m for m in smtp_server[1].to(email) if "could not be refunded" in m["Subject"]]
    assert "The refund of your deposit of €2.00 could not be made" in emails.text_of(told)

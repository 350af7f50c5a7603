"""Studio Lume's number, once its owner gives it, is where its customers look
for a way to reach it: a ``tel:`` link on the tab, receipt and booking pages,
on the receipt's PDF, at the end of every e-mail to a customer, in the body of
the refused refund's e-mail and in its text (within two SMS). A business that
gave none says nothing of a phone."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from servefirst.messages.sms_segments import segments
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.delivery_servers import Mailbox
from tests.integration import test_booking_cancelled_emails as emails
from tests.integration import test_deposit_refund_refused_told as refused
from tests.integration import test_deposit_said_as_it_is as said
from tests.integration import test_text_messages as texts
from tests.integration.test_availability_api import Salon
from tests.integration.test_deposit_refunds import RefundsAsked
from tests.integration.test_html_valid import install_vnu, vnu_errors
from tests.integration.test_messages_email import paid_tab
from tests.integration.test_pages_booking import book

refunds = said.refunds
smtp_server = said.smtp_server

LUME = "+351 213 000 202"
TEL = 'href="tel:+351213000202"'
CALL_US = "Questions? Café Azul answers the phone on +351 213 000 202."


def gives_its_phone(merchant: Merchant) -> None:
    given = merchant.post("/v1/merchant", {"phone": LUME})
    assert given.status_code == 200, given.text


def test_the_tab_and_receipt_pages_give_the_number_to_call(merchant: Merchant) -> None:
    tab = paid_tab(merchant, "ana.telefone@example.com")
    before = merchant.client.get(f"/t/{tab['token']}").text
    assert "tel:" not in before and "answers the phone" not in before
    gives_its_phone(merchant)
    assert merchant.client.get(f"/v1/public/tabs/{tab['token']}").json()["merchant_phone"] == LUME
    page = merchant.client.get(f"/t/{tab['token']}").text
    assert f"Café Azul answers the phone on <a {TEL}>{LUME}</a>." in page
    receipt = merchant.client.get(f"/t/{tab['token']}/receipt").text
    assert f"Phone: <a {TEL}>{LUME}</a>" in receipt
    pt = merchant.client.get(
        f"/t/{tab['token']}/receipt", headers={"Accept-Language": "pt-PT"}
    ).text
    assert f"Telefone: <a {TEL}>{LUME}</a>" in pt
    pdf = merchant.client.get(f"/t/{tab['token']}/receipt.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert f"Phone: {LUME}" in text


def test_the_booking_pages_give_the_number_to_call(merchant: Merchant, clock: TestClock) -> None:
    shop = Salon(merchant, clock)
    assert "tel:" not in merchant.client.get(f"/b/{shop.slug}").text
    gives_its_phone(merchant)
    start = merchant.client.get(f"/b/{shop.slug}").text
    assert f"answers the phone on <a {TEL}>{LUME}</a>" in start
    token = book(shop, shop.at(shop.day(), "10:00"))
    manage = merchant.client.get(f"/b/{shop.slug}/bookings/{token}").text
    assert f"answers the phone on <a {TEL}>{LUME}</a>" in manage
    pt = merchant.client.get(f"/b/{shop.slug}", headers={"Accept-Language": "pt-PT"}).text
    assert f"atende o telefone no <a {TEL}>{LUME}</a>." in pt


def test_a_refused_refund_gives_the_number_in_the_e_mail_and_its_footer_only_once(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    smtp_server: tuple[str, Mailbox],
    tmp_path: Path,
) -> None:
    shop = Salon(merchant, clock)
    gives_its_phone(merchant)
    email = "lia.telefone@example.com"
    refused.cancelled_while_the_processor_is_down(runtime, shop, refunds, smtp_server[0], email)
    [cancellation] = smtp_server[1].to(email)
    # The cancellation e-mail signs off with the number, text and HTML.
    assert CALL_US in emails.lines_of(cancellation)
    assert f"<a {TEL}>{LUME}</a>" in emails.text_of(cancellation, "html")

    refused.refused_by_recovery(runtime, merchant, clock, refunds, smtp_url=smtp_server[0])
    [_, told] = smtp_server[1].to(email)
    lines = emails.lines_of(told)
    assert f"Café Azul answers the phone on {LUME}." in lines
    assert CALL_US not in lines  # said in the body: not again below
    html = emails.text_of(told, "html")
    assert html.count(TEL) == 1
    install_vnu()
    assert vnu_errors({"refused-refund-with-phone": html}, tmp_path) == []


def test_a_phone_only_customer_is_texted_the_number_within_two_sms(
    runtime: Runtime, merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    long_name = "Studio Lume " + "Cabeleireiros " * 13
    assert merchant.post("/v1/merchant", {"name": long_name}).status_code == 200
    gives_its_phone(merchant)
    shop = Salon(merchant, clock)
    said.salon(merchant)
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    phone = texts.Phone()
    booking = texts.phone_booking(shop, "Caio Nunes")
    refunds.down = True
    said.cancelled_by_the_business(merchant, booking)
    texts.deliver(runtime, merchant, phone)
    refused.refused_by_recovery(runtime, merchant, clock, refunds, phone=phone)
    [cancelled, told] = phone.to(texts.PHONE)
    # The phone is in the refused refund's text, whole, however long the name.
    assert f"Contacte-nos: {LUME}. Parar: http://testserver/u/" in told, told
    assert told.startswith("Studio Lume Cabeleireiros") and long_name.strip() not in told
    assert segments(told) <= 2
    # The cancellation's text has no room to spare: the number is not added.
    assert LUME not in cancelled


def test_no_number_given_no_number_said(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    paid_tab(merchant, "ana.semtelefone@example.com")
    emails.deliver(runtime, merchant, smtp_server[0])
    [receipt] = smtp_server[1].to("ana.semtelefone@example.com")
    assert "answers the phone" not in emails.text_of(receipt)
    assert "tel:" not in emails.text_of(receipt, "html")


def test_the_receipt_e_mail_signs_off_with_the_number(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    gives_its_phone(merchant)
    paid_tab(merchant, "ana.comtelefone@example.com")
    emails.deliver(runtime, merchant, smtp_server[0])
    [receipt] = smtp_server[1].to("ana.comtelefone@example.com")
    assert CALL_US in emails.lines_of(receipt)
    assert f"<a {TEL}>{LUME}</a>" in emails.text_of(receipt, "html")

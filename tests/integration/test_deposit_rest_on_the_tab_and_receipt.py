"""The rest of a deposit the bill did not need, said where the customer looks:
under "Deposit applied" on their tab page, their receipt page, the receipt's
PDF and the receipt e-mail. Going back to the card, gone back, or refused by
the card processor (then the business still holds it and owes it to them),
in English and in Portuguese as Lisbon writes it; the public tab API gives
the refused part beside the others.

Lia left a 6.00 deposit for a cut whose price was lowered to 4.00 before she
came: at check-in the deposit pays the 4.00 bill and the 2.00 above it is
asked back of the processor that took it."""

from __future__ import annotations

import html
from io import BytesIO
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from servefirst.messages.transport import Transports, mailer_for
from servefirst.messages.worker import Worker
from servefirst.payments.recovery import recover
from servefirst.runtime import Runtime
from tests import delivery_servers
from tests.conftest import Merchant, TestClock
from tests.delivery_servers import Mailbox
from tests.integration import test_checkin_deposit_refunds as checkin
from tests.integration import test_deposit_refunds as deposits
from tests.integration.test_deposit_refunds import RefundsAsked, captured
from tests.integration.test_html_valid import install_vnu, vnu_errors

refunds = deposits.refunds
smtp_server = delivery_servers.smtp_server  # the session's SMTP server (a fixture)

ENGLISH = {"Accept-Language": "en-GB"}
PORTUGUESE = {"Accept-Language": "pt-PT,pt;q=0.9"}

REFUSED = (
    "€2.00 of your deposit could not go back to your card: the card processor refused the"
    " refund. Café Azul still holds it and owes it to you."
)
RECUSADO = (
    "Não foi possível devolver 2,00 € do seu sinal ao seu cartão: o processador de cartões"
    " recusou o reembolso. Café Azul continua com esse valor e deve-lho."
)


def checked_in_above_the_bill(
    merchant: Merchant, clock: TestClock, refunds: RefundsAsked, *, answer: str, email: str = ""
) -> dict[str, Any]:
    """Lia's tab once checked in, served and so paid by the deposit alone;
    the processor answers the 2.00 refund with ``answer`` (refused, succeeded,
    or none yet)."""
    person = merchant.customer("Lia Matos", **({"email": email} if email else {}))
    booking = captured(merchant, clock, days=0.01, customer_id=person["id"])
    checkin.cheaper(merchant, booking)
    refunds.refuse = answer == "failed"
    refunds.down = answer == "pending"
    checked = merchant.post(f"/v1/bookings/{booking['id']}/check-in")
    assert checked.status_code == 200, checked.text
    served = merchant.post(f"/v1/tabs/{checked.json()['tab_id']}/serve")
    assert served.status_code == 200, served.text
    tab = served.json()
    assert (tab["status"], tab["deposit_applied"], tab["amount_due"]) == ("paid", 400, 0)
    return tab  # type: ignore[no-any-return]


def page_text(merchant: Merchant, path: str, headers: dict[str, str]) -> str:
    response = merchant.client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return html.unescape(response.text).replace("\xa0", " ")


def under_the_deposit(page: str, words: str, deposit: str, after: str | None) -> None:
    """``words`` on ``page`` right under its "Deposit applied" row (before
    ``after``, the row that follows it), not somewhere below the bill."""
    assert words in page, page
    at = page.index(words)
    assert page.index(deposit) < at
    if after is not None:
        assert at < page.index(after), "said below the bill, not under the deposit"


def pdf_text(merchant: Merchant, tab: dict[str, Any]) -> str:
    response = merchant.get(f"/v1/tabs/{tab['id']}/receipt.pdf")
    assert response.status_code == 200, response.text
    pages = PdfReader(BytesIO(response.content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).replace("\xa0", " ").split())


def receipt_mail(
    runtime: Runtime, merchant: Merchant, smtp: tuple[str, Mailbox], email: str, part: str = "plain"
) -> str:
    """The receipt e-mail's ``part`` (plain or html), its spaces made one."""
    Worker(runtime, transports=Transports(mailer_for(smtp[0])), merchants=[merchant.id]).drain()
    subjects = ("Your receipt from Café Azul", "Café Azul: o seu recibo")
    [mail] = [m for m in smtp[1].to(email) if str(m["Subject"]) in subjects]
    text = str(mail.get_body(preferencelist=(part,)).get_content()).replace("\xa0", " ")
    return " ".join(text.split())


def test_a_refused_rest_of_the_deposit_is_said_on_the_tab_page_and_the_api(
    merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    tab = checked_in_above_the_bill(merchant, clock, refunds, answer="failed")
    public = merchant.client.get(f"/v1/public/tabs/{tab['token']}").json()
    assert public["deposit_refund_refused"] == 200
    assert (public["deposit_refunded"], public["deposit_refund_pending"]) == (0, 0)
    page = page_text(merchant, f"/t/{tab['token']}", ENGLISH)
    under_the_deposit(page, REFUSED, ">Deposit applied<", ">To pay<")
    assert "went back to your card" not in page and "going back to your card" not in page


def test_a_refused_rest_of_the_deposit_is_said_on_the_receipt_page_and_its_pdf(
    merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    tab = checked_in_above_the_bill(merchant, clock, refunds, answer="failed")
    receipt = page_text(merchant, f"/t/{tab['token']}/receipt", ENGLISH)
    under_the_deposit(receipt, REFUSED, ">Deposit applied<", None)
    pdf = pdf_text(merchant, tab)
    assert "Deposit applied −€4.00" in pdf, pdf
    assert REFUSED in pdf, pdf
    assert pdf.index("Deposit applied") < pdf.index(REFUSED)


def test_the_receipt_e_mail_says_the_refused_rest_under_the_deposit(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    smtp_server: tuple[str, Mailbox],
    tmp_path: Path,
) -> None:
    email = "lia.resto.recusado@example.com"
    checked_in_above_the_bill(merchant, clock, refunds, answer="failed", email=email)
    text = receipt_mail(runtime, merchant, smtp_server, email)
    assert "Deposit applied −€4.00 " + REFUSED in text, text
    assert "goes back to your card" not in text
    page = receipt_mail(runtime, merchant, smtp_server, email, "html")
    row = f'<tr><td colspan="2">{html.escape(REFUSED, quote=False)}</td></tr>'
    assert row in page, page
    install_vnu()
    assert vnu_errors({"receipt-with-a-refused-deposit-rest": page}, tmp_path) == []


def test_a_lisbon_salon_says_the_refused_rest_in_portuguese_everywhere(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    smtp_server: tuple[str, Mailbox],
) -> None:
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    email = "lia.resto.pt@example.com"
    tab = checked_in_above_the_bill(merchant, clock, refunds, answer="failed", email=email)
    page = page_text(merchant, f"/t/{tab['token']}", PORTUGUESE)
    under_the_deposit(page, RECUSADO, ">Sinal aplicado<", ">A pagar<")
    receipt = page_text(merchant, f"/t/{tab['token']}/receipt", PORTUGUESE)
    under_the_deposit(receipt, RECUSADO, ">Sinal aplicado<", None)
    pdf = pdf_text(merchant, tab)
    assert RECUSADO in pdf and pdf.index("Sinal aplicado") < pdf.index(RECUSADO), pdf
    text = receipt_mail(runtime, merchant, smtp_server, email)
    assert "Sinal aplicado −4,00 € " + RECUSADO in text, text
    assert not any(word in text for word in ("could not", "deposit", "refund"))


def test_a_rest_on_its_way_then_gone_back_reads_under_the_deposit_too(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    smtp_server: tuple[str, Mailbox],
) -> None:
    """The processor does not answer at check-in; ``payments recover`` later
    gets its yes (and leaves no refund pending for another test's recovery)."""
    email = "lia.resto.a.caminho@example.com"
    tab = checked_in_above_the_bill(merchant, clock, refunds, answer="pending", email=email)
    on_its_way = "€2.00 of your deposit is going back to your card."
    page = page_text(merchant, f"/t/{tab['token']}", ENGLISH)
    under_the_deposit(page, on_its_way, ">Deposit applied<", ">To pay<")
    assert on_its_way in pdf_text(merchant, tab)
    text = receipt_mail(runtime, merchant, smtp_server, email)
    assert "Deposit applied −€4.00 " + on_its_way in text, text

    refunds.down = False
    clock.advance(minutes=5)
    assert len(recover(runtime, grace_seconds=60).deposit_refunds) == 1
    gone_back = "€2.00 of your deposit went back to your card."
    page = page_text(merchant, f"/t/{tab['token']}", ENGLISH)
    under_the_deposit(page, gone_back, ">Deposit applied<", ">To pay<")
    assert on_its_way not in page
    receipt = page_text(merchant, f"/t/{tab['token']}/receipt", ENGLISH)
    under_the_deposit(receipt, gone_back, ">Deposit applied<", None)
    assert gone_back in pdf_text(merchant, tab)
    public = merchant.client.get(f"/v1/public/tabs/{tab['token']}").json()
    assert (public["deposit_refunded"], public["deposit_refund_pending"]) == (200, 0)
    assert public["deposit_refund_refused"] == 0

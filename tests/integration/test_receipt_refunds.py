"""A receipt stays the document of the sale after money is given back: the
lines, net, tax per rate and gross as charged, and below them each refund with
its date, the bill's and the tip's part, the reason and the tax it carried back
per rate; then what the customer paid after refunds. The PDF, the customer's
page (English and Portuguese) and the receipt e-mail say the same, and the tax
report nets each refund with the split the receipt prints."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from servefirst.ledger import service as ledger
from servefirst.ledger.rules import EntryKind
from servefirst.messages.transport import Transports, mailer_for
from servefirst.messages.worker import Worker
from servefirst.receipts.document import document_for_tab
from servefirst.runtime import Runtime
from servefirst.taxes import service as taxes
from tests import delivery_servers
from tests.conftest import Merchant
from tests.delivery_servers import Mailbox
from tests.integration.test_html_valid import vnu_errors

smtp_server = delivery_servers.smtp_server  # the session's SMTP server (a fixture)

ENGLISH = {"Accept-Language": "en-GB"}
PORTUGUESE = {"Accept-Language": "pt-PT,pt;q=0.9"}
GOOD_CARD = "4242424242424242"


def _pdf_text(merchant: Merchant, tab: dict[str, Any]) -> str:
    response = merchant.get(f"/v1/tabs/{tab['id']}/receipt.pdf")
    assert response.status_code == 200, response.text
    pages = PdfReader(BytesIO(response.content)).pages
    return "\n".join(page.extract_text() for page in pages).replace("\xa0", " ")


def _lunch_paid_by_card(merchant: Merchant, email: str | None = None) -> dict[str, Any]:
    """A lunch at 23 % (12.30: 10.00 net, 2.30 tax) and a coffee at 23 % voided
    before paying; paid by card with a tip of 1.00."""
    rate = merchant.post("/v1/tax-rates", {"name": "IVA 23%", "percent": "23"}).json()
    lunch = merchant.service("Lunch", price=1230, tax_rate_id=rate["id"])
    coffee = merchant.service("Coffee", price=150, tax_rate_id=rate["id"])
    person = merchant.customer("Ana Costa", **({"email": email} if email else {}))
    tab = merchant.tab(person["id"])
    for service in (lunch, coffee):
        added = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"]})
        assert added.status_code == 200, added.text
    voided = merchant.post(f"/v1/tabs/{tab['id']}/lines/2/void", {"reason": "Not ordered"})
    assert voided.status_code == 200, voided.text
    assert merchant.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
    paid = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/pay", json={"card": GOOD_CARD, "tip": 100}
    )
    assert paid.status_code == 201, paid.text
    return {**tab, "payment_id": paid.json()["id"]}


def _refund(merchant: Merchant, tab: dict[str, Any], **body: Any) -> dict[str, Any]:
    response = merchant.post(f"/v1/payments/{tab['payment_id']}/refunds", body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_refunded_lunch_s_receipt_keeps_its_tax_and_shows_what_went_back(
    merchant: Merchant,
) -> None:
    tab = _lunch_paid_by_card(merchant)
    number = merchant.get(f"/v1/tabs/{tab['id']}").json()["receipt_number"]
    _refund(merchant, tab, amount=615, reason="Soup was cold")
    text = _pdf_text(merchant, tab)
    # The sale as it was made: the voided coffee is out of the totals.
    assert "Net\n€10.00" in text and "Tax 23% on €10.00\n€2.30" in text
    assert "Gross\n€12.30" in text
    # The refund below it, as its own part.
    assert "Refunds" in text and "Soup was cold" in text
    assert "From the bill\n€6.15" in text
    assert "Tax included at 23% on €5.00\n€1.15" in text
    assert "Paid after refunds\n€7.15" in text  # 12.30 + 1.00 tip − 6.15
    _refund(merchant, tab, reason="Closing early")  # the rest of the bill and the tip
    text = _pdf_text(merchant, tab)
    assert "Tax 23% on €10.00\n€2.30" in text and "Gross\n€12.30" in text  # never 0.00
    assert "Closing early" in text and "From the tip\n€1.00" in text
    assert text.count("Tax included at 23% on €5.00\n€1.15") == 2  # all of 2.30, back
    assert "Refunded in all\n−€13.30" in text
    assert "Paid after refunds\n€0.00" in text
    assert f"Receipt number: {number}" in text  # the same number
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["receipt_number"] == number


def test_a_portuguese_receipt_after_a_full_refund_says_it_in_portuguese(
    merchant: Merchant,
) -> None:
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    tab = _lunch_paid_by_card(merchant)
    _refund(merchant, tab, reason="Sopa fria")
    text = _pdf_text(merchant, tab)
    assert "IVA 23% sobre 10,00 €\n2,30 €" in text  # not 0,00 €
    assert "Reembolsos" in text and "Sopa fria" in text
    assert "Da conta\n12,30 €" in text and "Da gorjeta\n1,00 €" in text
    assert "Imposto incluído a 23% sobre 10,00 €\n2,30 €" in text
    assert "Pago após reembolsos\n0,00 €" in text


def test_the_customer_s_receipt_page_says_the_same_in_english_and_portuguese(
    merchant: Merchant,
) -> None:
    tab = _lunch_paid_by_card(merchant)
    _refund(merchant, tab, amount=615, tip=100, reason="Soup was cold")
    english = merchant.client.get(f"/t/{tab['token']}/receipt", headers=ENGLISH)
    assert english.status_code == 200
    page = english.text
    taxes = page.split('data-testid="taxes"')[1].split("</table>")[0]
    assert "€2.30" in taxes and "€12.30" in taxes  # the sale's tax, not what is left
    refunds = page.split('data-testid="refunds"')[1].split("</section>")[0]
    assert "Soup was cold" in refunds and "€6.15" in refunds and "€1.00" in refunds
    assert "Tax included at 23%" in refunds and "€1.15" in refunds
    assert 'data-testid="paid-after-refunds">€6.15<' in page  # 12.30 + 1.00 − 6.15 − 1.00
    portuguese = merchant.client.get(f"/t/{tab['token']}/receipt", headers=PORTUGUESE).text
    assert "Reembolsos" in portuguese and "Imposto incluído a 23%" in portuguese
    assert "Pago após reembolsos" in portuguese


def test_the_receipt_page_of_a_tab_refunded_in_full_does_not_thank_for_a_payment(
    merchant: Merchant,
) -> None:
    tab = _lunch_paid_by_card(merchant)
    _refund(merchant, tab, amount=615, reason="Soup was cold")
    part = merchant.client.get(f"/t/{tab['token']}/receipt", headers=ENGLISH).text
    assert "Payment received. Thank you!" in part  # some of it is still paid
    _refund(merchant, tab, reason="Closing early")  # the rest of the bill and the tip
    whole = merchant.client.get(f"/t/{tab['token']}/receipt", headers=ENGLISH).text
    assert "Payment received" not in whole
    assert "Everything you paid was given back to you." in whole
    portuguese = merchant.client.get(f"/t/{tab['token']}/receipt", headers=PORTUGUESE).text
    assert "Tudo o que pagou foi-lhe devolvido." in portuguese


def test_the_tax_report_nets_each_refund_with_the_split_the_receipt_prints(
    merchant: Merchant,
) -> None:
    tab = _lunch_paid_by_card(merchant)
    _refund(merchant, tab, amount=333, reason="Short a side")
    report = merchant.get("/v1/reports/tax", params={"from": "2000-01-01", "to": "2100-12-31"})
    [rate] = report.json()["rates"]
    text = _pdf_text(merchant, tab)
    # 3.33 back at 23 %: 0.62 tax (3.33 × 23 / 123 = 0.6227) on 2.71 net.
    assert "Tax included at 23% on €2.71\n€0.62" in text
    assert (rate["net"], rate["tax"]) == (1000 - 271, 230 - 62)
    assert report.json()["ledger_tax_payable"] == 230 - 62


def test_a_refund_of_a_part_payment_then_a_discount_prints_what_the_refund_booked(
    runtime: Runtime, merchant: Merchant
) -> None:
    # Lunch at 23 %: 5.00 paid up front, 1.00 of it given back, then 1.00 off
    # the bill for a cold soup, then the rest paid. The refund's entry gave
    # back 0.19 of tax (1.00 off 12.30); worked out again after the discount
    # (1.00 more off 11.30), it would read 0.18.
    rate = merchant.post("/v1/tax-rates", {"name": "IVA 23%", "percent": "23"}).json()
    tab = merchant.tab()
    lunch = merchant.service("Lunch", price=1230, tax_rate_id=rate["id"])
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": lunch["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 500})
    assert paid.status_code == 201, paid.text
    _refund(merchant, {**tab, "payment_id": paid.json()["id"]}, amount=100, reason="Overcharged")
    concern = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/concerns",
        json={"reason": "Cold soup", "remedy": "partial", "amount": 100},
    ).json()
    if concern["status"] == "pending":
        merchant.post(
            f"/v1/tabs/{tab['id']}/concerns/{concern['id']}/resolve", {"decision": "approve"}
        )
    due = merchant.get(f"/v1/tabs/{tab['id']}").json()["amount_due"]
    rest = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": due})
    assert rest.status_code == 201, rest.text
    with runtime.uow(merchant.id, write=False) as uow:
        document = document_for_tab(uow, tab["id"])
        [booked] = [
            e for e, _ in ledger.journal(uow, tab_id=tab["id"]) if e.kind == EntryKind.REFUND
        ]
        now = uow.clock.now()
        books = [
            (net, tax)
            for entry, _, net, tax in taxes.movements_between(
                uow, now - timedelta(days=1), now + timedelta(days=1), 100
            )
            if entry == booked.entry_id
        ]
    [refund] = document.refunds
    assert [(p.percent, -p.net, -p.tax) for p in refund.taxes] == [("23", *books[0])]
    assert [(p.net, p.tax) for p in refund.taxes] == [(81, 19)]
    assert "Tax included at 23% on €0.81\n€0.19" in _pdf_text(merchant, tab)


def receipts_in(mailbox: Mailbox, email: str) -> list[Any]:
    return [m for m in mailbox.to(email) if m["Subject"].startswith("Your receipt")]


def test_the_receipt_e_mail_composed_after_a_refund_says_the_same(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    tab = _lunch_paid_by_card(merchant, email="ana.refunded@example.com")
    _refund(merchant, tab, amount=615, reason="Soup was cold")
    Worker(
        runtime, transports=Transports(mailer_for(smtp_server[0])), merchants=[merchant.id]
    ).drain()
    # The receipt (each refund also has its own e-mail: test_refund_emails).
    [mail] = receipts_in(smtp_server[1], "ana.refunded@example.com")
    text = str(mail.get_body(preferencelist=("plain",)).get_content())
    lines = [line.strip() for line in text.splitlines()]
    assert "Tax at 23% on €10.00  €2.30" in lines
    assert "Soup was cold" in text
    assert "From the bill  €6.15" in lines
    assert "Tax included at 23% on €5.00  €1.15" in lines
    assert "Paid after refunds  €7.15" in lines
    html = str(mail.get_body(preferencelist=("html",)).get_content())
    assert "Soup was cold" in html and "€1.15" in html and "Paid after refunds" in html


def test_the_tax_report_of_a_two_rate_bill_nets_exactly_what_its_receipt_gave_back(
    runtime: Runtime, merchant: Merchant
) -> None:
    standard = merchant.post("/v1/tax-rates", {"name": "IVA 23%", "percent": "23"}).json()
    reduced = merchant.post("/v1/tax-rates", {"name": "IVA 6%", "percent": "6"}).json()
    tab = merchant.tab()
    for price, rate in ((1230, standard), (245, reduced), (999, standard), (133, reduced)):
        service = merchant.service(price=price, tax_rate_id=rate["id"])
        merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 2607})
    assert paid.status_code == 201, paid.text
    for amount in (1, 777, 333):
        refund = merchant.post(
            f"/v1/payments/{paid.json()['id']}/refunds", {"amount": amount, "reason": "Sorry"}
        )
        assert refund.status_code == 201, refund.text
    with runtime.uow(merchant.id, write=False) as uow:
        document = document_for_tab(uow, tab["id"])
    assert document.taxes is not None
    back: dict[str, list[int]] = {}
    for refund in document.refunds:
        assert sum(p.net + p.tax for p in refund.taxes) == refund.amount  # every line taxed
        for part in refund.taxes:
            net, tax = back.setdefault(part.percent, [0, 0])
            back[part.percent] = [net + part.net, tax + part.tax]
    report = merchant.get("/v1/reports/tax", params={"from": "2000-01-01", "to": "2100-12-31"})
    reported = {r["percent"]: (r["net"], r["tax"]) for r in report.json()["rates"]}
    assert reported == {
        p.percent: (p.net - back[p.percent][0], p.tax - back[p.percent][1])
        for p in document.taxes.parts
    }


def test_the_refunded_receipt_page_and_e_mail_are_valid_html(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox], tmp_path: Path
) -> None:
    tab = _lunch_paid_by_card(merchant, email="ana.valid.refund@example.com")
    _refund(merchant, tab, amount=615, reason="Soup was cold")
    _refund(merchant, tab, tip=100, reason="Tip typed twice")
    Worker(
        runtime, transports=Transports(mailer_for(smtp_server[0])), merchants=[merchant.id]
    ).drain()
    [mail] = receipts_in(smtp_server[1], "ana.valid.refund@example.com")
    told = [m for m in smtp_server[1].to("ana.valid.refund@example.com") if m is not mail]
    assert len(told) == 2  # one e-mail per refund
    pages = {
        "refunded-receipt-email": str(mail.get_body(preferencelist=("html",)).get_content()),
        **{
            f"refund-email-{n}": str(m.get_body(preferencelist=("html",)).get_content())
            for n, m in enumerate(told)
        },
        "refunded-receipt-en": merchant.client.get(f"/t/{tab['token']}/receipt").text,
        "refunded-receipt-pt": merchant.client.get(
            f"/t/{tab['token']}/receipt", headers=PORTUGUESE
        ).text,
    }
    assert all("Tip typed twice" in pages[name] for name in pages if "receipt" in name)
    assert vnu_errors(pages, tmp_path) == []


def test_a_fractional_rate_in_a_portuguese_receipt_e_mail_is_written_with_a_comma(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    rate = merchant.post("/v1/tax-rates", {"name": "Reduzida", "percent": "5.5"}).json()
    soup = merchant.service("Sopa", price=1055, tax_rate_id=rate["id"])
    person = merchant.customer("Ana Costa", email="ana.rate@example.com")
    tab = merchant.tab(person["id"])
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": soup["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 1055})
    assert paid.status_code == 201, paid.text
    Worker(
        runtime, transports=Transports(mailer_for(smtp_server[0])), merchants=[merchant.id]
    ).drain()
    [mail] = smtp_server[1].to("ana.rate@example.com")  # the receipt, in Portuguese
    text = str(mail.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    assert "5,5%" in text and "5.5%" not in text

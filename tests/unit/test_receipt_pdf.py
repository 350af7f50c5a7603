"""The receipt PDF carries what a receipt must: read back with pypdf."""

from __future__ import annotations

import sys
import threading
from datetime import UTC, date, datetime
from io import BytesIO

from pypdf import PdfReader

from servefirst.receipts.document import (
    DocumentKind,
    Party,
    PrintedLine,
    PrintedPayment,
    PrintedRefund,
    ReceiptDocument,
    TaxPart,
    TaxTotals,
)
from servefirst.receipts.pdf import render_pdf

PAID_AT = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # already 2027 in Tokyo


def _document(**changes: object) -> ReceiptDocument:
    fields: dict[str, object] = {
        "kind": DocumentKind.RECEIPT,
        "currency": "EUR",
        "locale": "en_GB",
        "timezone": "Europe/Lisbon",
        "seller": Party(
            "Café Azul", "PT501964843", "Café Azul, Lda.", ("Rua Augusta 10", "1100-053 Lisboa")
        ),
        "customer": Party("João Conceição", "PT123456789"),
        "short_code": "K7M2QX",
        "number": "2026-000042",
        "issued_at": PAID_AT,
        "due_date": None,
        "lines": (PrintedLine("Galão", 2, 180, 360), PrintedLine("Pastel de nata", 1, 130, 130)),
        "subtotal": 490,
        "adjustments": 0,
        "deposit_applied": 0,
        "total": 490,
        "paid": 490,
        "tips": 50,
        "refunded": 0,
        "amount_due": 0,
        "payments": (PrintedPayment("card", 490, 50, PAID_AT, "4242"),),
    }
    fields.update(changes)
    return ReceiptDocument(**fields)  # type: ignore[arg-type]


def _text(document: ReceiptDocument) -> str:
    data = render_pdf(document)
    assert data.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def test_a_receipt_carries_seller_number_date_customer_lines_totals_and_payments() -> None:
    text = _text(_document())
    for shown in (
        "Café Azul, Lda.",
        "Rua Augusta 10",
        "1100-053 Lisboa",
        "Tax id: PT501964843",
        "Receipt number: 2026-000042",
        "31 Dec 2026",  # in Lisbon's zone
        "Customer: João Conceição",
        "Tax id: PT123456789",
        "Galão",
        "Pastel de nata",
        "€3.60",
        "Total",
        "€4.90",
        "Card ···· 4242",
        "tip €0.50",
    ):
        assert shown in text, shown
    assert "Net" not in text  # no tax totals on this tab: the total alone


def test_with_tax_totals_the_receipt_shows_net_tax_per_rate_and_gross() -> None:
    taxes = TaxTotals(net=424, parts=(TaxPart("23", 293, 67), TaxPart("6", 131, 8)), gross=499)
    text = _text(_document(taxes=taxes, total=499, paid=499, subtotal=499))
    assert "Net" in text and "€4.24" in text
    assert "Tax 23% on €2.93" in text and "€0.67" in text
    assert "Tax 6% on €1.31" in text and "€0.08" in text
    assert "Gross" in text and "€4.99" in text


def test_a_portuguese_merchant_s_receipt_is_in_portuguese_with_euros_the_local_way() -> None:
    text = _text(_document(locale="pt_PT")).replace("\xa0", " ")
    assert "Recibo" in text
    assert "Recibo n.º 2026-000042" in text
    assert "NIF: PT501964843" in text
    assert "3,60 €" in text and "4,90 €" in text
    assert "Este documento não é uma fatura emitida por programa certificado." in text


def test_a_fractional_rate_is_written_the_document_s_way() -> None:
    taxes = TaxTotals(net=1000, parts=(TaxPart("5.5", 1000, 55),), gross=1055)
    sale = {"taxes": taxes, "total": 1055, "paid": 1055, "subtotal": 1055}
    english = _text(_document(**sale))
    assert "Tax 5.5% on €10.00" in english
    portuguese = _text(_document(locale="pt_PT", **sale)).replace("\xa0", " ")
    assert "5,5%" in portuguese and "5.5%" not in portuguese


def test_an_invoice_shows_its_due_date_and_what_is_owed() -> None:
    invoice = _document(
        kind=DocumentKind.INVOICE,
        number=None,
        due_date=date(2027, 1, 15),
        paid=200,
        tips=0,
        amount_due=290,
        payments=(PrintedPayment("cash", 200, 0, PAID_AT),),
    )
    text = _text(invoice)
    assert "Invoice" in text
    assert "Receipt number" not in text
    assert "Due date: 15 Jan 2027" in text
    assert "Amount due" in text and "€2.90" in text
    assert invoice.filename == "invoice-K7M2QX.pdf"


def test_a_refunded_tip_is_counted_in_what_the_receipt_says_went_back() -> None:
    text = _text(_document(refunded=490, tips_refunded=50))
    assert "Refunded in all\n−€5.40" in text  # the bill's 4.90 and the tip's 0.50
    assert "Paid after refunds\n€0.00" in text


REFUNDED_AT = datetime(2027, 1, 5, 10, 15, tzinfo=UTC)


def _refunded_lunch(locale: str = "en_GB") -> ReceiptDocument:
    """A 12.30 lunch at 23 % paid by card with a 1.00 tip; 6.15 of the bill
    given back, then the rest and the tip."""
    return _document(
        locale=locale,
        lines=(PrintedLine("Lunch", 1, 1230, 1230), PrintedLine("Coffee", 1, 150, 150, True)),
        subtotal=1230,
        total=1230,
        paid=1230,
        tips=100,
        refunded=1230,
        tips_refunded=100,
        payments=(PrintedPayment("card", 1230, 100, PAID_AT, "4242"),),
        taxes=TaxTotals(net=1000, parts=(TaxPart("23", 1000, 230),), gross=1230),
        refunds=(
            PrintedRefund(PAID_AT, 615, 0, "Soup was cold", (TaxPart("23", 500, 115),)),
            PrintedRefund(REFUNDED_AT, 615, 100, "Closing early", (TaxPart("23", 500, 115),)),
        ),
    )


def test_after_refunds_the_receipt_is_still_the_sale_with_a_credit_note_below_it() -> None:
    text = _text(_refunded_lunch())
    sale, refunds = text.split("\nRefunds\n")
    # The sale as charged: the tax stays, the voided coffee is out of it.
    assert "Coffee (voided)" in sale and "Tax 23% on €10.00\n€2.30" in sale
    assert "Gross\n€12.30" in sale and "Refunded" not in sale
    # Each refund with its date, reason, parts and the tax it carried back.
    assert "31 Dec 2026, 23:30 · Soup was cold\nFrom the bill\n€6.15" in refunds
    assert "5 Jan 2027, 10:15 · Closing early\nFrom the bill\n€6.15" in refunds
    assert refunds.count("Tax included at 23% on €5.00\n€1.15") == 2
    assert "From the tip\n€1.00" in refunds
    assert "Refunded in all\n−€13.30\nPaid after refunds\n€0.00" in refunds
    assert "Receipt number: 2026-000042" in text


def test_a_portuguese_credit_note_part_reads_in_portuguese() -> None:
    text = _text(_refunded_lunch("pt_PT")).replace("\xa0", " ")
    assert "IVA 23% sobre 10,00 €\n2,30 €" in text
    assert "Reembolsos" in text and "Da conta\n6,15 €" in text and "Da gorjeta\n1,00 €" in text
    assert text.count("Imposto incluído a 23% sobre 5,00 €\n1,15 €") == 2
    assert "Reembolsado no total\n−13,30 €" in text and "Pago após reembolsos\n0,00 €" in text


def test_what_comes_off_the_bill_has_a_minus_sign_as_on_the_receipt_page() -> None:
    """A discount, the deposit and what went back are taken off with "−"
    (U+2212, as the HTML receipt writes it), never a hyphen; the font has it."""
    taken_off = {
        "subtotal": 590,
        "adjustments": 100,
        "deposit_applied": 200,
        "refunded": 290,
        "refunds": (PrintedRefund(PAID_AT, 290, 0, "Cold coffee", ()),),
    }
    english = _text(_document(**taken_off))
    assert "Discounts\n−€1.00" in english and "Deposit applied\n−€2.00" in english
    assert "Refunded in all\n−€2.90" in english
    portuguese = _text(_document(locale="pt_PT", **taken_off)).replace("\xa0", " ")
    assert "−1,00 €" in portuguese and "−2,00 €" in portuguese and "−2,90 €" in portuguese
    assert "-€" not in english and "-1,00" not in portuguese and "-2," not in portuguese


def test_a_receipt_without_refunds_has_no_refunds_part() -> None:
    assert "Refunds" not in _text(_document())


def test_receipts_drawn_at_once_by_several_senders_all_come_out_whole() -> None:
    # The delivery worker's senders draw receipts in threads of one process
    # (and requests may ask for a PDF meanwhile). ReportLab cuts a font's
    # subset through one shared file cursor per font: drawn at once, the
    # documents' reads interleaved and a send failed with a KeyError from
    # the font. Switching threads as often as possible makes that likely.
    failures: list[str] = []
    drawn: list[bytes] = []

    def sender() -> None:
        for _ in range(15):
            try:
                drawn.append(render_pdf(_document()))
            except Exception as exc:  # noqa: BLE001 - every failure is the finding
                failures.append(repr(exc))

    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=sender) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(before)
    assert failures == []
    assert len(drawn) == 60 and len(set(drawn)) == 1  # invariant: the same bytes each time


def test_a_refund_made_in_stripe_s_dashboard_gives_its_reason_in_the_receipt_s_language() -> None:
    dashboard = PrintedRefund(REFUNDED_AT, 615, 0, "Refunded in Stripe's dashboard.")
    text = _text(_document(locale="pt_PT", refunded=615, refunds=(dashboard,)))
    assert "Reembolsado no painel da Stripe." in text


def test_receipts_are_drawn_with_reportlabs_own_accelerator() -> None:
    # The delivery worker draws a PDF for every receipt e-mail: ReportLab's C
    # helpers (the "accel" extra in pyproject) draw the same bytes with less CPU.
    # Without them ReportLab falls back to its pure-Python versions silently.
    from reportlab.lib import rl_accel

    assert type(rl_accel.fp_str).__name__ == "builtin_function_or_method"
    assert type(rl_accel.escapePDF).__name__ == "builtin_function_or_method"

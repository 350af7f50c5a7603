"""A receipt or an invoice drawn as PDF with ReportLab (pure Python).

Text is set in DejaVu Sans, from Debian's fonts-dejavu-core, embedded in the
file: ReportLab's built-in Helvetica knows no glyphs beyond Latin-1's, and a
receipt prints '€', 'ç' and 'ã'. Words follow the merchant's language, amounts
and dates its locale and zone. Nothing here reads the database: it draws a
``ReceiptDocument``.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from servefirst.kit import formats, i18n
from servefirst.kit.i18n import N_, gettext
from servefirst.receipts.document import DocumentKind, ReceiptDocument

#: Debian's fonts-dejavu-core (installed by .ci/run where missing).
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"

METHOD_WORDS = {
    "cash": N_("Cash"),
    "card": N_("Card"),
    "card_terminal": N_("Card terminal"),
    "card_hold": N_("Card held at booking"),
}


@cache
def _fonts() -> tuple[str, str]:
    """The DejaVu faces, registered once per process."""
    for name in (REGULAR, BOLD):
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / f"{name}.ttf")))
    return REGULAR, BOLD


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=16, leading=20),
        "body": ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=12.5),
        "strong": ParagraphStyle("strong", fontName=bold, fontSize=9.5, leading=12.5),
        "right": ParagraphStyle(
            "right", fontName=regular, fontSize=9.5, leading=12.5, alignment=TA_RIGHT
        ),
        "small": ParagraphStyle(
            "small", fontName=regular, fontSize=7.5, leading=10, textColor=colors.grey
        ),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


#: One document drawn at a time in this process. ReportLab is not thread-safe:
#: a registered font cuts each document's subset through one shared file
#: cursor, so two documents drawn at once (the delivery worker's senders, a
#: request for a receipt) mix their reads and one fails, or comes out wrong.
_DRAWING = threading.Lock()


def render_pdf(doc: ReceiptDocument) -> bytes:
    """The document as PDF bytes, in the merchant's language, locale and zone."""
    language = i18n.language_of(doc.locale)
    with i18n.use_language(language), formats.use_place(doc.locale, doc.timezone), _DRAWING:
        return _render(doc)


#: What is taken off the bill is written with a minus sign, as the receipt
#: page and e-mail write it, not the hyphen the locale's format puts there.
#: DejaVu Sans has the glyph.
MINUS = "\u2212"


def _money(amount: int, doc: ReceiptDocument) -> str:
    if amount < 0:
        return MINUS + formats.money(-amount, doc.currency)
    return formats.money(amount, doc.currency)


def _rate(percent: str) -> str:
    """A rate as the merchant entered it ('5.5'), written the document's way ('5,5')."""
    return formats.number(Decimal(percent))


def _render(doc: ReceiptDocument) -> bytes:
    s = _styles()
    regular, bold = _fonts()
    out = BytesIO()
    title = gettext("Receipt") if doc.kind is DocumentKind.RECEIPT else gettext("Invoice")
    pdf = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{title} {doc.number or doc.short_code}",
        author=doc.seller.legal_name or doc.seller.name,
        invariant=True,  # the same document gives the same bytes
    )
    story: list[Flowable] = [_p(title, s["title"]), Spacer(1, 4 * mm)]

    seller = [doc.seller.legal_name or doc.seller.name]
    if doc.seller.legal_name and doc.seller.legal_name != doc.seller.name:
        seller.append(doc.seller.name)
    seller.extend(doc.seller.address)
    if doc.seller.phone:
        seller.append(gettext("Phone: {phone}").format(phone=doc.seller.phone))
    if doc.seller.tax_id:
        seller.append(gettext("Tax id: {tax_id}").format(tax_id=doc.seller.tax_id))
    facts = []
    if doc.number:
        facts.append(gettext("Receipt number: {number}").format(number=doc.number))
    facts.append(gettext("Tab: {code}").format(code=doc.short_code))
    facts.append(gettext("Date: {date}").format(date=formats.format_datetime(doc.issued_at)))
    if doc.due_date is not None:
        facts.append(gettext("Due date: {date}").format(date=formats.format_date(doc.due_date)))
    customer = [gettext("Customer: {name}").format(name=doc.customer.name)]
    if doc.customer.tax_id:
        customer.append(gettext("Tax id: {tax_id}").format(tax_id=doc.customer.tax_id))
    head = Table(
        [[_p("\n".join(seller), s["body"]), _p("\n".join(facts + customer), s["right"])]],
        colWidths=[95 * mm, 79 * mm],
    )
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [head, Spacer(1, 6 * mm)]

    rows = [[gettext("Item"), gettext("Qty"), gettext("Unit price"), gettext("Amount")]]
    for line in doc.lines:
        name = line.name + (f" ({gettext('voided')})" if line.voided else "")
        rows.append(
            [
                _p(name, s["body"]),
                formats.number(line.quantity),
                _money(line.unit_price, doc),
                _money(0 if line.voided else line.amount, doc),
            ]
        )
    lines = Table(rows, colWidths=[94 * mm, 16 * mm, 32 * mm, 32 * mm], repeatRows=1)
    lines.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), regular, 9.5),
                ("FONT", (0, 0), (-1, 0), bold, 9.5),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("LINEBELOW", (0, -1), (-1, -1), 0.3, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [lines, Spacer(1, 4 * mm), _totals(doc, regular, bold)]

    if doc.payments:
        story += [Spacer(1, 6 * mm), _p(gettext("Payments"), s["strong"])]
        paid = [
            [
                formats.format_datetime(p.at),
                gettext(METHOD_WORDS.get(p.method, p.method))
                + (f" ···· {p.card_last4}" if p.card_last4 else ""),
                _money(p.amount, doc),
                gettext("tip {amount}").format(amount=_money(p.tip, doc)) if p.tip else "",
            ]
            for p in doc.payments
        ]
        table = Table(paid, colWidths=[50 * mm, 60 * mm, 32 * mm, 32 * mm])
        table.setStyle(
            TableStyle(
                [("FONT", (0, 0), (-1, -1), regular, 9), ("ALIGN", (2, 0), (-1, -1), "RIGHT")]
            )
        )
        story.append(table)
    if doc.refunds or doc.given_back:
        story += [Spacer(1, 6 * mm), _p(gettext("Refunds"), s["strong"])]
        story += _refunds(doc, regular, bold)
    story += [
        Spacer(1, 8 * mm),
        _p(gettext("This document is not a certified tax invoice."), s["small"]),
    ]
    pdf.build(story)
    return out.getvalue()


def _totals(doc: ReceiptDocument, regular: str, bold: str) -> Table:
    """Net, tax per rate and gross when the tab carries taxes; else the total."""
    rows: list[tuple[str | Paragraph, str]] = []
    if doc.adjustments:
        rows.append((gettext("Subtotal"), _money(doc.subtotal, doc)))
        rows.append((gettext("Discounts"), _money(-doc.adjustments, doc)))
    if doc.taxes is not None:
        rows.append((gettext("Net"), _money(doc.taxes.net, doc)))
        for part in doc.taxes.parts:
            rows.append(
                (
                    gettext("Tax {percent}% on {net}").format(
                        percent=_rate(part.percent), net=_money(part.net, doc)
                    ),
                    _money(part.tax, doc),
                )
            )
        rows.append((gettext("Gross"), _money(doc.taxes.gross, doc)))
    else:
        rows.append((gettext("Total"), _money(doc.total, doc)))
    strong = len(rows) - 1
    if doc.deposit_applied:
        rows.append((gettext("Deposit applied"), _money(-doc.deposit_applied, doc)))
    # Where the rest of the deposit went: a sentence across both columns,
    # wrapped (a Portuguese one is longer than the line).
    said = len(rows)
    rows.extend((_p(words, _styles()["right"]), "") for words in deposit_back_words(doc))
    spans = [("SPAN", (0, row), (1, row)) for row in range(said, len(rows))]
    if doc.paid:
        rows.append((gettext("Paid"), _money(doc.paid, doc)))
    if doc.tips:
        rows.append((gettext("Tip"), _money(doc.tips, doc)))
    if doc.kind is DocumentKind.INVOICE or doc.amount_due:
        rows.append((gettext("Amount due"), _money(doc.amount_due, doc)))
    table = Table(rows, colWidths=[142 * mm, 32 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), regular, 9.5),
                ("FONT", (0, strong), (-1, strong), bold, 10.5),
                ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
                *spans,
            ]
        )
    )
    return table


def deposit_back_words(doc: ReceiptDocument) -> list[str]:
    """What of the booking's deposit the bill did not need, as the customer's
    tab page says it (``customer/_deposit_back.html``): gone back, on its
    way, or refused by the card processor and still owed by the business."""
    back, words = doc.deposit_back, []
    if back.refunded:
        words.append(
            gettext("%(amount)s of your deposit went back to your card.")
            % {"amount": _money(back.refunded, doc)}
        )
    if back.pending:
        words.append(
            gettext("%(amount)s of your deposit is going back to your card.")
            % {"amount": _money(back.pending, doc)}
        )
    if back.refused:
        words.append(
            gettext(
                "%(amount)s of your deposit could not go back to your card: the card processor"
                " refused the refund. %(business)s still holds it and owes it to you."
            )
            % {"amount": _money(back.refused, doc), "business": doc.seller.name}
        )
    return words


def _refunds(doc: ReceiptDocument, regular: str, bold: str) -> list[Flowable]:
    """Money given back, below the sale like a credit note: each refund with
    its date and reason, the bill's and the tip's part and the tax included
    in the bill's part per rate; then all that went back and what the
    customer paid after it. The sale above stays as it was charged."""
    rows: list[tuple[str, str]] = []
    heads: list[int] = []
    for refund in doc.refunds:
        heads.append(len(rows))
        # A reason servefirst wrote itself (a refund made in Stripe's dashboard)
        # reads in the document's language; staff's own words stay as typed.
        said = gettext(refund.reason)
        rows.append((f"{formats.format_datetime(refund.at)} · {said}", ""))
        if refund.amount:
            rows.append((gettext("From the bill"), _money(refund.amount, doc)))
        for part in refund.taxes:
            rows.append(
                (
                    gettext("Tax included at %(percent)s%% on %(net)s")
                    % {"percent": _rate(part.percent), "net": _money(part.net, doc)},
                    _money(part.tax, doc),
                )
            )
        if refund.tip:
            rows.append((gettext("From the tip"), _money(refund.tip, doc)))
    rows.append((gettext("Refunded in all"), _money(-doc.given_back, doc)))
    rows.append((gettext("Paid after refunds"), _money(doc.paid_after_refunds, doc)))
    last = len(rows) - 1
    style = [
        ("FONT", (0, 0), (-1, -1), regular, 9.5),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ("LINEABOVE", (0, last - 1), (-1, last - 1), 0.3, colors.grey),
        ("FONT", (0, last), (-1, last), bold, 10.5),
    ]
    for head in heads:
        style.append(("SPAN", (0, head), (-1, head)))
    table = Table(
        [
            [_p(label, _styles()["body"]) if row in heads else label, amount]
            for row, (label, amount) in enumerate(rows)
        ],
        colWidths=[142 * mm, 32 * mm],
    )
    table.setStyle(TableStyle(style))
    return [table]

"""What a receipt or an invoice shows, gathered from the tab, its merchant,
its customer and its payments (each through its own feature's service)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from servefirst.bookings.deposit_returns import DepositBack, deposit_back_of_tab
from servefirst.customers.service import get_customer
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import NotFound
from servefirst.merchants.service import get_merchant
from servefirst.payments.refunds import given_back_on
from servefirst.payments.service import payments_of
from servefirst.tabs import service as tabs
from servefirst.tabs.rules import TabStatus
from servefirst.taxes.rules import percent_text
from servefirst.taxes.service import refunded_taxes_of, sale_totals_of

if TYPE_CHECKING:
    from servefirst.tabs.models import Tab


class DocumentKind(StrEnum):
    RECEIPT = "receipt"  # a paid tab
    INVOICE = "invoice"  # a served tab issued with a due date, not paid yet


@dataclass(frozen=True)
class Party:
    name: str
    tax_id: str | None = None
    legal_name: str | None = None
    address: tuple[str, ...] = ()
    #: The number the customer calls the seller on, where it gave one.
    phone: str | None = None


@dataclass(frozen=True)
class PrintedLine:
    name: str
    quantity: int
    unit_price: int
    amount: int
    voided: bool = False


@dataclass(frozen=True)
class PrintedPayment:
    method: str
    amount: int
    tip: int
    at: datetime
    card_last4: str | None = None


@dataclass(frozen=True)
class TaxPart:
    """One rate's share of the bill."""

    percent: str  # as the merchant entered it: '23', '5.5'
    net: int
    tax: int


@dataclass(frozen=True)
class PrintedRefund:
    """Money given back after the sale, shown below it like a credit note."""

    at: datetime
    amount: int  # of the bill
    tip: int  # of the tip
    reason: str
    #: The tax included in ``amount``, per rate the tab carried (a tip carries none).
    taxes: tuple[TaxPart, ...] = ()


@dataclass(frozen=True)
class TaxTotals:
    """A tab's totals when it carries taxes: net + every rate's tax = gross."""

    net: int
    parts: tuple[TaxPart, ...]
    gross: int


class GivenBack:
    """What went back of a tab and what is left paid: the same two sums on
    the receipt (PDF, page, e-mail) and on the tab's pages."""

    paid: int  # towards the bill
    tips: int
    refunded: int  # of the bill's part
    tips_refunded: int  # of the tips

    @property
    def given_back(self) -> int:
        """All that went back, of the bill and of the tips."""
        return self.refunded + self.tips_refunded

    @property
    def paid_after_refunds(self) -> int:
        """What the customer paid (bill and tips) less what went back."""
        return self.paid + self.tips - self.given_back


@dataclass(frozen=True)
class ReceiptDocument(GivenBack):
    kind: DocumentKind
    currency: str
    locale: str
    timezone: str
    seller: Party
    customer: Party
    short_code: str
    number: str | None  # the receipt number; an unpaid invoice has none yet
    issued_at: datetime
    due_date: date | None
    lines: tuple[PrintedLine, ...]
    subtotal: int
    adjustments: int
    deposit_applied: int
    total: int
    paid: int
    tips: int
    refunded: int  # of the bill's part
    amount_due: int
    payments: tuple[PrintedPayment, ...] = ()
    tips_refunded: int = 0  # of the tips: given back as well
    taxes: TaxTotals | None = field(default=None)  # the sale's, as charged
    refunds: tuple[PrintedRefund, ...] = ()
    #: What of the booking's deposit the bill did not need, as the card
    #: processor answered its refund: printed under the deposit applied.
    deposit_back: DepositBack = field(default_factory=DepositBack)

    @property
    def filename(self) -> str:
        name = self.number or self.short_code
        return f"{self.kind.value}-{name}.pdf"


def kind_of(tab: Tab) -> DocumentKind:
    """A paid tab has a receipt; an unpaid invoice has an invoice; else 404."""
    if tab.status == TabStatus.PAID.value:
        return DocumentKind.RECEIPT
    if tab.due_date is not None and tab.status in (TabStatus.SERVED, TabStatus.OVERDUE):
        return DocumentKind.INVOICE
    raise NotFound(
        "This tab has no receipt yet: it is not paid and was not issued as an invoice.",
        code="receipt_not_found",
        param="tab_id",
    )


def tax_totals_of(tab: Tab) -> TaxTotals | None:
    """The sale's net, tax per rate and gross when it was charged at tax
    rates (after discounts, before refunds: a receipt is the document of the
    sale as it was made, and what went back is its own part below); None:
    the document shows the total alone."""
    totals = sale_totals_of(tab)
    parts = tuple(TaxPart(percent_text(p.percent), p.net, p.tax) for p in totals.rated if p.rate_id)
    if not parts:
        return None  # no line was charged at a rate
    return TaxTotals(net=totals.net, parts=parts, gross=totals.gross)


def refunds_on(uow: UnitOfWork, tab: Tab, payment_ids: list[str]) -> tuple[PrintedRefund, ...]:
    """Each refund from the tab's payments with the tax it carried back per
    rate: what its journal entry moved, which the tax report nets."""
    refunds = given_back_on(uow, payment_ids)
    taxes = refunded_taxes_of(uow, tab, [(r.amount, r.entry_id) for r in refunds])
    return tuple(
        PrintedRefund(
            at=refund.settled_at or refund.created_at,
            amount=refund.amount,
            tip=refund.tip,
            reason=refund.reason,
            taxes=tuple(TaxPart(percent_text(p.percent), p.net, p.tax) for p in parts),
        )
        for refund, parts in zip(refunds, taxes, strict=True)
    )


@dataclass(frozen=True)
class SaleAndRefunds(GivenBack):
    """What a tab's pages (the customer's receipt and tab pages, the console's
    tab) show of the sale and what went back, as the PDF prints them: the
    sale's taxes as charged, each refund below it, all that went back and
    what is left paid."""

    taxes: TaxTotals | None
    refunds: tuple[PrintedRefund, ...]
    paid: int
    tips: int
    refunded: int
    tips_refunded: int


def sale_and_refunds_of(uow: UnitOfWork, tab: Tab) -> SaleAndRefunds:
    refunds: tuple[PrintedRefund, ...] = ()
    if tab.refunded or tab.tips_refunded:
        # Only then is there a refund to read: the tab page's live part asks
        # every few seconds, and most tabs never give money back.
        payments = [p.payment_id for p in payments_of(uow, tab.tab_id)]
        refunds = refunds_on(uow, tab, payments)
    return SaleAndRefunds(
        taxes=tax_totals_of(tab),
        refunds=refunds,
        paid=tab.paid,
        tips=tab.tips,
        refunded=tab.refunded,
        tips_refunded=tab.tips_refunded,
    )


def sale_and_refunds_for_token(uow: UnitOfWork, token: str) -> SaleAndRefunds:
    return sale_and_refunds_of(uow, tabs.tab_for_token(uow, token))


def document_for(uow: UnitOfWork, tab: Tab) -> ReceiptDocument:
    kind = kind_of(tab)
    merchant = get_merchant(uow)
    customer = get_customer(uow, tab.customer_id)
    bill = tabs.bill_of(tab)
    payments = payments_of(uow, tab.tab_id)
    return ReceiptDocument(
        kind=kind,
        currency=tab.currency,
        locale=merchant.locale,
        timezone=merchant.timezone,
        seller=Party(
            name=merchant.name,
            legal_name=merchant.legal_name,
            tax_id=merchant.tax_id,
            address=tuple((merchant.address or "").splitlines()),
            phone=merchant.phone,
        ),
        customer=Party(name=customer.name, tax_id=customer.tax_id),
        short_code=tab.short_code,
        number=tab.receipt_number if kind is DocumentKind.RECEIPT else None,
        issued_at=(
            (tab.closed_at if kind is DocumentKind.RECEIPT else tab.invoiced_at)
            or tab.served_at
            or tab.opened_at
        ),
        due_date=tab.due_date,
        lines=tuple(
            PrintedLine(
                v.line.name, v.line.quantity, v.line.unit_price, v.line.amount, v.line.voided
            )
            for v in tabs.lines_of(uow, tab)
        ),
        subtotal=tab.subtotal,
        adjustments=tab.adjustments,
        deposit_applied=tab.deposit_applied,
        total=bill.total,
        paid=tab.paid,
        tips=tab.tips,
        refunded=tab.refunded,
        tips_refunded=tab.tips_refunded,
        amount_due=bill.due,
        payments=tuple(
            PrintedPayment(p.method, p.amount, p.tip, p.created_at, p.card_last4) for p in payments
        ),
        taxes=tax_totals_of(tab),
        refunds=refunds_on(uow, tab, [p.payment_id for p in payments]),
        deposit_back=deposit_back_of_tab(uow, tab.tab_id),
    )


def document_for_tab(uow: UnitOfWork, tab_id: str) -> ReceiptDocument:
    """Staff's look (404 for another merchant's tab, or one without a receipt)."""
    return document_for(uow, tabs.get_tab(uow, tab_id))


def document_for_token(uow: UnitOfWork, token: str) -> ReceiptDocument:
    """The customer's look, by their tab token."""
    return document_for(uow, tabs.tab_for_token(uow, token))

"""Adding a line to a tab: a service priced now, under the customer's limit."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from servefirst.bookings.holds import ensure_hold_covers
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.errors import Conflict
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind, Side
from servefirst.tabs.limits import parties, refuse_over_limit, tab_limit_for
from servefirst.tabs.models import Tab
from servefirst.tabs.rules import ensure_can_add_line, line_amount
from servefirst.taxes import service as taxes

if TYPE_CHECKING:
    from servefirst.catalog.models import Service


def add_line(
    uow: UnitOfWork,
    tab_id: str,
    *,
    service_id: str,
    quantity: int = 1,
    staff_id: str | None = None,
    secured: bool = False,
) -> Tab:
    """Add a line priced now. ``secured``: the booked service at check-in, which
    the booking's deposit already stands behind (no tab-limit check)."""
    tab = uow.tabs.lock(tab_id)
    ensure_can_add_line(tab.status)
    # Tab row first, then the customer's credit lock, then the sum across all
    # their tabs: a line on another tab of theirs waits here, so the two
    # cannot both pass the limit.
    found = parties(uow, tab.customer_id, service_id=service_id, credit_lock=not secured)
    service = cast("Service", found.service)
    if not service.active:
        raise Conflict(
            f"'{service.name}' is no longer offered.", code="service_inactive", param="service_id"
        )
    amount = line_amount(service.price, quantity)
    merchant = found.merchant
    tax = taxes.for_new_line(
        uow,
        tab,
        tax_rate_id=service.tax_rate_id,
        amount=amount,
        prices_include_tax=merchant.prices_include_tax,
        tax_rounding=merchant.tax_rounding,
    )
    # What the bill grows by: the price, and the tax on top when prices exclude it.
    charged = tax.shift.charged if tax is not None else amount
    limit = tab_limit_for(uow, merchant, found.customer)
    if not secured and limit.outstanding + charged > limit.limit:
        refuse_over_limit(limit, charged)
    line_no = tab.line_count + 1
    uow.tabs.add_line(
        tab,
        {
            "merchant_id": uow.merchant,
            "tab_id": tab.tab_id,
            "line_no": line_no,
            "service_id": service.service_id,
            "terms_version": service.terms_version,
            "name": service.name,
            "unit_price": service.price,
            "quantity": quantity,
            "amount": amount,
            "staff_id": staff_id,
            "created_at": uow.clock.now(),
            "tax_rate_id": tax.rate_id if tax is not None else None,
            "tax_percent": tax.percent if tax is not None else None,
        },
        charged=charged,
        taxes=tax.state.as_dict() if tax is not None else None,
    )
    if charged or (tax is not None and tax.shift.moved):
        # Revenue is earned as the service is given: the customer now owes it,
        # and the tax in it is owed to the tax authority.
        tax_now = taxes.tax_part(tax.shift if tax is not None else None)
        entry_id = ledger.post(
            uow,
            EntryBuilder(EntryKind.TAB_CHARGE, tab.currency, memo=service.name, tab_id=tab.tab_id)
            .debit(Account.RECEIVABLES, charged)
            .leg(Account.REVENUE, Side.CREDIT, charged - tax_now)
            .leg(Account.TAX_PAYABLE, Side.CREDIT, tax_now)
            .build(),
        )
        if tax is not None:
            taxes.record(uow, tab, entry_id, tax.shift)
    emit(
        uow,
        "tab.line_added",
        tab.tab_id,
        {"line_no": line_no, "service_id": service.service_id, "amount": amount},
    )
    # A card hold behind the tab grows with it now, not at the end of the evening.
    ensure_hold_covers(uow, tab)
    return tab

"""Card holds: recording them, and keeping a tab's hold in step with its bill.

A hold taken for a booking follows the customer to their tab at check-in. A tab
grows as the evening goes on; a hold of a fixed amount would then fail at the
end, when the customer is at the door. So each time a line is added we compare
what is due with what is held, and raise the hold at once (with room for the
tip); if the card says no, the tab shows it straight away and the staff ask
for another way to pay while the customer is still there.

This module knows tabs only through their amounts (``tabs.rules.Bill``), so
``tabs.service`` can call it without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from servefirst.bookings.hold_releases import ask_release
from servefirst.bookings.models import CardHold, DepositTotals
from servefirst.db.uow import UnitOfWork
from servefirst.db.upsert import insert_for
from servefirst.events.service import emit
from servefirst.kit.errors import Conflict
from servefirst.kit.ids import new_id
from servefirst.kit.money import Money
from servefirst.payments.gateways import Authorization
from servefirst.tabs.rules import Bill

if TYPE_CHECKING:
    from servefirst.tabs.models import Tab

#: When a hold has to grow, hold this much more than is due: room for the tip
#: (most tips stay under 20%), so paying with a tip needs no second raise.
TIP_HEADROOM = Decimal("0.20")


def with_headroom(due: int) -> int:
    return int((Decimal(due) * (1 + TIP_HEADROOM)).to_integral_value(rounding=ROUND_CEILING))


def _due(tab: Tab) -> int:
    return Bill(tab.subtotal, tab.adjustments, tab.paid, tab.deposit_applied).due


def active_hold(
    uow: UnitOfWork, *, booking_id: str | None = None, tab: Tab | None = None
) -> CardHold | None:
    if tab is not None and not tab.card_held:
        return None  # most tabs: no query at all
    tab_id = tab.tab_id if tab is not None else None
    query = select(CardHold).where(
        CardHold.merchant_id == uow.merchant, CardHold.status == "active"
    )
    if booking_id is not None:
        query = query.where(CardHold.booking_id == booking_id)
    if tab_id is not None:
        query = query.where(CardHold.tab_id == tab_id)
    return uow.session.scalar(
        query.order_by(CardHold.created_at.desc())
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def latest_hold(
    uow: UnitOfWork, *, booking_id: str | None = None, tab: Tab | None = None
) -> CardHold | None:
    """The hold that tells the story now: the active one, else the last one."""
    if tab is not None and not tab.card_held:
        return None
    tab_id = tab.tab_id if tab is not None else None
    query = select(CardHold).where(CardHold.merchant_id == uow.merchant)
    if booking_id is not None:
        query = query.where(CardHold.booking_id == booking_id)
    if tab_id is not None:
        query = query.where(CardHold.tab_id == tab_id)
    rows = list(uow.session.scalars(query.order_by(CardHold.created_at, CardHold.hold_id)))
    active = [r for r in rows if r.status == "active"]
    chosen = active or rows
    return chosen[-1] if chosen else None


def record_hold(
    uow: UnitOfWork,
    hold: Authorization,
    *,
    booking_id: str | None = None,
    tab_id: str | None = None,
    replaces: str | None = None,
) -> CardHold:
    row = CardHold(
        merchant_id=uow.merchant,
        hold_id=new_id("hold"),
        booking_id=booking_id,
        tab_id=tab_id,
        status="active",
        currency=hold.amount.currency,
        amount=hold.amount.amount,
        captured=0,
        reference=hold.reference,
        payment_method=hold.payment_method,
        card_last4=hold.card_last4,
        expires_at=hold.expires_at,
        replaces_hold_id=replaces,
        customer_reference=hold.customer,
        created_at=uow.clock.now(),
    )
    uow.session.add(row)
    uow.session.flush()
    return row


def authorization_of(row: CardHold) -> Authorization:
    return Authorization(
        reference=row.reference,
        amount=Money(row.amount, row.currency),
        payment_method=row.payment_method,
        card_last4=row.card_last4,
        expires_at=row.expires_at,
        customer=row.customer_reference,
    )


def ensure_hold_covers(uow: UnitOfWork, tab: Tab) -> None:
    """After the bill grew: ask for a raise of the tab's hold if it no longer
    covers what is due. Phase 1 only: the raise is kept on the hold with its
    processor key, and asked of the processor after the commit
    (``bookings.hold_raises``). A raise never fails the line: a declined one
    shows the hold as ``insufficient`` and ``tab.hold_insufficient`` tells the
    staff to ask for another way to pay before the customer leaves.
    """
    hold = active_hold(uow, tab=tab)
    if hold is None or hold.raise_key is not None:
        return  # no hold, or a raise already asked (whose answer is awaited)
    due = _due(tab)
    now = uow.clock.now()
    if due <= hold.amount and now < hold.expires_at:
        return
    hold.raise_to = with_headroom(due)
    hold.raise_key = new_id("raise")
    hold.raise_asked_at = now
    uow.session.flush()


def hold_to_take(uow: UnitOfWork, tab: Tab) -> Authorization:
    """The tab's hold, for a payment taken from it (``payments.phases``):
    phase 1 only reads it; the processor is called with no transaction open."""
    hold = active_hold(uow, tab=tab)
    if hold is None:
        raise Conflict(
            "This tab has no active card hold; take the payment another way.",
            code="hold_missing",
            param="method",
        )
    return authorization_of(hold)


def needs_new_hold(held: Authorization, total: int, at: datetime) -> bool:
    """A hold too small for the bill and tip, or lapsed when the payment
    began, is replaced by one for the total before the capture: one capture
    per authorisation, as card networks do."""
    return total > held.amount.amount or at >= held.expires_at


def close_captured_hold(
    uow: UnitOfWork, tab: Tab, *, total: int, began_at: datetime, reference: str | None
) -> None:
    """Phase 3 of a payment taken from the hold: the hold is captured (the
    rest of it let go). When the processor first had to hold the total anew
    (``needs_new_hold``), the old hold is replaced and released, and the new
    one is kept as captured; its reference is the capture's."""
    hold = active_hold(uow, tab=tab)
    if hold is None:
        return
    now = uow.clock.now()
    if needs_new_hold(authorization_of(hold), total, began_at):
        hold.status = "replaced"
        hold.closed_at = now
        ask_release(uow, hold)
        hold = record_hold(
            uow,
            Authorization(
                reference=reference or hold.reference,
                amount=Money(total, hold.currency),
                payment_method=hold.payment_method,
                card_last4=hold.card_last4,
                expires_at=hold.expires_at,
                customer=hold.customer_reference,
            ),
            booking_id=hold.booking_id,
            tab_id=hold.tab_id,
            replaces=hold.hold_id,
        )
    hold.captured = total
    hold.status = "captured"
    hold.closed_at = now
    uow.session.flush()


def release_tab_hold(uow: UnitOfWork, tab: Tab) -> None:
    """The tab was paid (or voided) another way: let go of the customer's money."""
    hold = active_hold(uow, tab=tab)
    if hold is None:
        return
    hold.status = "released"
    hold.closed_at = uow.clock.now()
    ask_release(uow, hold)  # the processor is told after the commit (hold_releases)
    uow.session.flush()
    emit(uow, "tab.hold_released", tab.tab_id, {"hold_id": hold.hold_id, "amount": hold.amount})


@dataclass(frozen=True)
class TabHold:
    amount: int
    status: str  # active, insufficient, captured, released, expired, replaced
    covers_due: bool
    expires_at: datetime
    card_last4: str


def tab_hold(uow: UnitOfWork, tab: Tab) -> TabHold | None:
    hold = latest_hold(uow, tab=tab)
    if hold is None:
        return None
    due = _due(tab)
    live = hold.status == "active" and uow.clock.now() < hold.expires_at
    covers = live and hold.amount >= due
    status = hold.status
    if hold.status == "active" and not covers:
        status = "insufficient"
    return TabHold(hold.amount, status, covers, hold.expires_at, hold.card_last4)


def bump_totals(
    uow: UnitOfWork, *, applied: int = 0, refunded: int = 0, forfeited: int = 0
) -> None:
    """Move the merchant's deposit totals, in SQL (two bookings at once both count)."""
    if not (applied or refunded or forfeited):
        return
    uow.session.execute(
        insert_for(uow.dialect, DepositTotals)
        .values(merchant_id=uow.merchant, applied=0, refunded=0, forfeited=0)
        .on_conflict_do_nothing(index_elements=["merchant_id"])
    )
    uow.session.execute(
        update(DepositTotals)
        .where(DepositTotals.merchant_id == uow.merchant)
        .values(
            applied=DepositTotals.applied + applied,
            refunded=DepositTotals.refunded + refunded,
            forfeited=DepositTotals.forfeited + forfeited,
        )
    )


def deposit_totals(uow: UnitOfWork) -> DepositTotals:
    row = uow.session.get(DepositTotals, uow.merchant)
    return row or DepositTotals(merchant_id=uow.merchant, applied=0, refunded=0, forfeited=0)

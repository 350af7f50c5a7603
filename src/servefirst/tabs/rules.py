"""Pure rules of a tab: its state machine and what is owed.

    open ──serve──► served ──settle──► paid
      │               │  └──mark_overdue──► overdue ──settle──► paid
      │               └──write_off──► written_off ◄──write_off──┘
      └──void (nothing owed, nothing paid)──► void

Lines are added only while the tab is open. Payments are taken while anything
is owed on an open, served or overdue tab; a tab whose bill is covered becomes
``paid`` when it is (or once it is) served.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from servefirst.kit.errors import Conflict, InvalidRequest, PaymentInProgress
from servefirst.kit.i18n import N_
from servefirst.kit.money import MAX_AMOUNT


class TabStatus(StrEnum):
    OPEN = "open"
    SERVED = "served"
    PAID = "paid"
    OVERDUE = "overdue"
    WRITTEN_OFF = "written_off"
    VOID = "void"


class TabAction(StrEnum):
    SERVE = "serve"
    SETTLE = "settle"
    VOID = "void"
    MARK_OVERDUE = "mark_overdue"
    WRITE_OFF = "write_off"


TRANSITIONS: dict[tuple[TabStatus, TabAction], TabStatus] = {
    (TabStatus.OPEN, TabAction.SERVE): TabStatus.SERVED,
    (TabStatus.OPEN, TabAction.VOID): TabStatus.VOID,
    (TabStatus.SERVED, TabAction.SETTLE): TabStatus.PAID,
    (TabStatus.SERVED, TabAction.MARK_OVERDUE): TabStatus.OVERDUE,
    (TabStatus.SERVED, TabAction.WRITE_OFF): TabStatus.WRITTEN_OFF,
    (TabStatus.OVERDUE, TabAction.SETTLE): TabStatus.PAID,
    (TabStatus.OVERDUE, TabAction.WRITE_OFF): TabStatus.WRITTEN_OFF,
}

#: Statuses in which the customer still owes (or may owe) money.
UNPAID = frozenset({TabStatus.OPEN, TabStatus.SERVED, TabStatus.OVERDUE})
#: Statuses after which nothing about the bill changes any more.
CLOSED = frozenset({TabStatus.PAID, TabStatus.WRITTEN_OFF, TabStatus.VOID})

MAX_QUANTITY = 1000


class IllegalTransition(Conflict):
    code = "tab_state_invalid"


def transition(status: TabStatus | str, action: TabAction) -> TabStatus:
    current = TabStatus(status)
    target = TRANSITIONS.get((current, action))
    if target is None:
        raise IllegalTransition(
            f"This tab is {current.value}; it cannot {action.value.replace('_', ' ')}.",
            details={"tab_status": current.value},
        )
    return target


@dataclass(frozen=True)
class Bill:
    """What a tab's amounts mean. All in minor units of the tab's currency."""

    subtotal: int  # the lines
    adjustments: int = 0  # guarantee discounts
    paid: int = 0  # payments towards the bill (tips apart)
    deposit_applied: int = 0  # a booking deposit used on this bill

    @property
    def total(self) -> int:
        """What the customer is charged after discounts."""
        return self.subtotal - self.adjustments

    @property
    def due(self) -> int:
        """What is still to pay."""
        return self.total - self.paid - self.deposit_applied


def ensure_can_add_line(status: TabStatus | str) -> None:
    if TabStatus(status) is not TabStatus.OPEN:
        raise IllegalTransition(
            f"Lines can be added to an open tab only; this tab is {status}.",
            code="tab_not_open",
            details={"tab_status": str(status)},
        )


def line_amount(unit_price: int, quantity: int) -> int:
    if quantity < 1 or quantity > MAX_QUANTITY:
        raise InvalidRequest(
            f"quantity must be between 1 and {MAX_QUANTITY}.",
            param="quantity",
            figures={
                "words": N_("Choose a whole number from %(low)s to %(high)s."),
                "low": 1,
                "high": MAX_QUANTITY,
            },
        )
    amount = unit_price * quantity
    if amount > MAX_AMOUNT:
        raise InvalidRequest("That line is larger than servefirst accepts.", param="quantity")
    return amount


def ensure_can_pay(status: TabStatus | str, bill: Bill, amount: int, tip: int) -> None:
    """A payment of ``amount`` (plus ``tip``) may be taken now, or a named error."""
    current = TabStatus(status)
    if current is TabStatus.PAID:
        raise Conflict("This tab is already paid.", code="tab_already_paid")
    if current not in UNPAID:
        raise IllegalTransition(
            f"This tab is {current.value}; it takes no payments.",
            details={"tab_status": current.value},
        )
    if bill.due <= 0:
        raise Conflict("Nothing is owed on this tab.", code="nothing_to_pay")
    if amount <= 0:
        raise InvalidRequest("amount must be more than 0.", param="amount")
    if amount > bill.due:
        raise InvalidRequest(
            f"amount {amount} is more than the {bill.due} owed; give change, or record the "
            "extra as a tip.",
            code="amount_exceeds_due",
            param="amount",
            details={"amount_due": bill.due},
            figures={"amount": amount, "due": bill.due},
        )
    if tip < 0:
        raise InvalidRequest("tip cannot be negative.", param="tip")


def ensure_nothing_paid_since(seen: int | None, payments: int) -> None:
    """The console's cash form says how many payments its page showed
    (``seen``): one recorded since (the form sent twice, or again after the
    back button) records no cash the till never got. Compared with the tab
    held, so two sendings at the same moment cannot both find the count
    unchanged. None: a form that did not say, nothing to compare."""
    if seen is not None and seen != payments:
        raise Conflict(
            "A payment was recorded on this tab since the page was shown, so this cash was "
            "not recorded. Check the payments and what is still due below; send the form "
            "again if this cash is meant too.",
            code="paid_since",
            details={"payments_seen": seen, "payments": payments},
        )


def status_after_payment(status: TabStatus | str, bill_after: Bill) -> TabStatus:
    """A served (or overdue) tab with nothing left to pay is paid."""
    current = TabStatus(status)
    if bill_after.due == 0 and current in (TabStatus.SERVED, TabStatus.OVERDUE):
        return transition(current, TabAction.SETTLE)
    return current


def ensure_no_payment_waiting(pending_payment_id: str | None) -> None:
    """A tab whose card payment waits for the processor cannot be closed
    another way meanwhile: the charge may yet go through."""
    if pending_payment_id is not None:
        raise PaymentInProgress(
            "A card payment on this tab is waiting for the card processor's answer."
            " Try again in a moment."
        )


def ensure_can_void(status: TabStatus | str, bill: Bill) -> None:
    transition(status, TabAction.VOID)
    if bill.paid or bill.deposit_applied or bill.due:
        raise Conflict(
            "Only an open tab with nothing owed and nothing paid can be voided.",
            code="tab_not_empty",
        )


def ensure_can_serve(status: TabStatus | str, line_count: int) -> None:
    transition(status, TabAction.SERVE)
    if line_count == 0:
        raise Conflict(
            "Add what was served before marking the tab served (or void an empty tab).",
            code="tab_empty",
        )


def receipt_number_text(year: int, number: int) -> str:
    """'2026-000123': the year the tab was paid in (the merchant's zone) and
    the merchant's sequence of that year, which starts again at 1 each year."""
    return f"{year}-{number:06d}"


#: The usual terms offered first; any whole number of days up to a year is accepted.
NET_DAYS_CHOICES = (7, 14, 30)
MAX_NET_DAYS = 365


def invoice_due_date(today: date, *, due_date: date | None, net_days: int | None) -> date:
    """The last day to pay an invoice issued ``today`` (the merchant's day):
    a date, or a number of days from today. Exactly one of the two."""
    if (due_date is None) == (net_days is None):
        raise InvalidRequest(
            "Give either due_date (a date) or net_days (7, 14, 30 or any number of days).",
            code="due_date_or_net_days",
            param="due_date",
        )
    if net_days is not None:
        if not 1 <= net_days <= MAX_NET_DAYS:
            raise InvalidRequest(
                f"net_days must be from 1 to {MAX_NET_DAYS}.",
                code="net_days_invalid",
                param="net_days",
            )
        return today + timedelta(days=net_days)
    assert due_date is not None
    if due_date < today:
        raise InvalidRequest(
            f"The due date {due_date.isoformat()} is in the past; give today or a later day.",
            code="due_date_in_past",
            param="due_date",
        )
    if due_date > today + timedelta(days=MAX_NET_DAYS):
        raise InvalidRequest(
            f"The due date must be within {MAX_NET_DAYS} days.",
            code="due_date_too_far",
            param="due_date",
        )
    return due_date


def ensure_can_invoice(status: TabStatus | str, bill: Bill) -> None:
    """Billing after delivery: a served tab with something owed is issued as an
    invoice (again, to change its due date, while it is not overdue)."""
    current = TabStatus(status)
    if current is not TabStatus.SERVED:
        raise IllegalTransition(
            f"Only a served tab can be invoiced; this tab is {current.value}.",
            code="tab_not_invoiceable",
            details={"tab_status": current.value},
        )
    if bill.due <= 0:
        raise Conflict("Nothing is owed on this tab.", code="nothing_to_pay")


def invoice_overdue(due_date: date, today: date) -> bool:
    """An unpaid invoice is overdue from the day after its due date."""
    return today > due_date

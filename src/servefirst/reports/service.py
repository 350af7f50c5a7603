"""The cash-flow report.

All-time figures come from the ledger's running totals (O(1) however long the
history); receivables by age come from the unpaid tabs alone (an index on
status), never from a scan of past entries.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select

from servefirst.bookings.holds import deposit_totals
from servefirst.bookings.models import CardHold
from servefirst.db.uow import UnitOfWork
from servefirst.guarantee.service import adjustments_by_remedy
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account
from servefirst.merchants.service import get_merchant
from servefirst.payments.dispute_books import lost_totals, won_back_totals
from servefirst.payments.refunds import refunded_by_method, returned_by_method
from servefirst.reports.rules import AGE_BUCKETS, bucket_starts
from servefirst.tabs.models import Tab
from servefirst.tabs.rules import UNPAID, TabStatus


def _unpaid_by_age_and_status(
    uow: UnitOfWork, now: datetime, zone: ZoneInfo
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """What unpaid tabs owe, by age (``rules.AGE_BUCKETS``) and by status, in one
    query: the buckets are a CASE on when the debt started (served, or opened
    while still being served; an invoice's due date, whose day starts in the
    merchant's ``zone``), grouped with the status, and added up here."""
    since = owed_since()
    whens: list[tuple[Any, Any]] = []
    for bucket, earliest in bucket_starts(now):  # contiguous, youngest first
        if earliest is not None:
            ordinary = and_(Tab.due_date.is_(None), since >= earliest)
            invoiced = Tab.due_date >= first_day_from(earliest, zone)
            whens.append((or_(ordinary, invoiced), bucket.label))
    age = case(*whens, else_=AGE_BUCKETS[-1].label).label("age")
    due = Tab.subtotal - Tab.adjustments - Tab.paid - Tab.deposit_applied
    rows = uow.session.execute(
        select(Tab.status, age, func.count(), func.coalesce(func.sum(due), 0))
        .where(Tab.merchant_id == uow.merchant, Tab.status.in_([s.value for s in UNPAID]))
        .group_by(Tab.status, "age")
    ).all()
    tabs_by_age = dict.fromkeys((b.label for b in AGE_BUCKETS), 0)
    owed_by_age = dict.fromkeys((b.label for b in AGE_BUCKETS), 0)
    by_status: dict[str, int] = {}
    for status, label, count, amount in rows:
        by_status[status] = by_status.get(status, 0) + int(amount)
        tabs_by_age[label] += int(count)
        owed_by_age[label] += int(amount)
    ages = [
        {"age": b.label, "tabs": tabs_by_age[b.label], "amount": owed_by_age[b.label]}
        for b in AGE_BUCKETS
    ]
    return ages, by_status


def first_day_from(moment: datetime, zone: ZoneInfo) -> date:
    """The first day (in ``zone``) that starts at or after ``moment``: an
    invoice due on it or later has been due since ``moment`` at most."""
    local = moment.astimezone(zone)
    return local.date() if local.time() == time(0) else local.date() + timedelta(days=1)


def owed_since() -> Any:
    """When a tab's debt started, in SQL: served, or opened while still being served."""
    return func.coalesce(Tab.served_at, Tab.opened_at)


def cash_flow(uow: UnitOfWork) -> dict[str, Any]:
    merchant = get_merchant(uow)
    balances = ledger.balances(uow, merchant.currency)
    acc = balances.accounts

    def debits(account: Account) -> int:
        return acc[account.value].debits if account.value in acc else 0

    def credits(account: Account) -> int:
        return acc[account.value].credits if account.value in acc else 0

    # Refunds and lost disputes are read only when the ledger shows money
    # went back (a refund debits ``refunds``, a lost dispute ``disputes_lost``,
    # either one ``tips_payable`` for a tip): most days none did.
    tip_back = debits(Account.TIPS_PAYABLE)
    refunded = _refunded(uow) if debits(Account.REFUNDS) or tip_back else _NONE_REFUNDED
    lost = _lost(uow) if debits(Account.DISPUTES_LOST) or tip_back else _NONE_REFUNDED
    # A loss Stripe then closed won is booked back: its entry debits the card
    # account again (and credits tips_payable), which is no new takings.
    given_back = credits(Account.DISPUTES_LOST) or tip_back
    back_bill, back_tips = won_back_totals(uow) if given_back else (0, 0)
    # A refund that went through and then failed (the customer's bank sent it
    # back) is reversed: its entry debits the card account again and credits
    # tips_payable, which is no new takings either; it is no refund any more.
    returned = _returned(uow) if debits(Account.REFUNDS) or tip_back else _NONE_REFUNDED
    tips = credits(Account.TIPS_PAYABLE) - refunded["tips"] - lost["tips"] - back_tips
    tips -= returned["tips"]
    by_method = {
        "cash": debits(Account.CASH),
        "card": debits(Account.CARD_CLEARING),
        "card_terminal": debits(Account.CARD_TERMINAL),
    }
    # What was collected and kept: refunds given back and what the banks
    # took back for lost disputes are netted out.
    by_method = {
        m: taken - refunded["by_method"][m] - lost["by_method"][m] - returned["by_method"][m]
        for m, taken in by_method.items()
    }
    by_method["card"] -= back_bill + back_tips
    collected_total = sum(by_method.values())
    now = uow.clock.now()
    ages, by_status = _unpaid_by_age_and_status(uow, now, ZoneInfo(merchant.timezone))
    return {
        "currency": merchant.currency,
        "as_of": now.isoformat(),
        "collected": {
            "total": collected_total,
            "by_method": by_method,
            "for_services": collected_total - tips,
            "tips": tips,
        },
        "refunds": refunded,
        "disputes_lost": lost,
        "tips": {"collected": tips, "payable": -balances.balance(Account.TIPS_PAYABLE)},
        "revenue": -balances.balance(Account.REVENUE),
        "receivables": {
            "total": balances.balance(Account.RECEIVABLES),
            "open": int(by_status.get(TabStatus.OPEN.value, 0)),
            "served_unpaid": int(by_status.get(TabStatus.SERVED.value, 0)),
            "overdue": int(by_status.get(TabStatus.OVERDUE.value, 0)),
            "by_age": ages,
        },
        "adjustments": _adjustments(uow),
        "write_offs": {"total": balances.balance(Account.WRITE_OFFS)},
        "deposits": _deposits(uow, held=-balances.balance(Account.DEPOSITS_HELD)),
    }


def _adjustments(uow: UnitOfWork) -> dict[str, Any]:
    """Guarantee discounts as customers were given them, tax included (the
    ledger's satisfaction_adjustments holds them net when the bill was taxed)."""
    by_remedy = adjustments_by_remedy(uow)
    return {"total": sum(r["amount"] for r in by_remedy.values()), "by_remedy": by_remedy}


#: A refund's method -> the cash-flow report's method (a card hold is a card).
_REPORTED_AS = {
    "cash": "cash",
    "card": "card",
    "card_hold": "card",
    "card_terminal": "card_terminal",
}


_NONE_REFUNDED: dict[str, Any] = {
    "total": 0,
    "by_method": {"cash": 0, "card": 0, "card_terminal": 0},
    "for_services": 0,
    "tips": 0,
}


def _refunded(uow: UnitOfWork) -> dict[str, Any]:
    """Succeeded refunds by method: bill parts and tips given back."""
    return _by_method(refunded_by_method(uow))


def _by_method(refunds: dict[str, tuple[int, int]]) -> dict[str, Any]:
    by_method = {"cash": 0, "card": 0, "card_terminal": 0}
    bill = tips = 0
    for method, (amount, tip) in refunds.items():
        by_method[_REPORTED_AS.get(method, method)] += amount + tip
        bill, tips = bill + amount, tips + tip
    return {"total": bill + tips, "by_method": by_method, "for_services": bill, "tips": tips}


def _returned(uow: UnitOfWork) -> dict[str, Any]:
    """Refunds that went through and then failed, by method: back with the
    business by a reversing entry."""
    return _by_method(returned_by_method(uow))


def _lost(uow: UnitOfWork) -> dict[str, Any]:
    """What the customers' banks took back for disputes the merchant lost
    (always from a card: ``payments.dispute_books``); a dispute won after
    its loss is no longer lost and counts nothing."""
    bill, tips = lost_totals(uow)
    by_method = {"cash": 0, "card": bill + tips, "card_terminal": 0}
    return {"total": bill + tips, "by_method": by_method, "for_services": bill, "tips": tips}


def _deposits(uow: UnitOfWork, *, held: int) -> dict[str, int]:
    """Deposits captured and still held (the ledger's liability), how the others
    ended (running totals), and what is only authorised on cards (active holds
    of upcoming bookings: a short, indexed list, never the history)."""
    totals = deposit_totals(uow)
    on_hold = uow.session.scalar(
        select(func.coalesce(func.sum(CardHold.amount), 0)).where(
            CardHold.merchant_id == uow.merchant,
            CardHold.status == "active",
            CardHold.tab_id.is_(None),
        )
    )
    return {
        "held": held,
        "on_hold": int(on_hold or 0),
        "applied": totals.applied,
        "refunded": totals.refunded,
        "forfeited": totals.forfeited,
    }

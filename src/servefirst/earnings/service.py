"""Staff earnings over a period, read from the tabs settled in it.

A tab counts in the period it was settled (paid or written off): by then its
payments, adjustments, tips and review are final (a review is locked once the
tab closes), so a past period's figures never change.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select

from servefirst.db.uow import UnitOfWork
from servefirst.earnings.period import Period
from servefirst.earnings.rules import (
    Earnings,
    EarningsPolicy,
    Line,
    SettledTab,
    Share,
    earnings_of,
    period_shares,
)
from servefirst.events.service import emit
from servefirst.merchants.service import get_merchant
from servefirst.payments.dispute_books import lost_by_tab
from servefirst.reviews.models import Review
from servefirst.staff.models import StaffMember
from servefirst.tabs.models import Tab, TabLine
from servefirst.tabs.rules import TabStatus

SETTLED = (TabStatus.PAID.value, TabStatus.WRITTEN_OFF.value)


def policy_of(uow: UnitOfWork) -> EarningsPolicy:
    return EarningsPolicy.from_policy(get_merchant(uow).policy)


def set_policy(uow: UnitOfWork, changes: dict[str, Any]) -> EarningsPolicy:
    merchant = get_merchant(uow)
    policy = EarningsPolicy.from_policy(merchant.policy).updated(changes)
    merchant.policy = {**(merchant.policy or {}), "earnings": policy.as_dict()}
    uow.session.flush()
    emit(uow, "earnings_policy.updated", merchant.merchant_id, policy.as_dict())
    return policy


def settled_tabs(uow: UnitOfWork, period: Period) -> list[SettledTab]:
    in_period = (
        Tab.merchant_id == uow.merchant,
        Tab.status.in_(SETTLED),
        Tab.closed_at >= period.start,
        Tab.closed_at < period.end,
    )
    tabs = list(uow.session.scalars(select(Tab).where(*in_period).order_by(Tab.tab_id)))
    lines: dict[str, list[Line]] = defaultdict(list)
    for tab_id, staff_id, amount in uow.session.execute(
        select(TabLine.tab_id, TabLine.staff_id, TabLine.amount)
        .join(Tab, (Tab.merchant_id == TabLine.merchant_id) & (Tab.tab_id == TabLine.tab_id))
        .where(*in_period, TabLine.voided_at.is_(None))  # a voided line was never sold
        .order_by(TabLine.tab_id, TabLine.line_no)
    ):
        lines[tab_id].append(Line(staff_id, int(amount)))
    ratings = dict(
        uow.session.execute(
            select(Review.tab_id, Review.rating)
            .join(Tab, (Tab.merchant_id == Review.merchant_id) & (Tab.tab_id == Review.tab_id))
            .where(*in_period)
        ).all()
    )
    lost = lost_by_tab(uow) if tabs else {}
    return [
        SettledTab(
            lines=lines[tab.tab_id],
            # Refunds and lost card disputes come off: commission and tips
            # follow the money kept.
            paid=tab.paid + tab.deposit_applied - tab.refunded - lost.get(tab.tab_id, _NONE)[0],
            adjustments=tab.adjustments,
            tips=tab.tips - tab.tips_refunded - lost.get(tab.tab_id, _NONE)[1],
            rating=ratings.get(tab.tab_id),
        )
        for tab in tabs
    ]


#: (bill, tip) of a tab no lost dispute took anything from.
_NONE = (0, 0)


def earnings_report(uow: UnitOfWork, period: Period) -> dict[str, Any]:
    merchant = get_merchant(uow)
    currency = merchant.currency
    policy = EarningsPolicy.from_policy(merchant.policy)
    shares = period_shares(settled_tabs(uow, period), currency)
    members = list(
        uow.session.scalars(
            select(StaffMember)
            .where(StaffMember.merchant_id == uow.merchant)
            .order_by(StaffMember.name, StaffMember.staff_id)
        )
    )
    staff = []
    for member in members:
        share = shares.get(member.staff_id)
        if share is None and not member.active:
            continue  # left the business, and nothing of theirs in the period
        share = share or Share()
        e = earnings_of(member.staff_id, share, member.commission_bps, policy, currency)
        staff.append(_member_row(member, e))
    unassigned = shares.get(None, Share())
    totals = {
        key: sum(row[key] for row in staff)
        for key in ("sales", "adjustments", "paid", "commission", "tips", "bonus", "total")
    }
    for key in ("sales", "adjustments", "paid", "tips"):
        totals[key] += getattr(unassigned, key)
    return {
        "object": "earnings_report",
        "currency": currency,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "policy": policy.as_dict(),
        "staff": staff,
        "unassigned": {
            "tabs": unassigned.tabs,
            "sales": unassigned.sales,
            "adjustments": unassigned.adjustments,
            "paid": unassigned.paid,
            "tips": unassigned.tips,
        },
        "totals": totals,
    }


def _member_row(member: StaffMember, e: Earnings) -> dict[str, Any]:
    return {
        "staff_id": member.staff_id,
        "name": member.name,
        "commission_rate_bps": member.commission_bps,
        "tabs": e.share.tabs,
        "sales": e.share.sales,
        "adjustments": e.share.adjustments,
        "paid": e.share.paid,
        "commission": e.commission,
        "tips": e.share.tips,
        "ratings": len(e.share.ratings),
        "average_rating": None
        if e.average_rating is None
        else str(e.average_rating.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)),
        "bonus_eligible": e.bonus_eligible,
        "bonus": e.bonus,
        "total": e.total,
    }


CSV_COLUMNS = (
    "staff_id",
    "name",
    "commission_rate_bps",
    "tabs",
    "sales",
    "adjustments",
    "paid",
    "commission",
    "tips",
    "ratings",
    "average_rating",
    "bonus",
    "total",
)


def csv_rows(report: dict[str, Any]) -> list[list[Any]]:
    """The report's rows under ``CSV_COLUMNS``, amounts in minor units: one a
    member, then the lines nobody was named on. The API's CSV and the console's
    download are this one file."""
    rows = [[row[c] for c in CSV_COLUMNS] for row in report["staff"]]
    rest = report["unassigned"]
    rows.append(
        ["", "(unassigned)", "", rest["tabs"], rest["sales"], rest["adjustments"], rest["paid"]]
        + [0, rest["tips"], "", "", 0, 0]
    )
    return rows


def csv_name(period: Period) -> str:
    return f"earnings-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"

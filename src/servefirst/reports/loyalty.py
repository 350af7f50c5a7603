"""The loyalty and referral report: members beside everyone else, and what the
programmes gave and cost.

A *member* is a customer with any loyalty or referral movement (a stamp,
points, a reward). For each group over the period: how many customers, their
paid visits per customer per month, their spend, and how often they pay on
time (from their lifetime history). Rewards: issued, redeemed and expired in
the period, by source; the cost is what redeemed rewards took off bills (the
``loyalty_rewards`` account's movement in the period).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, union

from servefirst.customers.models import Customer
from servefirst.db.uow import UnitOfWork
from servefirst.loyalty.models import LoyaltyReward, LoyaltyTransaction
from servefirst.tabs.models import Tab
from servefirst.tabs.rules import TabStatus


@dataclass(frozen=True)
class GroupFigures:
    customers: int
    visits: int
    spend: int  # minor units, paid for services (after discounts, before tips)
    months: float

    @property
    def visits_per_month(self) -> float:
        if not self.customers or self.months <= 0:
            return 0.0
        return round(self.visits / self.customers / self.months, 2)

    @property
    def spend_per_customer(self) -> int:
        return self.spend // self.customers if self.customers else 0


@dataclass(frozen=True)
class LoyaltyReport:
    start: datetime
    end: datetime
    members: GroupFigures
    others: GroupFigures
    on_time: dict[str, float | None]  # group -> share of closed tabs paid on time
    issued: dict[str, int]  # source -> count
    redeemed: dict[str, int]
    expired: dict[str, int]
    cost: int  # what redeemed rewards took off bills


def loyalty_report(uow: UnitOfWork, start: datetime, end: datetime) -> LoyaltyReport:
    merchant = uow.merchant
    members = set(
        uow.session.scalars(
            union(
                select(LoyaltyTransaction.customer_id).where(
                    LoyaltyTransaction.merchant_id == merchant
                ),
                select(LoyaltyReward.customer_id).where(LoyaltyReward.merchant_id == merchant),
            )
        )
    )
    visits = uow.session.execute(
        select(Tab.customer_id, func.count(), func.sum(Tab.subtotal - Tab.adjustments))
        .where(
            Tab.merchant_id == merchant,
            Tab.status == TabStatus.PAID.value,
            Tab.closed_at >= start,
            Tab.closed_at < end,
        )
        .group_by(Tab.customer_id)
    ).all()
    history = uow.session.execute(
        select(
            Customer.customer_id, Customer.paid_visits, Customer.late_payments, Customer.write_offs
        ).where(Customer.merchant_id == merchant)
    ).all()
    months = max((end - start).days / 30.0, 1 / 30)
    groups: dict[bool, list[int]] = {True: [0, 0, 0], False: [0, 0, 0]}  # customers, visits, spend
    for customer_id, count, spend in visits:
        row = groups[customer_id in members]
        row[1] += int(count)
        row[2] += int(spend or 0)
    on_time: dict[bool, list[int]] = {True: [0, 0], False: [0, 0]}
    for customer_id, paid, late, written_off in history:
        member = customer_id in members
        groups[member][0] += 1
        on_time[member][0] += paid or 0
        on_time[member][1] += (paid or 0) + (late or 0) + (written_off or 0)
    issued, redeemed, expired, cost = _rewards(uow, start, end)

    def figures(member: bool) -> GroupFigures:
        customers, count, spend = groups[member]
        return GroupFigures(customers, count, spend, months)

    def share(member: bool) -> float | None:
        good, closed = on_time[member]
        return round(good / closed, 3) if closed else None

    return LoyaltyReport(
        start,
        end,
        figures(True),
        figures(False),
        {"members": share(True), "others": share(False)},
        issued,
        redeemed,
        expired,
        cost,
    )


def _rewards(
    uow: UnitOfWork, start: datetime, end: datetime
) -> tuple[dict[str, int], dict[str, int], dict[str, int], int]:
    issued: dict[str, int] = {}
    redeemed: dict[str, int] = {}
    expired: dict[str, int] = {}
    cost = 0
    rewards = uow.session.scalars(
        select(LoyaltyReward).where(LoyaltyReward.merchant_id == uow.merchant)
    )
    for reward in rewards:
        if start <= reward.issued_at < end:
            issued[reward.source] = issued.get(reward.source, 0) + 1
        if reward.redeemed_at is not None and start <= reward.redeemed_at < end:
            redeemed[reward.source] = redeemed.get(reward.source, 0) + 1
            cost += reward.discount or 0
        lapsed = reward.status == "available" and reward.expires_at is not None
        if lapsed and start <= reward.expires_at < min(end, uow.clock.now()):  # type: ignore[operator]
            expired[reward.source] = expired.get(reward.source, 0) + 1
    return issued, redeemed, expired, cost

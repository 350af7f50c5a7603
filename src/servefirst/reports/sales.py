"""The owner's report pages' figures: sales by day, hour, service and staff
member; satisfaction with concern and redo rates; what was taken in a period.

Days and hours are the merchant's own (its time zone): the lines of a period
are read once (an index on when they were added) and grouped here, so the
grouping is the same on every database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from servefirst.cashup import repository as day_books
from servefirst.cashup.rules import DayTotals, day_totals
from servefirst.db.uow import UnitOfWork
from servefirst.earnings.period import Period
from servefirst.guarantee.models import Concern
from servefirst.kit.errors import InvalidRequest
from servefirst.kit.i18n import N_
from servefirst.kit.i18n import gettext as _
from servefirst.merchants.service import get_merchant
from servefirst.reviews.service import satisfaction_report
from servefirst.staff.models import StaffMember
from servefirst.tabs.models import Tab, TabLine
from servefirst.tabs.rules import TabStatus

#: Periods an owner picks with one tap (days, ending today).
PRESET_DAYS = (7, 28, 90)
#: The longest period a page draws (a year and a bit): longer is a typing slip.
MAX_DAYS = 400


@dataclass(frozen=True)
class ReportPeriod:
    """Whole days of the merchant, ``first`` to ``last`` included."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), tzinfo=self.zone)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), tzinfo=self.zone)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def _date(text: str, param: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidRequest(
            f"Write the {'first' if param == 'from' else 'last'} day as YYYY-MM-DD.", param=param
        ) from None


def report_period(uow: UnitOfWork, first: str = "", last: str = "") -> ReportPeriod:
    """The period asked for (``from``/``to`` dates), by default the last 28 days."""
    zone = ZoneInfo(get_merchant(uow).timezone)
    today = uow.clock.now().astimezone(zone).date()
    end = _date(last, "to") if last.strip() else today
    begin = _date(first, "from") if first.strip() else end - timedelta(days=27)
    if begin > end:
        raise InvalidRequest("The first day comes after the last.", param="from")
    if (end - begin).days >= MAX_DAYS:
        raise InvalidRequest(
            f"Choose at most {MAX_DAYS} days.",
            param="from",
            figures={"words": N_("Choose at most %(days)s days."), "days": MAX_DAYS},
        )
    return ReportPeriod(begin, end, zone)


# --- sales -------------------------------------------------------------------------------------


@dataclass
class Sales:
    currency: str
    period: ReportPeriod
    total: int = 0
    lines: int = 0
    by_day: dict[date, int] = field(default_factory=dict)
    by_hour: dict[int, int] = field(default_factory=dict)
    by_service: list[tuple[str, int, int]] = field(default_factory=list)  # name, count, amount
    by_staff: list[tuple[str, int, int]] = field(default_factory=list)


def _staff_names(uow: UnitOfWork) -> dict[str, str]:
    return dict(
        uow.session.execute(
            select(StaffMember.staff_id, StaffMember.name).where(
                StaffMember.merchant_id == uow.merchant
            )
        ).all()
    )


def sales(uow: UnitOfWork, period: ReportPeriod) -> Sales:
    """Lines sold in the period (voided lines and tabs apart), by day, hour, service and staff."""
    merchant = get_merchant(uow)
    rows = uow.session.execute(
        select(TabLine.created_at, TabLine.amount, TabLine.name, TabLine.staff_id)
        .join(Tab, (Tab.merchant_id == TabLine.merchant_id) & (Tab.tab_id == TabLine.tab_id))
        .where(
            TabLine.merchant_id == uow.merchant,
            TabLine.created_at >= period.start,
            TabLine.created_at < period.end,
            TabLine.voided_at.is_(None),
            Tab.status != TabStatus.VOID.value,
        )
    ).all()
    out = Sales(merchant.currency, period)
    out.by_day = dict.fromkeys(period.days, 0)
    out.by_hour = dict.fromkeys(range(24), 0)
    services: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    people: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    names = _staff_names(uow)
    for at, amount, name, staff_id in rows:
        local = at.astimezone(period.zone)
        out.total += amount
        out.lines += 1
        out.by_day[local.date()] = out.by_day.get(local.date(), 0) + amount
        out.by_hour[local.hour] += amount
        services[name][0] += 1
        services[name][1] += amount
        who = names.get(staff_id, staff_id) if staff_id else _("Nobody named")
        people[who][0] += 1
        people[who][1] += amount
    out.by_service = sorted(((n, c, a) for n, (c, a) in services.items()), key=lambda r: -r[2])
    out.by_staff = sorted(((n, c, a) for n, (c, a) in people.items()), key=lambda r: -r[2])
    return out


# --- satisfaction --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Care:
    """How one service or staff member did: reviews and concerns."""

    name: str
    ratings: int
    csat: float | None
    nps: float | None
    tabs: int
    concerns: int
    redos: int

    @property
    def concern_rate(self) -> float | None:
        return self.concerns / self.tabs if self.tabs else None

    @property
    def redo_rate(self) -> float | None:
        return self.redos / self.tabs if self.tabs else None


@dataclass(frozen=True)
class SatisfactionView:
    overall: dict[str, Any]
    services: list[Care]
    staff: list[Care]


_SERVED = [s.value for s in (TabStatus.SERVED, TabStatus.PAID, TabStatus.OVERDUE)] + [
    TabStatus.WRITTEN_OFF.value
]


def satisfaction(uow: UnitOfWork, period: ReportPeriod) -> SatisfactionView:
    """CSAT and NPS-style (reviews written in the period), and per service and
    staff member the share of served tabs with a concern, and with a redo."""
    reviews = satisfaction_report(uow, Period(period.start, period.end))
    lines = uow.session.execute(
        select(TabLine.tab_id, TabLine.name, TabLine.staff_id)
        .join(Tab, (Tab.merchant_id == TabLine.merchant_id) & (Tab.tab_id == TabLine.tab_id))
        .where(
            Tab.merchant_id == uow.merchant,
            Tab.status.in_(_SERVED),
            Tab.served_at >= period.start,
            Tab.served_at < period.end,
        )
    ).all()
    concerns: dict[str, set[str]] = defaultdict(set)
    for tab_id, remedy, status in uow.session.execute(
        select(Concern.tab_id, Concern.remedy, Concern.status)
        .join(Tab, (Tab.merchant_id == Concern.merchant_id) & (Tab.tab_id == Concern.tab_id))
        .where(
            Concern.merchant_id == uow.merchant,
            Tab.served_at >= period.start,
            Tab.served_at < period.end,
        )
    ):
        concerns[tab_id].add("concern")
        if remedy == "redo" and status == "approved":
            concerns[tab_id].add("redo")
    names = _staff_names(uow)
    by_service: dict[str, set[str]] = defaultdict(set)
    by_staff: dict[str, set[str]] = defaultdict(set)
    for tab_id, name, staff_id in lines:
        by_service[name].add(tab_id)
        if staff_id:
            by_staff[names.get(staff_id, staff_id)].add(tab_id)
    rated_service = {r["name"]: r for r in reviews["services"]}
    rated_staff = {r["name"]: r for r in reviews["staff"]}

    def care(name: str, tabs: set[str], rated: dict[str, Any]) -> Care:
        r = rated.get(name, {})
        return Care(
            name=name,
            ratings=int(r.get("ratings", 0)),
            csat=r.get("csat"),
            nps=r.get("nps"),
            tabs=len(tabs),
            concerns=sum(1 for t in tabs if "concern" in concerns.get(t, ())),
            redos=sum(1 for t in tabs if "redo" in concerns.get(t, ())),
        )

    return SatisfactionView(
        overall=reviews["overall"],
        services=sorted(
            (care(n, t, rated_service) for n, t in by_service.items()), key=lambda c: c.name
        ),
        staff=sorted((care(n, t, rated_staff) for n, t in by_staff.items()), key=lambda c: c.name),
    )


# --- money in a period ---------------------------------------------------------------


def taken(uow: UnitOfWork, period: ReportPeriod) -> DayTotals:
    """What the ledger recorded in the period: takings by method, tips, refunds,
    adjustments, write-offs, deposits (the Z report's sums over many days)."""
    return day_totals(day_books.movements(uow, period.start, period.end))

"""The Today page's money: takings so far, by method, tips, what each service and
each person sold, and the same weekday last week by the same hour beside it;
what was refunded today, apart."""

from __future__ import annotations

from dataclasses import dataclass

from servefirst.db.uow import UnitOfWork
from servefirst.merchants.service import get_merchant, merchant_zone
from servefirst.reports.today.repository import MethodTakings, Sold, TodayRepository
from servefirst.reports.today.rules import Change, Window, same_time_last_week, so_far


@dataclass(frozen=True)
class Takings:
    window: Window
    by_method: list[MethodTakings]

    @property
    def amount(self) -> int:
        """Towards bills, tips apart."""
        return sum(m.amount for m in self.by_method)

    @property
    def tips(self) -> int:
        return sum(m.tips for m in self.by_method)

    @property
    def payments(self) -> int:
        return sum(m.payments for m in self.by_method)


@dataclass(frozen=True)
class Today:
    currency: str
    today: Takings
    last_week: Takings
    sold_today: int
    sold_last_week: int
    by_service: list[Sold]
    by_staff: list[Sold]
    #: Given back today (from bills, from tips): shown beside the takings,
    #: which count what came in.
    refunded_today: tuple[int, int] = (0, 0)

    @property
    def takings_change(self) -> Change:
        return Change(self.today.amount, self.last_week.amount)

    @property
    def tips_change(self) -> Change:
        return Change(self.today.tips, self.last_week.tips)

    @property
    def sold_change(self) -> Change:
        return Change(self.sold_today, self.sold_last_week)

    def last_week_by_method(self, method: str) -> int:
        return sum(m.amount for m in self.last_week.by_method if m.method == method)


def today(uow: UnitOfWork) -> Today:
    """Today so far, on the merchant's clock, against the same weekday last week."""
    zone = merchant_zone(uow)
    now = uow.clock.now()
    repo = TodayRepository(uow.session, uow.merchant)
    this, before = so_far(now, zone), same_time_last_week(now, zone)
    return Today(
        currency=get_merchant(uow).currency,
        today=Takings(this, repo.takings_by_method(this.start, this.end)),
        last_week=Takings(before, repo.takings_by_method(before.start, before.end)),
        sold_today=repo.sales_total(this.start, this.end),
        sold_last_week=repo.sales_total(before.start, before.end),
        by_service=repo.sold_by_service(this.start, this.end),
        by_staff=repo.sold_by_staff(this.start, this.end),
        refunded_today=repo.refunded(this.start, this.end),
    )

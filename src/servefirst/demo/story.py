"""Driving a demo merchant through the real use cases, on a clock set to the past.

A ``Shop`` runs each use case in its own transaction, as an API request
would; a ``Story`` sets the frozen clock to past days and walks forward
through each visit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from servefirst.bookings import service as bookings
from servefirst.bookings.hold_raises import raise_in_turn
from servefirst.catalog.service import create_service
from servefirst.customers.service import create_customer
from servefirst.db.uow import UnitOfWork
from servefirst.demo.menus import IVA_RATES, Offer
from servefirst.demo.result import DemoMerchant, DemoTab
from servefirst.kit.clock import FrozenClock
from servefirst.merchants.service import create_merchant
from servefirst.messages.transport import Transports
from servefirst.messages.worker import Worker
from servefirst.payments.service import pay_by_token, pay_tab
from servefirst.runtime import Runtime
from servefirst.staff.service import create_member
from servefirst.tabs import service as tabs
from servefirst.taxes.service import create_rate

if TYPE_CHECKING:
    from servefirst.tabs.models import Tab

#: The sandbox card that always succeeds (see payments/gateways.py).
GOOD_CARD = "4242424242424242"
#: How long ago the demo businesses began: before the oldest debt of their history.
OPENED_DAYS_AGO = 100


class Shop:
    """One demo merchant, driven step by step through the real use cases."""

    def __init__(
        self,
        runtime: Runtime,
        name: str,
        currency: str,
        menu: list[Offer],
        taxes: dict[str, str] | None = None,
    ) -> None:
        """``taxes``: the tax rate of each service on ``menu``, by name."""
        self.runtime = runtime
        with runtime.uow() as uow:
            created = create_merchant(uow, name=name, currency=currency)
            uow.commit()
        self.merchant = DemoMerchant(name, created.merchant.merchant_id, currency, created.api_key)
        self.paid: list[str] = []
        self.customers: dict[str, str] = {}  # id -> name
        self.staff: dict[str, str] = {}  # name -> staff id
        self.bookings: list[str] = []
        self.services: dict[str, tuple[str, int]] = {}  # name -> (service id, minutes)
        with self.step() as uow:
            rates = {
                name: create_rate(uow, name=name, percent=IVA_RATES[name]).rate_id
                for name in sorted(set((taxes or {}).values()))
            }
            for offer in menu:
                rate = (taxes or {}).get(offer.name)
                service, _ = create_service(
                    uow,
                    name=offer.name,
                    price=offer.price,
                    duration_minutes=offer.minutes,
                    expected_results=offer.expected_results,
                    limits=offer.limits,
                    tax_rate_id=rates[rate] if rate else None,
                )
                self.services[offer.name] = (service.service_id, offer.minutes)

    @contextmanager
    def step(self) -> Iterator[UnitOfWork]:
        """One use case, one transaction, as an API request would run it."""
        with self.runtime.uow(self.merchant.merchant_id) as uow:
            yield uow
            uow.commit()

    def customer(
        self, name: str, email: str, phone: str, *, referral_code: str | None = None
    ) -> str:
        with self.step() as uow:
            customer_id = create_customer(
                uow, name=name, email=email, phone=phone, referral_code=referral_code
            ).customer_id
        self.customers[customer_id] = name
        return customer_id

    def member(self, name: str, commission_bps: int, *, title: str) -> str:
        """Someone who serves and earns commission on their lines (no console login),
        with the job title the business gave them; asked again for the same name,
        the same person."""
        if name in self.staff:
            return self.staff[name]
        with self.step() as uow:
            staff_id = create_member(
                uow, name=name, role=title, access="staff", commission_bps=commission_bps
            ).staff_id
        self.staff[name] = staff_id
        return staff_id

    def order(self, customer_id: str, items: dict[str, int], *, by: str | None = None) -> DemoTab:
        """Open a tab and put what was ordered on it (name -> quantity), served ``by``."""
        with self.step() as uow:
            tab = tabs.open_tab(uow, customer_id=customer_id)
            for name, quantity in items.items():
                tabs.add_line(
                    uow,
                    tab.tab_id,
                    service_id=self.services[name][0],
                    quantity=quantity,
                    staff_id=self.staff[by] if by else None,
                )
            return self._demo_tab(tab)

    def _demo_tab(self, tab: Tab) -> DemoTab:
        return DemoTab(
            self.merchant, self.customers[tab.customer_id], tab.tab_id, tab.token, tab.short_code
        )

    def book(self, customer_id: str, service: str, starts_at: datetime, *, by: str) -> str:
        """Book a slot with ``by``; a card is given in case the policy asks for a deposit."""
        with self.step() as uow:
            booking = bookings.book_in_turn(
                uow,
                bookings.begin_booking(
                    uow,
                    customer_id=customer_id,
                    service_id=self.services[service][0],
                    starts_at=starts_at,
                    staff_id=self.staff[by],
                    card=GOOD_CARD,
                ),
            )
        self.bookings.append(booking.booking_id)
        return booking.booking_id

    def check_in(self, booking_id: str) -> DemoTab:
        """The customer arrived: their tab opens with the booked service on it."""
        with self.step() as uow:
            tab_id = bookings.check_in(uow, booking_id).tab_id
            assert tab_id is not None
            raise_in_turn(uow, tab_id)
            return self._demo_tab(tabs.get_tab(uow, tab_id))

    def add(self, tab: DemoTab, service: str, *, by: str) -> None:
        with self.step() as uow:
            tabs.add_line(
                uow, tab.tab_id, service_id=self.services[service][0], staff_id=self.staff[by]
            )
            raise_in_turn(uow, tab.tab_id)

    def serve(self, tab: DemoTab) -> None:
        with self.step() as uow:
            tabs.serve(uow, tab.tab_id)

    def overdue(self, tab: DemoTab) -> None:
        with self.step() as uow:
            tabs.mark_overdue(uow, tab.tab_id)

    def pay_cash(self, tab: DemoTab, tip: int = 0) -> None:
        with self.step() as uow:
            pay_tab(uow, tab.tab_id, method="cash", amount=None, tip=tip)
        self.paid.append(tab.tab_id)

    def pay_card(self, tab: DemoTab, tip: int = 0, *, reward_id: str | None = None) -> None:
        """The customer pays from their tab link with a sandbox card (and a reward)."""
        with self.step() as uow:
            pay_by_token(uow, tab.token, card=GOOD_CARD, tip=tip, reward_id=reward_id)
        self.paid.append(tab.tab_id)

    def worker_reads(self) -> None:
        """The delivery worker, running all along, reads what happened so far
        and plans what it calls for, as the story's clock stands (nothing is
        sent: ``build_demo`` counts the history as delivered at the end)."""
        Worker(
            self.runtime, transports=Transports(None), merchants=[self.merchant.merchant_id]
        ).plan()

    def minutes_for(self, items: dict[str, int]) -> int:
        return max(self.services[name][1] for name in items)


class Story:
    """Sets the clock to moments in the past, relative to the runtime's now."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.clock = FrozenClock(now)

    @contextmanager
    def opening(self) -> Iterator[None]:
        """The business begins on servefirst before any day of its history:
        a day before that could not be closed (nor, honestly, have trade)."""
        back = self.clock.now()
        self.day(OPENED_DAYS_AGO, 8)
        try:
            yield
        finally:
            self.clock.set(back)

    def at(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        """A moment on a day relative to now (negative: days ahead), on the UTC clock."""
        day = self.now - timedelta(days=days_ago)
        return day.replace(hour=hour, minute=minute, second=0, microsecond=0)

    def day(self, days_ago: int, hour: int, minute: int = 0) -> None:
        self.clock.set(self.at(days_ago, hour, minute))

    def later(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    def visit(
        self,
        shop: Shop,
        customer_id: str,
        items: dict[str, int],
        *,
        cash_tip: int | None = None,
        card_tip: int | None = None,
        by: str | None = None,
    ) -> DemoTab:
        """Order, be served, and pay a few minutes later (cash or card)."""
        tab = shop.order(customer_id, items, by=by)
        self.later(shop.minutes_for(items))
        return self.finish(shop, tab, cash_tip=cash_tip, card_tip=card_tip)

    def finish(
        self,
        shop: Shop,
        tab: DemoTab,
        *,
        cash_tip: int | None = None,
        card_tip: int | None = None,
    ) -> DemoTab:
        """Mark the tab served and pay a few minutes later (cash, card, or not yet)."""
        shop.serve(tab)
        self.later(4)
        if card_tip is not None:
            shop.pay_card(tab, tip=card_tip)
        elif cash_tip is not None:
            shop.pay_cash(tab, tip=cash_tip)
        else:
            # Left unpaid: the worker reads that it was served and plans its
            # reminders now, as the customer's trust stands, so a tab paid late
            # has the reminders it got before it was paid. (The rest of the
            # history is planned at the end, when a tab paid minutes after it
            # was served has no reminder left to plan: the demo's Messages page
            # is not filled with reminders that were never needed.)
            shop.worker_reads()
        return tab

"""The demo: a café and a salon with a few weeks of believable history.

Everything is made through the same use cases the API calls (create a
merchant, add services, open a tab, serve, pay, raise a concern, review,
book, check in, cancel, mark a no-show),
never by writing rows, so the demo's ledger, trust scores and events are
exactly what real traffic would produce. History is made by setting a frozen
clock to past days and walking forward through each visit; the runtime's own
clock is put back afterwards.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from servefirst.bookings import service as bookings
from servefirst.bookings.rules import SALON_POLICY
from servefirst.catalog.service import create_service
from servefirst.customers.service import create_customer
from servefirst.db.uow import UnitOfWork
from servefirst.guarantee.service import raise_concern
from servefirst.kit.clock import FrozenClock
from servefirst.merchants.service import create_merchant
from servefirst.payments.service import pay_by_token, pay_tab
from servefirst.reviews.service import review_tab
from servefirst.runtime import Runtime
from servefirst.staff.service import create_member, create_staff
from servefirst.tabs import service as tabs
from servefirst.tabs.models import Tab

#: The sandbox card that always succeeds (see payments/gateways.py).
GOOD_CARD = "4242424242424242"


class Offer(NamedTuple):
    """A service on a demo price list: price in minor units, with its terms."""

    name: str
    price: int
    minutes: int
    expected_results: list[str]
    limits: list[str]


CAFE_MENU = [
    Offer(
        "Espresso",
        180,
        3,
        [
            "A double ristretto of our house blend (Brazil and Ethiopia)",
            "Served within 5 minutes of ordering",
        ],
        ["Decaf on request", "No free refills"],
    ),
    Offer(
        "Flat white",
        380,
        5,
        [
            "Double ristretto with silky steamed whole milk, 180 ml",
            "Served within 5 minutes of ordering",
        ],
        ["Oat milk +0.40", "Latte art not guaranteed"],
    ),
    Offer(
        "Pastel de nata",
        150,
        2,
        ["Baked this morning, served warm with cinnamon and icing sugar"],
        ["Until sold out (usually by 13:00)", "Contains egg, milk and gluten"],
    ),
    Offer(
        "Fresh orange juice",
        350,
        4,
        ["Squeezed to order from Algarve oranges, 250 ml"],
        ["No ice unless you ask", "Pulp not strained"],
    ),
    Offer(
        "Brunch plate",
        1250,
        20,
        [
            "Two eggs your way, sourdough toast, avocado and seasonal fruit",
            "At your table within 20 minutes of ordering",
        ],
        ["Gluten-free bread +1.00", "Served until 14:30"],
    ),
]

SALON_MENU = [
    Offer(
        "Haircut",
        3500,
        45,
        ["Consultation, wash, cut and blow-dry", "The length and shape agreed at the consultation"],
        [
            "Hair below the shoulder blades +10.00",
            "A free touch-up within 7 days if the shape is not as agreed",
        ],
    ),
    Offer(
        "Colour",
        8500,
        120,
        [
            "Full-head colour, with a patch test 48 hours before",
            "A shade within one tone of the swatch you chose",
        ],
        [
            "Lightening more than 3 levels is a separate service",
            "Results vary on hair coloured elsewhere; colour fades with washing",
        ],
    ),
    Offer(
        "Beard trim",
        1800,
        20,
        ["Shape, line-up and hot-towel finish"],
        ["Straight-razor shave not included"],
    ),
]


@dataclass(frozen=True)
class DemoMerchant:
    name: str
    merchant_id: str
    currency: str
    api_key: str


@dataclass(frozen=True)
class DemoTab:
    merchant: DemoMerchant
    customer_name: str
    tab_id: str
    token: str
    short_code: str


@dataclass
class DemoResult:
    """What the demo made, and what to tell the person who started it."""

    public_url: str
    database: str
    merchants: list[DemoMerchant]
    #: A tab still open, with lines on it: the customer's link to try.
    open_tab: DemoTab
    #: Every paid tab, per merchant id.
    paid_tabs: dict[str, list[str]]
    #: (login, password) pairs for the staff console; filled in when staff
    #: accounts exist. Never printed when empty: no made-up credentials.
    staff_logins: list[tuple[str, str]] = field(default_factory=list)
    #: Booking ids per merchant id, in the order the story made them.
    bookings: dict[str, list[str]] = field(default_factory=dict)

    @property
    def tab_link(self) -> str:
        return f"{self.public_url}/t/{self.open_tab.token}"

    @property
    def tab_api_url(self) -> str:
        return f"{self.public_url}/v1/public/tabs/{self.open_tab.token}"

    def summary(self) -> str:
        """The text ``servefirst demo`` prints: where to go, what to sign in with."""
        names = " and ".join(m.name for m in self.merchants)
        width = max(len(m.name) for m in self.merchants) + 2
        pad = " " * 17
        lines = [
            f"servefirst demo: {names}, with six weeks of history",
            f"  database       {self.database}",
            f"  open           {self.public_url}/docs   (the API, in the browser)",
        ]
        for login, password in self.staff_logins:
            lines.append(f"  staff console  {self.public_url}/staff   {login} / {password}")
        keys = [f"{m.name:<{width}}{m.api_key}" for m in self.merchants]
        lines.append(f"  API keys       {keys[0]}")
        lines += [pad + key for key in keys[1:]]
        tab = self.open_tab
        lines += [
            f"  customer tab   {self.tab_link}",
            f"{pad}({tab.merchant.name}, {tab.customer_name}, code {tab.short_code})",
            f"  same, as JSON  {self.tab_api_url}",
            f"  try            curl -s {self.public_url}/v1/tabs/{tab.tab_id} \\",
            f'{pad}  -H "Authorization: Bearer {tab.merchant.api_key}"',
        ]
        return "\n".join(lines)


class _Shop:
    """One demo merchant, driven step by step through the real use cases."""

    def __init__(self, runtime: Runtime, name: str, currency: str, menu: list[Offer]) -> None:
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
            for offer in menu:
                service, _ = create_service(
                    uow,
                    name=offer.name,
                    price=offer.price,
                    duration_minutes=offer.minutes,
                    expected_results=offer.expected_results,
                    limits=offer.limits,
                )
                self.services[offer.name] = (service.service_id, offer.minutes)

    @contextmanager
    def step(self) -> Iterator[UnitOfWork]:
        """One use case, one transaction, as an API request would run it."""
        with self.runtime.uow(self.merchant.merchant_id) as uow:
            yield uow
            uow.commit()

    def customer(self, name: str, email: str, phone: str) -> str:
        with self.step() as uow:
            customer_id = create_customer(uow, name=name, email=email, phone=phone).customer_id
        self.customers[customer_id] = name
        return customer_id

    def member(self, name: str, commission_bps: int) -> str:
        """Someone who serves and earns commission on their lines (no console login)."""
        with self.step() as uow:
            staff_id = create_member(uow, name=name, commission_bps=commission_bps).staff_id
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
            booking = bookings.book(
                uow,
                customer_id=customer_id,
                service_id=self.services[service][0],
                starts_at=starts_at,
                staff_id=self.staff[by],
                card=GOOD_CARD,
            )
        self.bookings.append(booking.booking_id)
        return booking.booking_id

    def check_in(self, booking_id: str) -> DemoTab:
        """The customer arrived: their tab opens with the booked service on it."""
        with self.step() as uow:
            tab_id = bookings.check_in(uow, booking_id).tab_id
            assert tab_id is not None
            return self._demo_tab(tabs.get_tab(uow, tab_id))

    def add(self, tab: DemoTab, service: str, *, by: str) -> None:
        with self.step() as uow:
            tabs.add_line(
                uow, tab.tab_id, service_id=self.services[service][0], staff_id=self.staff[by]
            )

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

    def pay_card(self, tab: DemoTab, tip: int = 0) -> None:
        """The customer pays from their tab link with a sandbox card."""
        with self.step() as uow:
            pay_by_token(uow, tab.token, card=GOOD_CARD, tip=tip)
        self.paid.append(tab.tab_id)

    def minutes_for(self, items: dict[str, int]) -> int:
        return max(self.services[name][1] for name in items)


class _Story:
    """Sets the clock to moments in the past, relative to the runtime's now."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.clock = FrozenClock(now)

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
        shop: _Shop,
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
        shop: _Shop,
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
        return tab


def _cafe(story: _Story, runtime: Runtime) -> tuple[_Shop, DemoTab]:
    cafe = _Shop(runtime, "Café Azul", "EUR", CAFE_MENU)
    ana = cafe.customer("Ana Costa", "ana.costa@example.com", "+351 912 345 678")
    bruno = cafe.customer("Bruno Alves", "bruno.alves@example.com", "+351 913 222 417")
    carla = cafe.customer("Carla Mendes", "carla.mendes@example.org", "+351 936 880 102")
    diogo = cafe.customer("Diogo Ramos", "diogo@example.net", "+351 917 554 390")

    # Ana, a regular: a flat white and a nata most weeks. Six visits paid
    # on time make her "trusted".
    for days_ago, card in (
        (41, False),
        (34, True),
        (27, False),
        (20, True),
        (13, False),
        (6, True),
    ):
        story.day(days_ago, 8, 40)
        morning = {"Flat white": 1, "Pastel de nata": 1}
        tab = story.visit(cafe, ana, morning, card_tip=50 if card else None, cash_tip=20)
    with cafe.step() as uow:
        review_tab(
            uow, tab.token, rating=5, comment="Best nata in town, and the flat white is spot on."
        )

    # Bruno: paid once, then left after brunch and paid only after a reminder:
    # one late payment on his record.
    story.day(30, 10, 15)
    story.visit(cafe, bruno, {"Espresso": 1, "Pastel de nata": 1}, cash_tip=0)
    story.day(22, 11, 30)
    late = story.visit(cafe, bruno, {"Brunch plate": 1, "Fresh orange juice": 1})
    story.day(19, 9)
    cafe.overdue(late)
    story.day(17, 20, 5)
    cafe.pay_card(late)
    story.day(9, 8, 5)
    story.visit(cafe, bruno, {"Espresso": 2}, cash_tip=40)

    # Carla's brunch: the eggs came overcooked, she asked for 3.00 off, the
    # guarantee approved it on the spot, and she paid the rest by card.
    story.day(5, 12, 10)
    brunch = cafe.order(carla, {"Brunch plate": 2, "Fresh orange juice": 2})
    story.later(22)
    cafe.serve(brunch)
    story.later(25)
    with cafe.step() as uow:
        raise_concern(
            uow, brunch.token, reason="The eggs were overcooked.", remedy="partial", amount=300
        )
    story.later(3)
    cafe.pay_card(brunch, tip=100)

    # Diogo had two espressos yesterday and will pay next time: a receivable.
    story.day(1, 16, 45)
    unpaid = cafe.order(diogo, {"Espresso": 2})
    story.later(3)
    cafe.serve(unpaid)

    # Right now Ana is at a table: her tab is open, the link is hers.
    story.clock.set(story.now - timedelta(minutes=6))
    open_tab = cafe.order(ana, {"Flat white": 1, "Pastel de nata": 2})
    return cafe, open_tab


def _salon(story: _Story, runtime: Runtime) -> _Shop:
    salon = _Shop(runtime, "Studio Lume", "EUR", SALON_MENU)
    with salon.step() as uow:
        # New customers leave 15% (2.00-20.00) to hold a slot; "fair" cancellation fees.
        # The demo's story asks every new customer (issue 23's model decides by default).
        bookings.set_deposit_policy(
            uow, SALON_POLICY.as_dict() | {"required_for": ["new", "restricted"]}
        )
    story.day(45, 9)
    sofia = "Sofia Marques"  # stylist, 40% commission on what her lines bring in
    pedro = "Pedro Nunes"  # barber, 35%
    salon.member(sofia, 4000)
    salon.member(pedro, 3500)
    marta = salon.customer("Marta Silva", "marta.silva@example.com", "+351 914 700 233")
    joao = salon.customer("João Pereira", "joao.pereira@example.com", "+351 927 118 064")
    rita = salon.customer("Rita Lopes", "rita.lopes@example.org", "+351 961 402 875")

    # Marta's first cut, then colour and cut: a new customer's tab limit
    # (100 EUR) would not cover 120 EUR, one paid visit (standard) does. She
    # booked the colour three days ahead; as a standard customer, no deposit.
    story.day(40, 14)
    story.visit(salon, marta, {"Haircut": 1}, card_tip=500, by=sofia)
    story.day(15, 19, 10)
    colour = salon.book(marta, "Colour", story.at(12, 10), by=sofia)
    story.day(12, 9, 55)
    visit = salon.check_in(colour)
    salon.add(visit, "Haircut", by=sofia)
    story.later(150)
    story.finish(salon, visit, card_tip=1000)

    # João keeps his beard in shape every week and pays cash: six visits on
    # time make him "trusted".
    for days_ago in (42, 35, 28, 21, 14, 7):
        story.day(days_ago, 18, 30)
        story.visit(salon, joao, {"Beard trim": 1}, cash_tip=200, by=pedro)

    # Rita forgot to pay, was reminded, and paid cash a week later.
    story.day(25, 17)
    late = story.visit(salon, rita, {"Haircut": 1}, by=sofia)
    story.day(18, 9)
    salon.overdue(late)
    story.day(16, 12, 20)
    salon.pay_cash(late)

    # Beatriz, new, booked a cut with a 5.25 deposit; at check-in it counted
    # towards her bill and she paid the rest by card.
    beatriz = salon.customer("Beatriz Rocha", "beatriz.rocha@example.com", "+351 932 615 480")
    story.day(11, 20, 40)
    cut = salon.book(beatriz, "Haircut", story.at(9, 15), by=sofia)
    story.day(9, 14, 58)
    visit = salon.check_in(cut)
    story.later(45)
    story.finish(salon, visit, card_tip=300)

    # Tomás, new, booked a cut and never came: the no-show fee (30% of the
    # price) is more than his deposit, so all of the deposit is kept.
    tomas = salon.customer("Tomás Ferreira", "tomas.f@example.net", "+351 918 330 761")
    story.day(6, 21, 15)
    missed = salon.book(tomas, "Haircut", story.at(4, 11), by=pedro)
    story.day(4, 11, 40)
    with salon.step() as uow:
        bookings.no_show(uow, missed)

    # Helena, new, booked a colour and cancelled two days ahead: in time, so
    # her deposit went back in full.
    helena = salon.customer("Helena Sousa", "helena.sousa@example.org", "+351 965 208 119")
    story.day(8, 10, 5)
    called_off = salon.book(helena, "Colour", story.at(3, 15), by=sofia)
    story.day(5, 9, 30)
    with salon.step() as uow:
        bookings.cancel(uow, called_off)

    # Booked last night for today (UTC): João, trusted, leaves no deposit;
    # Leonor, new, leaves one on the sandbox card.
    leonor = salon.customer("Leonor Batista", "leonor.batista@example.com", "+351 926 774 051")
    story.day(1, 19)
    salon.book(joao, "Beard trim", story.at(0, 10), by=pedro)
    salon.book(leonor, "Haircut", story.at(0, 16, 30), by=sofia)

    # The week ahead: Marta's next colour (standard, no deposit) and Rita's
    # cut (her late payment keeps her new: she leaves a deposit).
    salon.book(marta, "Colour", story.at(-3, 11), by=sofia)
    salon.book(rita, "Haircut", story.at(-5, 17, 30), by=sofia)
    return salon


def build_demo(runtime: Runtime) -> DemoResult:
    """Add the demo café and salon, with their history, to the runtime's database."""
    story = _Story(runtime.clock.now())
    real_clock = runtime.clock
    runtime.clock = story.clock
    try:
        cafe, open_tab = _cafe(story, runtime)
        salon = _salon(story, runtime)
    finally:
        runtime.clock = real_clock
    logins = [
        _staff_login(runtime, cafe, "Inês Duarte", "ines@cafe-azul.example", "owner"),
        _staff_login(runtime, salon, "Tiago Lopes", "tiago@studio-lume.example", "owner"),
    ]
    return DemoResult(
        public_url=runtime.settings.public_url.rstrip("/"),
        database=runtime.engine.url.render_as_string(hide_password=True),
        merchants=[cafe.merchant, salon.merchant],
        open_tab=open_tab,
        paid_tabs={shop.merchant.merchant_id: shop.paid for shop in (cafe, salon)},
        staff_logins=logins,
        bookings={shop.merchant.merchant_id: shop.bookings for shop in (cafe, salon)},
    )


def _staff_login(
    runtime: Runtime, shop: _Shop, name: str, email: str, role: str
) -> tuple[str, str]:
    """A staff account with a fresh password each run: printed once, never stored in clear."""
    password = "demo-" + secrets.token_urlsafe(8)
    with runtime.uow(shop.merchant.merchant_id) as uow:
        create_staff(uow, email=email, password=password, name=name, role=role)
        uow.commit()
    return email, password

"""What the console pages show, gathered through the feature services.

Read models only: every change goes through ``tabs``, ``payments``,
``guarantee``, ``bookings`` and ``customers`` services. A view is plain data, so templates
never touch the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from servefirst.availability.online import change_cost
from servefirst.bookings.deposit_returns import DepositBack, deposit_back_of_tab
from servefirst.bookings.refund_answers import RefundAnswers, refund_answers_of
from servefirst.bookings.rules import BookingStatus, DepositStatus
from servefirst.bookings.service import list_bookings
from servefirst.catalog.service import list_services
from servefirst.catalog.service import names_of as service_names
from servefirst.customers.service import get_customer, names_of, search_customers, trust_of
from servefirst.db.by_id import column_by_id
from servefirst.db.uow import UnitOfWork
from servefirst.guarantee.rules import ConcernStatus
from servefirst.guarantee.service import concerns_awaiting_staff, concerns_of
from servefirst.kit.errors import ServefirstError
from servefirst.kit.refusals import in_words
from servefirst.merchants.service import get_merchant, merchant_zone
from servefirst.payments.dispute_rules import Disputed, disputed_refusal
from servefirst.payments.disputes import holding_by_payment
from servefirst.payments.refund_rules import (
    TAKING,
    Refundable,
    paid_by_deposit_alone,
    refund_state,
)
from servefirst.payments.refunds import refunds_of
from servefirst.payments.service import payments_of
from servefirst.receipts.document import SaleAndRefunds, sale_and_refunds_of
from servefirst.reports.today.rules import Window, day_of
from servefirst.staff.models import StaffMember
from servefirst.tabs.read_repository import tabs_by_id
from servefirst.tabs.rules import UNPAID, Bill, TabStatus, ensure_can_void
from servefirst.tabs.service import LineView, bill_of, get_tab, lines_of, list_tabs
from servefirst.trust.rules import Trust
from servefirst.trust.schemas import EVENT_WORDS
from servefirst.trust.service import history

if TYPE_CHECKING:
    from servefirst.bookings.models import Booking
    from servefirst.catalog.models import Service
    from servefirst.customers.models import Customer
    from servefirst.guarantee.models import Concern
    from servefirst.merchants.models import Merchant
    from servefirst.payments.models import Payment
    from servefirst.payments.refund_models import Refund
    from servefirst.tabs.models import Tab
    from servefirst.trust.models import TrustEvent

#: How far ahead the console lists upcoming bookings (read only).
UPCOMING_DAYS = 7


@dataclass(frozen=True)
class TabRow:
    tab: Tab
    customer_name: str
    bill: Bill

    @property
    def refund_state(self) -> str | None:
        """``refunded`` or ``partly refunded``, shown beside the status."""
        tab = self.tab
        return refund_state(
            tab.paid, tab.tips, tab.refunded, tab.tips_refunded, tab.deposit_applied
        )


@dataclass(frozen=True)
class PendingConcern:
    concern: Concern
    tab: Tab
    customer_name: str


@dataclass(frozen=True)
class BookingRow:
    """One booking as the counter reads it: who, what, with whom, and the deposit."""

    booking: Booking
    customer_name: str
    service_name: str
    staff_name: str
    #: What the policy keeps from the deposit if the customer cancels now
    #: (the console shows it beside "The customer cancelled").
    late_fee: int = 0
    #: What became of the deposit given back: on its way, refused (still
    #: held: the owner gives it back another way), or back with the customer.
    refunds: RefundAnswers = field(default_factory=RefundAnswers)

    @property
    def waiting(self) -> bool:
        """Still to happen: check-in, cancel and no-show are only offered then."""
        return self.booking.status == BookingStatus.CONFIRMED.value

    @property
    def status_words(self) -> str:
        return self.booking.status.replace("_", " ")


@dataclass(frozen=True)
class Home:
    merchant: Merchant
    query: str
    customers: list[tuple[Customer, Trust]]
    tabs: list[TabRow]
    concerns: list[PendingConcern]
    #: The merchant's day, on its clock.
    day: date
    today: list[BookingRow]
    upcoming: list[BookingRow]


#: Customers found for what staff typed.
MATCHES = 20
#: Customers the customers page lists, A to Z, before anything is typed.
BOOK_LIMIT = 50


def customer_matches(uow: UnitOfWork, query: str) -> list[tuple[Customer, Trust]]:
    found = search_customers(uow, query, limit=MATCHES) if query.strip() else []
    return [(c, trust_of(uow, c)) for c in found]


def customer_book(uow: UnitOfWork, query: str) -> list[tuple[Customer, Trust]]:
    """The customers page: those matching ``query``, or with nothing typed the
    first of the book by name."""
    if query.strip():
        return customer_matches(uow, query)
    return [(c, trust_of(uow, c)) for c in search_customers(uow, "", limit=BOOK_LIMIT)]


def pending_concerns(uow: UnitOfWork, limit: int = 20) -> list[PendingConcern]:
    concerns = concerns_awaiting_staff(uow, limit=limit)
    tabs = tabs_by_id(uow, {c.tab_id for c in concerns})
    rows = [(c, tabs[c.tab_id]) for c in concerns if c.tab_id in tabs]
    names = names_of(uow, {tab.customer_id for _, tab in rows})
    return [PendingConcern(c, t, names.get(t.customer_id, "")) for c, t in rows]


def _staff_names(uow: UnitOfWork, staff_ids: set[str]) -> dict[str, str]:
    return column_by_id(uow, StaffMember.staff_id, StaffMember.name, staff_ids)


def booking_rows(uow: UnitOfWork, start: datetime, end: datetime) -> list[BookingRow]:
    """Bookings starting in ``[start, end)``, named in three queries (not one per row)."""
    found = list_bookings(uow, start=start, end=end, limit=200)
    customers = names_of(uow, {b.customer_id for b in found})
    services = service_names(uow, {b.service_id for b in found})
    people = _staff_names(uow, {b.staff_id for b in found if b.staff_id})
    refunds = refund_answers_of(uow, found)
    return [
        BookingRow(
            booking=b,
            customer_name=customers.get(b.customer_id, ""),
            service_name=services.get(b.service_id, ""),
            # The API also takes a free-text name for who serves: shown as given.
            staff_name=people.get(b.staff_id, b.staff_id) if b.staff_id else "",
            late_fee=_late_fee(uow, b),
            refunds=refunds[b.booking_id],
        )
        for b in found
    ]


def _late_fee(uow: UnitOfWork, booking: Booking) -> int:
    """The fee a customer's cancellation now keeps; only a booking still to
    happen with a deposit held can keep one."""
    if (
        booking.status != BookingStatus.CONFIRMED.value
        or booking.deposit_status != DepositStatus.HELD.value
    ):
        return 0
    return change_cost(uow, booking).fee


def running_tabs(uow: UnitOfWork, limit: int = 30) -> list[TabRow]:
    """Open, served and overdue tabs, each with what it still owes."""
    running = [
        *list_tabs(uow, status=TabStatus.OPEN.value, limit=limit),
        *list_tabs(uow, status=TabStatus.SERVED.value, limit=limit),
        *list_tabs(uow, status=TabStatus.OVERDUE.value, limit=limit),
    ]
    names = names_of(uow, {t.customer_id for t in running})
    return [TabRow(t, names.get(t.customer_id, ""), bill_of(t)) for t in running]


def merchant_day(uow: UnitOfWork) -> Window:
    """Today on the merchant's clock: its local midnight to the next."""
    return day_of(uow.clock.now(), merchant_zone(uow))


def home(uow: UnitOfWork, query: str = "") -> Home:
    """The counter: find a customer, the tabs still running, concerns waiting,
    today's bookings and the week ahead."""
    today = merchant_day(uow)
    return Home(
        merchant=get_merchant(uow),
        query=query,
        customers=customer_matches(uow, query),
        tabs=running_tabs(uow),
        concerns=pending_concerns(uow),
        day=today.day,
        today=booking_rows(uow, today.start, today.end),
        upcoming=booking_rows(uow, today.end, today.end + timedelta(days=UPCOMING_DAYS)),
    )


@dataclass(frozen=True)
class TrustStep:
    """One event of the customer's trust history, in words."""

    event: TrustEvent

    @property
    def words(self) -> str:
        return EVENT_WORDS.get(self.event.kind, self.event.kind.replace("_", " "))

    @property
    def tier_changed(self) -> bool:
        return self.event.tier_before != self.event.tier_after


@dataclass(frozen=True)
class CustomerView:
    merchant: Merchant
    customer: Customer
    trust: Trust
    tabs: list[TabRow]
    history: list[TrustStep]


#: The customer page shows the latest few; the API has the whole history.
HISTORY_SHOWN = 10


def customer_view(uow: UnitOfWork, customer_id: str) -> CustomerView:
    customer = get_customer(uow, customer_id)
    tabs = list_tabs(uow, customer_id=customer.customer_id, limit=20)
    return CustomerView(
        merchant=get_merchant(uow),
        customer=customer,
        trust=trust_of(uow, customer),
        tabs=[TabRow(t, customer.name, bill_of(t)) for t in tabs],
        history=[TrustStep(e) for e in history(uow, customer.customer_id, limit=HISTORY_SHOWN)],
    )


@dataclass(frozen=True)
class TabView:
    merchant: Merchant
    tab: Tab
    bill: Bill
    customer: Customer
    trust: Trust
    lines: list[LineView]
    payments: list[Payment]
    concerns: list[Concern]
    services: list[Service]
    customer_url: str
    #: The sale's taxes as charged and what went back, as the receipt shows them.
    sale: SaleAndRefunds
    #: Each payment's refunds, by payment id.
    refunds: dict[str, list[Refund]] = field(default_factory=dict)
    #: What of a booking's deposit went back to the card (above the bill at
    #: check-in, or no longer needed after a cheaper service was done).
    deposit_back: DepositBack = field(default_factory=DepositBack)
    #: The dispute, open or lost, of each payment the bank holds or gave back.
    disputed: dict[str, Disputed] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.tab.status == TabStatus.OPEN.value

    @property
    def takes_payment(self) -> bool:
        return TabStatus(self.tab.status) in UNPAID and self.bill.due > 0

    @property
    def can_void(self) -> bool:
        # Asks the tab's own rule, so the button shows exactly when voiding would work.
        try:
            ensure_can_void(self.tab.status, self.bill)
        except ServefirstError:
            return False
        return True

    @property
    def lines_can_be_voided(self) -> bool:
        """Lines come off an unpaid tab (each only while what is due covers
        it), or off a paid one its booking's deposit paid alone."""
        status = TabStatus(self.tab.status)
        return status in UNPAID or paid_by_deposit_alone(status, self.bill)

    @property
    def refund_state(self) -> str | None:
        return TabRow(self.tab, "", self.bill).refund_state

    def refundable(self, payment: Payment) -> Refundable:
        """What is left to give back of ``payment``: the refund form offers
        no more (and is not offered once nothing is left)."""
        refunds = self.refunds.get(payment.payment_id, [])
        taken = [(r.amount, r.tip) for r in refunds if r.status in TAKING]
        return Refundable.of(payment.amount, payment.tip, taken)

    def refund_refused(self, payment: Payment) -> str | None:
        """Why ``payment`` cannot be refunded, in the reader's words, said in
        place of its refund form (the refusal a refund would get); None
        when nothing disputes it."""
        dispute = self.disputed.get(payment.payment_id)
        if dispute is None:
            return None
        refusal = disputed_refusal(dispute, what="refund")
        refusal.figures["currency"] = self.tab.currency
        return in_words(refusal)

    @property
    def pending(self) -> list[Concern]:
        return [c for c in self.concerns if c.status == ConcernStatus.PENDING.value]


def tab_view(uow: UnitOfWork, tab_id: str, public_url: str) -> TabView:
    tab = get_tab(uow, tab_id)
    customer = get_customer(uow, tab.customer_id)
    payments = payments_of(uow, tab.tab_id)
    lines = lines_of(uow, tab)
    # Only a tab a deposit was applied to has any back (a void may have
    # taken all of it off): no query for a walk-in's tab.
    deposited = tab.deposit_applied or any(item.line.voided for item in lines)
    return TabView(
        merchant=get_merchant(uow),
        tab=tab,
        bill=bill_of(tab),
        customer=customer,
        trust=trust_of(uow, customer),
        lines=lines,
        payments=payments,
        concerns=concerns_of(uow, tab.tab_id),
        services=[service for service, _terms in list_services(uow)],
        customer_url=f"{public_url.rstrip('/')}/t/{tab.token}",
        sale=sale_and_refunds_of(uow, tab),
        refunds={p.payment_id: refunds_of(uow, p.payment_id) for p in payments},
        deposit_back=deposit_back_of_tab(uow, tab.tab_id) if deposited else DepositBack(),
        disputed=holding_by_payment(uow, tab.tab_id) if payments else {},
    )

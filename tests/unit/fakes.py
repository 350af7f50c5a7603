"""Fakes of the hot aggregates' repositories and of the unit of work, with no
database (cosmicpython's ``FakeRepository`` and ``FakeUnitOfWork``).

They keep what the real repositories keep, in dicts and lists, and answer the
same named methods the use cases call: a use case run on them does its whole
story (the limit checks, the state machine, the ledger entries, the history),
so a test on them fails when that story breaks. What only a database can show
(locks, dialects, statement counts) is left to ``tests/integration``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any, cast

from sqlalchemy import Table

from servefirst.catalog.models import Service
from servefirst.customers.models import Customer
from servefirst.customers.repository import LockedCustomer, Parties
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import Conflict, NotFound
from servefirst.ledger.rules import JournalEntry, Side
from servefirst.merchants.models import Merchant
from servefirst.payments.gateways import default_gateways
from servefirst.payments.models import Payment
from servefirst.tabs.models import Tab
from servefirst.tabs.rules import UNPAID, Bill
from servefirst.tabs.sold_lines import LineTerms, LineView, SoldLine

MERCHANT_ID = "mer_fake"


class FixedClock:
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


class FakeTabRepository:
    def __init__(self) -> None:
        self.tabs: dict[str, Tab] = {}
        self.lines: dict[str, list[dict[str, Any]]] = {}
        self.payments_made: list[Payment] = []
        self._codes: Iterator[int] = count(1)

    def get(self, tab_id: str) -> Tab:
        if tab_id not in self.tabs:
            raise NotFound(f"No such tab: '{tab_id}'.", param="tab_id")
        return self.tabs[tab_id]

    lock = get
    in_hand = get

    def by_token(self, token: str, *, lock: bool = False) -> Tab | None:
        return next((t for t in self.tabs.values() if t.token == token), None)

    def by_short_code(self, short_code: str) -> Tab | None:
        return next((t for t in self.tabs.values() if t.short_code == short_code), None)

    def newest(self, **_filters: Any) -> list[Tab]:
        return sorted(self.tabs.values(), key=lambda t: t.opened_at, reverse=True)

    def outstanding(self, customer_id: str) -> int:
        return sum(
            Bill(t.subtotal, t.adjustments, t.paid, t.deposit_applied).due
            for t in self.tabs.values()
            if t.customer_id == customer_id and t.status in {s.value for s in UNPAID}
        )

    def lines_with_terms(self, tab: Tab) -> list[LineView]:
        return [
            LineView(SoldLine(**line), LineTerms(["as promised"], ["as limited"]))
            for line in self.lines.get(tab.tab_id, [])
        ]

    def add(self, row: dict[str, Any]) -> Tab:
        row["short_code"] = f"FAKE{next(self._codes):02d}"
        if row["short_code"] in {t.short_code for t in self.tabs.values()}:
            raise Conflict("short code taken", code="short_code_taken")
        tab = self.tabs[row["tab_id"]] = Tab(**row)
        return tab

    def write(self, tab: Tab, **values: Any) -> None:
        for name, value in values.items():
            setattr(tab, name, value)

    def add_line(
        self,
        tab: Tab,
        line: dict[str, Any],
        *,
        charged: int | None = None,
        taxes: dict[str, Any] | None = None,
    ) -> None:
        self.lines.setdefault(tab.tab_id, []).append(dict(line))
        grows = line["amount"] if charged is None else charged
        self.write(tab, line_count=line["line_no"], subtotal=tab.subtotal + grows)
        if taxes is not None:
            self.write(tab, taxes=taxes)

    def payments(self, tab_id: str) -> list[Payment]:
        return [p for p in self.payments_made if p.tab_id == tab_id]

    def add_payment(self, row: dict[str, Any]) -> Payment:
        payment = Payment(**row)
        self.payments_made.append(payment)
        return payment

    def payment(self, payment_id: str) -> Payment:
        found = next((p for p in self.payments_made if p.payment_id == payment_id), None)
        if found is None:
            raise NotFound(f"No such payment: '{payment_id}'.", param="payment_id")
        return found

    def payment_by_processor_key(self, tab_id: str, processor_key: str) -> Payment | None:
        return next(
            (
                p
                for p in self.payments_made
                if p.tab_id == tab_id and p.processor_key == processor_key
            ),
            None,
        )

    write_payment = write


class FakeCustomerRepository:
    def __init__(self, merchant: Merchant, services: dict[str, Service]) -> None:
        self.merchant = merchant
        self.services = services
        self.customers: dict[str, Customer] = {}
        self.locked: list[str] = []

    def get(self, customer_id: str) -> Customer:
        if customer_id not in self.customers:
            raise NotFound(f"No such customer: '{customer_id}'.", param="customer_id")
        return self.customers[customer_id]

    def lock(self, customer_id: str) -> LockedCustomer:
        self.locked.append(customer_id)
        return LockedCustomer(self.get(customer_id), self.merchant)

    def parties(
        self, customer_id: str, *, service_id: str | None = None, credit_lock: bool
    ) -> Parties | None:
        customer = self.customers.get(customer_id)
        service = self.services.get(service_id) if service_id is not None else None
        if customer is None or (service_id is not None and service is None):
            return None
        return Parties(customer, self.merchant, service)

    def lock_credit(self, customer_id: str) -> None:
        self.locked.append(customer_id)

    def write(self, customer: Customer, **values: Any) -> None:
        for name, value in values.items():
            setattr(customer, name, value)

    def add(self, customer: Customer) -> bool:
        self.customers[customer.customer_id] = customer
        return True

    def by_referral_code(self, code: str) -> str | None:
        found = [c.customer_id for c in self.customers.values() if c.referral_code == code]
        return found[0] if found else None

    def search(self, text: str, *, limit: int) -> list[Customer]:
        return [c for c in self.customers.values() if text.lower() in c.name.lower()][:limit]


class FakeLedgerRepository:
    def __init__(self) -> None:
        self.entries: list[JournalEntry] = []

    def open_accounts(self) -> None:
        pass

    def post(self, entry: JournalEntry) -> str:
        self.entries.append(entry)
        return f"je_{len(self.entries)}"

    def balance(self, account: str) -> int:
        """Debits less credits, as the running totals keep it."""
        return sum(
            leg.amount if leg.side is Side.DEBIT else -leg.amount
            for entry in self.entries
            for leg in entry.legs
            if leg.account == account
        )


class FakeGatewayAccounts:
    def get(self) -> None:
        return None


class FakeReceiptCounters:
    """The merchant's receipt numbers by year, kept in memory."""

    def __init__(self) -> None:
        self.last: dict[int, int] = {}

    def take_next(self, year: int) -> int:
        self.last[year] = self.last.get(year, 0) + 1
        return self.last[year]


class FakeUnitOfWork:
    """What a use case asks of a unit of work, with nothing behind it."""

    dialect = "fake"
    locks_rows = False

    def __init__(self) -> None:
        self.merchant_id = MERCHANT_ID
        self.clock = FixedClock()
        self.gateways = default_gateways()
        self.merchant_row = Merchant(
            merchant_id=MERCHANT_ID, name="Fake café", currency="EUR", policy={}
        )
        self.services: dict[str, Service] = {}
        self.tabs = FakeTabRepository()
        self.customers = FakeCustomerRepository(self.merchant_row, self.services)
        self.ledger = FakeLedgerRepository()
        #: The merchant's card processor: none chosen, the sandbox.
        self.gateway_accounts = FakeGatewayAccounts()
        self.receipt_counters = FakeReceiptCounters()
        #: The outbox and the trust history, appended as the real one is.
        self.appended: dict[Table, list[dict[str, Any]]] = {}
        self.commits = 0

    @property
    def merchant(self) -> str:
        return self.merchant_id

    @property
    def session(self) -> Any:
        raise AssertionError("a use case on the money path reached for the session")

    @property
    def connection(self) -> Any:
        raise AssertionError("a use case on the money path reached for the connection")

    def before_commit(self, _step: Any) -> None:
        pass

    def flush(self) -> None:
        pass

    def commit(self) -> None:
        self.commits += 1

    def rollback(self) -> None:
        pass

    # --- what tests set up and read back --------------------------------------------

    def as_uow(self) -> UnitOfWork:
        return cast(UnitOfWork, self)

    def add_service(self, service_id: str, name: str, price: int) -> str:
        self.services[service_id] = Service(
            merchant_id=MERCHANT_ID,
            service_id=service_id,
            name=name,
            price=price,
            duration_minutes=5,
            terms_version=1,
            active=True,
        )
        return service_id

    def add_customer(self, customer_id: str, name: str) -> str:
        self.customers.add(
            Customer(
                merchant_id=MERCHANT_ID,
                customer_id=customer_id,
                name=name,
                referral_code=f"REF{customer_id}",
                paid_visits=0,
                late_payments=0,
                no_shows=0,
                late_cancellations=0,
                write_offs=0,
                rejected_concerns=0,
                trust_tallies=None,
                trust_as_of=None,
                created_at=self.clock.now(),
            )
        )
        return customer_id

    def appended_to(self, table: str) -> list[dict[str, Any]]:
        return [row for t, rows in self.appended.items() if t.name == table for row in rows]

    def event_types(self) -> list[str]:
        return [row["type"] for row in self.appended_to("events")]

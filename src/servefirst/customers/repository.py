"""Where customers are kept: look-ups, the locks a customer's money takes, and
the one write of their history and trust.

Lock order, kept by every use case: a tab's row first, then the customer's
credit lock (an advisory lock, PostgreSQL only), then the ledger balances in
account order, then the customer's row. SQLite already runs one writer at a
time, so there the locks are no statements at all.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Executable, and_, bindparam, func, inspect, or_, select
from sqlalchemy.exc import IntegrityError

from servefirst.catalog.models import Service
from servefirst.customers.models import Customer
from servefirst.customers.rules import email_key, name_key, phone_key, phone_tail
from servefirst.db.by_id import column_by_id
from servefirst.db.direct import update_object
from servefirst.kit.errors import NotFound
from servefirst.merchants.models import Merchant

if TYPE_CHECKING:
    from servefirst.db.scope import TransactionScope


@dataclass(frozen=True)
class Parties:
    """Whose tab it is, whose rules apply, and the service being added."""

    customer: Customer
    merchant: Merchant
    service: Service | None


@dataclass(frozen=True)
class LockedCustomer:
    """A customer whose row this transaction holds, with their merchant (whose
    trust policy weighs their history)."""

    customer: Customer
    merchant: Merchant


class CustomerRepository:
    """The customers of the unit of work's merchant, in its transaction."""

    def __init__(self, uow: TransactionScope) -> None:
        self._uow = uow
        #: Customers this transaction holds locked, loaded fresh when locked:
        #: nobody else can change them until commit, so a second ``lock`` of
        #: the same customer needs no second round trip.
        self._locked: dict[str, LockedCustomer] = {}

    def get(self, customer_id: str) -> Customer:
        customer = self._uow.session.scalar(_CUSTOMER, {"m": self._uow.merchant, "c": customer_id})
        if customer is None:
            raise NotFound(f"No such customer: '{customer_id}'.", param="customer_id")
        return customer

    def if_any(self, customer_id: str) -> Customer | None:
        """The customer, or None if there is none (a message to one since merged away)."""
        return self._uow.session.get(Customer, (self._uow.merchant, customer_id))

    def names_of(self, customer_ids: Collection[str]) -> dict[str, str]:
        """Each customer's name, by id (a customer not found is left out)."""
        return column_by_id(self._uow, Customer.customer_id, Customer.name, customer_ids)

    def lock(self, customer_id: str) -> LockedCustomer:
        """The customer's row, held until commit (``FOR UPDATE`` on
        PostgreSQL), with their merchant read in the same round trip."""
        held = self._locked.get(customer_id)
        if held is not None and not inspect(held.customer).expired:
            return held
        row = self._uow.session.execute(
            _CUSTOMER_FOR_UPDATE, {"m": self._uow.merchant, "c": customer_id}
        ).first()
        if row is None:
            raise NotFound(f"No such customer: '{customer_id}'.", param="customer_id")
        held = self._locked[customer_id] = LockedCustomer(row[0], row[1])
        return held

    def parties(
        self, customer_id: str, *, service_id: str | None = None, credit_lock: bool
    ) -> Parties | None:
        """The customer, their merchant and (given ``service_id``) the service,
        in one round trip; with ``credit_lock`` the customer's credit lock is
        taken by the same statement, as its row is produced (PostgreSQL)."""
        in_query = credit_lock and self._uow.locks_rows
        params = {"m": self._uow.merchant, "c": customer_id, "s": service_id}
        if in_query:
            params |= self._credit_key(customer_id)
        query = _parties_query(service_id is not None, in_query)
        row = self._uow.session.execute(query, params).first()
        if row is None:
            return None
        return Parties(row[0], row[1], row[2] if service_id is not None else None)

    def lock_credit(self, customer_id: str) -> None:
        """Serialise what a customer may owe, until commit.

        Two lines (or concerns) on two tabs of one customer at once must not
        both pass the limit. A transaction-scoped advisory lock on the customer
        (taken after the tab's row lock, never before one) makes those checks
        queue, without touching the customer row that payments lock last: no
        lock cycle. SQLite already runs one writer at a time."""
        if self._uow.locks_rows:
            self._uow.session.execute(_CREDIT_LOCK, self._credit_key(customer_id))

    def write(self, customer: Customer, **values: Any) -> None:
        """Set ``values`` on the customer's row (which the caller holds) and on
        ``customer``, in one UPDATE: how their history and trust are written."""
        update_object(self._uow, customer, **values)

    def add(self, customer: Customer) -> bool:
        """Insert ``customer``; False (and nothing kept) when their referral
        code is already taken."""
        try:
            with self._uow.session.begin_nested():
                self._uow.session.add(customer)
        except IntegrityError:
            return False
        return True

    def by_referral_code(self, code: str) -> str | None:
        return self._uow.session.scalar(
            select(Customer.customer_id).where(
                Customer.merchant_id == self._uow.merchant, Customer.referral_code == code
            )
        )

    def search(self, text: str, *, limit: int) -> list[Customer]:
        """Customers whose name, phone or e-mail holds ``text``, however either
        was typed: names compare without accents, case or spaces, phones by
        their digits (``rules.name_key``, ``rules.phone_key``)."""
        query = select(Customer).where(Customer.merchant_id == self._uow.merchant)
        if text:
            matches = [Customer.email_key.like(f"%{_escaped(email_key(text) or '')}%", "\\")]
            name = name_key(text)
            if name:
                matches.append(Customer.name_key.like(f"%{_escaped(name)}%", "\\"))
            digits = phone_key(text)
            # A few digits would match half the book: a phone is searched from three.
            if digits and len(digits) >= 3:
                matches.append(Customer.phone_key.like(f"%{digits}%"))
            query = query.where(or_(*matches))
        return list(self._uow.session.scalars(query.order_by(Customer.name).limit(limit)))

    def same_contact(self, email: str | None, phone: str | None, *, limit: int) -> list[Customer]:
        """Customers with this e-mail or phone once normalised: likely the same person."""
        keys = []
        if email_key(email):
            keys.append(Customer.email_key == email_key(email))
        tail = phone_tail(phone)
        if tail:
            keys.append(Customer.phone_key.like(f"%{tail}"))
        if not keys:
            return []
        query = select(Customer).where(Customer.merchant_id == self._uow.merchant, or_(*keys))
        return list(self._uow.session.scalars(query.order_by(Customer.created_at).limit(limit)))

    def first_with_email(self, email: str) -> Customer | None:
        """The earliest customer with this e-mail once normalised (duplicates
        are merged into the one kept; until then the first stands for them)."""
        key = email_key(email)
        if key is None:
            return None
        return self._uow.session.scalar(
            select(Customer)
            .where(Customer.merchant_id == self._uow.merchant, Customer.email_key == key)
            .order_by(Customer.created_at, Customer.customer_id)
            .limit(1)
        )

    def every(self) -> Iterator[Customer]:
        """Every customer of the merchant, one at a time (a report's scan)."""
        query = select(Customer).where(Customer.merchant_id == self._uow.merchant)
        return iter(self._uow.session.scalars(query))

    def _credit_key(self, customer_id: str) -> dict[str, str]:
        return {"credit_key": f"credit:{self._uow.merchant}", "credit_customer": customer_id}


#: Built once, with bound parameters (every tab, line and payment looks one up).
_CUSTOMER = select(Customer).where(
    Customer.merchant_id == bindparam("m"), Customer.customer_id == bindparam("c")
)
#: Only the customer's row is locked; both are loaded fresh. No use case
#: changes a merchant and counts a customer's event in one transaction.
_CUSTOMER_FOR_UPDATE = (
    select(Customer, Merchant)
    .join(Merchant, Merchant.merchant_id == Customer.merchant_id)
    .where(Customer.merchant_id == bindparam("m"), Customer.customer_id == bindparam("c"))
    .with_for_update(of=Customer)
    .execution_options(populate_existing=True)
)

#: The credit lock as a column, for a query that reads the customer anyway:
#: the lock then costs no round trip of its own. Same lock, same place in the
#: lock order; what the customer owes is summed in a later statement, which
#: sees whatever the lock waited for.
_CREDIT_LOCK_COLUMN = func.pg_advisory_xact_lock(
    func.hashtext(bindparam("credit_key")), func.hashtext(bindparam("credit_customer"))
)
_CREDIT_LOCK = select(_CREDIT_LOCK_COLUMN)


@cache
def _escaped(text: str) -> str:
    """``text`` taken literally inside a LIKE pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@cache  # four shapes, built once: a statement is costly to build, cheap to reuse
def _parties_query(with_service: bool, credit_lock: bool) -> Executable:
    query: Any = (
        select(Customer, Merchant)
        .join(Merchant, Merchant.merchant_id == Customer.merchant_id)
        .where(Customer.merchant_id == bindparam("m"), Customer.customer_id == bindparam("c"))
    )
    if with_service:
        query = query.join(
            Service,
            and_(Service.merchant_id == Customer.merchant_id, Service.service_id == bindparam("s")),
        ).add_columns(Service)
    if credit_lock:
        query = query.add_columns(_CREDIT_LOCK_COLUMN)
    return query

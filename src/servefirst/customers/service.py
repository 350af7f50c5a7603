"""Use cases for customers: register, look up, search, read trust, and count
what happens in their history (which their trust is built on)."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from servefirst.customers import rules
from servefirst.customers.models import Customer
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.errors import InvalidRequest
from servefirst.kit.ids import new_id, new_referral_code
from servefirst.kit.tax_ids import check_tax_id, country_of_locale
from servefirst.kit.typed import refuse_nul
from servefirst.loyalty import referrals
from servefirst.loyalty.referral_rules import Contact
from servefirst.merchants.service import get_merchant
from servefirst.trust import service as trust
from servefirst.trust.estimator import EVENT_KINDS
from servefirst.trust.rules import Trust

if TYPE_CHECKING:
    from servefirst.tabs.models import Tab

#: The events a customer's history counts (columns of ``customers``).
HISTORY_EVENTS = tuple(EVENT_KINDS)
#: Events that close a tab: counted only with the tab they close
#: (``record_tab_closed``), whose worth the history keeps.
TAB_CLOSING_EVENTS = ("paid_visits", "late_payments", "write_offs")


def record_history(uow: UnitOfWork, customer_id: str, event: str) -> None:
    """Count one event that closes no tab (a no-show, a late cancellation, an
    unfounded concern) in the customer's history."""
    if event not in HISTORY_EVENTS:
        raise ValueError(f"not a history event: {event}")
    if event in TAB_CLOSING_EVENTS:
        raise ValueError(f"{event} closes a tab: count it with record_tab_closed")
    _count(uow, customer_id, event, tab_id=None, amount=None)


def record_tab_closed(uow: UnitOfWork, tab: Tab, event: str, *, worth: int) -> None:
    """Count the closing of ``tab`` (paid on time, paid late, written off) in
    its customer's history, with what it was worth: its total when paid, what
    was still owed when written off."""
    if event not in TAB_CLOSING_EVENTS:
        raise ValueError(f"{event} closes no tab: count it with record_history")
    _count(uow, tab.customer_id, event, tab_id=tab.tab_id, amount=worth)


def record_lost_dispute(uow: UnitOfWork, tab: Tab, *, amount: int) -> None:
    """A card dispute the merchant lost: ``tab``'s customer took back
    ``amount`` of what they had paid for it, which counts as that much
    written off (with the tab, as every write-off is)."""
    _count(uow, tab.customer_id, "write_offs", tab_id=tab.tab_id, amount=amount)


def record_lost_deposit_dispute(uow: UnitOfWork, customer_id: str, *, amount: int) -> None:
    """A card dispute of a booking's deposit or fee the merchant lost: counted
    as a tab payment's lost dispute is (``record_lost_dispute``), ``amount``
    written off, with no tab (the charge paid none)."""
    _count(uow, customer_id, "write_offs", tab_id=None, amount=amount)


def _count(
    uow: UnitOfWork, customer_id: str, event: str, *, tab_id: str | None, amount: int | None
) -> None:
    """The customer row is locked and re-read first (``FOR UPDATE`` on
    PostgreSQL; SQLite already holds the write lock): two tabs of one customer
    settling at once must both count, and the faded evidence is
    read-fade-add-write. Lock order: payments hold the tab and the ledger
    balances before they get here; nothing that holds a customer row waits for
    a tab or a balance."""
    held = uow.customers.lock(customer_id)
    customer = held.customer
    # The count and the faded evidence go in one UPDATE of the row.
    trust.count_event(
        uow,
        customer,
        event,
        policy=trust.policy_of(held.merchant),
        now=uow.clock.now(),
        tab_id=tab_id,
        amount=amount,
        also={event: getattr(customer, event) + 1},
    )


def trust_of(uow: UnitOfWork, customer: Customer) -> Trust:
    """The customer's trust now, under their merchant's policy, from their row alone."""
    return trust.trust_now(customer, policy=trust.policy_for(uow), now=uow.clock.now())


def lock_customer_credit(uow: UnitOfWork, customer_id: str) -> None:
    """Serialise what a customer may owe until commit (see
    ``CustomerRepository.lock_credit``)."""
    uow.customers.lock_credit(customer_id)


def create_customer(
    uow: UnitOfWork,
    *,
    name: str,
    email: str | None = None,
    phone: str | None = None,
    referral_code: str | None = None,
    messages_opt_out: bool = False,
    tax_id: str | None = None,
) -> Customer:
    tax_id = _checked_tax_id(uow, tax_id)
    referred_by = None
    if referral_code:
        referred_by = uow.customers.by_referral_code(referral_code.strip().upper())
        if referred_by is None:
            raise InvalidRequest(
                f"No customer has the referral code '{referral_code}'.",
                code="referral_code_invalid",
                param="referral_code",
            )
        contact = Contact(rules.email_key(email), rules.phone_key(phone))
        referrals.ensure_not_self(contact, uow.customers.get(referred_by))
    for _attempt in range(5):
        customer = Customer(
            merchant_id=uow.merchant,
            customer_id=new_id("cus"),
            name=name,
            email=email,
            phone=phone,
            name_key=rules.name_key(name),
            email_key=rules.email_key(email),
            phone_key=rules.phone_key(phone),
            referral_code=new_referral_code(),
            referred_by=referred_by,
            paid_visits=0,
            late_payments=0,
            no_shows=0,
            late_cancellations=0,
            write_offs=0,
            rejected_concerns=0,
            messages_opt_out=messages_opt_out,
            tax_id=tax_id,
            created_at=uow.clock.now(),
        )
        if not uow.customers.add(customer):  # referral code collision: 31^8, but be sure
            continue
        emit(uow, "customer.created", customer.customer_id, {"name": name})
        if referred_by is not None:
            referrals.welcome(uow, customer)
        return customer
    raise RuntimeError("could not draw a unique referral code")


def _checked_tax_id(uow: UnitOfWork, tax_id: str | None) -> str | None:
    """A customer's tax id, checked by the rules of the merchant's country
    (their locale's region) when it is a bare number; None for none."""
    if not tax_id or not tax_id.strip():
        return None
    return check_tax_id(tax_id, country=country_of_locale(get_merchant(uow).locale))


def update_customer(
    uow: UnitOfWork,
    customer_id: str,
    *,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    tax_id: str | None = None,
) -> Customer:
    """Change what was given (every field checked before any is kept)."""
    customer = uow.customers.lock(customer_id).customer
    changes: dict[str, object] = {}
    if tax_id is not None:
        changes["tax_id"] = _checked_tax_id(uow, tax_id)
    if name is not None:
        changes |= {"name": name, "name_key": rules.name_key(name)}
    if email is not None:
        changes |= {"email": email or None, "email_key": rules.email_key(email or None)}
    if phone is not None:
        changes |= {"phone": phone or None, "phone_key": rules.phone_key(phone or None)}
    if changes:
        uow.customers.write(customer, **changes)
    emit(uow, "customer.updated", customer.customer_id, {"changed": sorted(changes)})
    return customer


def get_customer(uow: UnitOfWork, customer_id: str, *, lock: bool = False) -> Customer:
    """The customer; with ``lock`` their row is held until commit."""
    if lock:
        return uow.customers.lock(customer_id).customer
    return uow.customers.get(customer_id)


def names_of(uow: UnitOfWork, customer_ids: Collection[str]) -> dict[str, str]:
    """Each customer's name, by id, for a page that lists whose rows they are."""
    return uow.customers.names_of(customer_ids)


def customer_with_email(uow: UnitOfWork, email: str) -> Customer | None:
    """Who this e-mail belongs to here, once the person showed it is theirs
    (a one-time code): the earliest customer with it, or None."""
    return uow.customers.first_with_email(email)


def search_customers(uow: UnitOfWork, text: str, *, limit: int = 20) -> list[Customer]:
    """By name, e-mail or phone, ignoring accents, case and spacing; what staff
    type at the counter. A NUL in it is refused (422 naming ``q``) on every
    engine: PostgreSQL cannot compare text holding one, SQLite would find no one."""
    refuse_nul([("q", text)])
    return uow.customers.search(text.strip(), limit=limit)


def likely_duplicates(
    uow: UnitOfWork, *, email: str | None, phone: str | None, limit: int = 5
) -> list[tuple[Customer, list[str]]]:
    """Customers already here with the same e-mail or phone, each with which
    matched ("email", "phone"): shown before a new customer is registered."""
    new = rules.Contact("", email, phone)
    found = uow.customers.same_contact(email, phone, limit=limit)
    return [(c, rules.likely_same(new, rules.Contact(c.name, c.email, c.phone))) for c in found]

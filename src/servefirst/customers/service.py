"""Use cases for customers: register, look up, search, read trust."""

from __future__ import annotations

from sqlalchemy import bindparam, func, inspect, or_, select
from sqlalchemy.exc import IntegrityError

from servefirst.customers.models import Customer
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.errors import InvalidRequest, NotFound
from servefirst.kit.ids import new_id, new_referral_code
from servefirst.merchants.models import Merchant
from servefirst.tabs.models import Tab
from servefirst.trust import service as trust
from servefirst.trust.estimator import EVENT_KINDS
from servefirst.trust.rules import Trust

#: The events a customer's history counts (columns of ``customers``).
HISTORY_EVENTS = tuple(EVENT_KINDS)
#: Events that close a tab, and the tab status they close it with.
_TAB_EVENTS = {"paid_visits": "paid", "late_payments": "paid", "write_offs": "written_off"}


def record_history(
    uow: UnitOfWork,
    customer_id: str,
    event: str,
    *,
    tab_id: str | None = None,
    amount: int | None = None,
) -> None:
    """Count one event in the customer's history, which their trust is built on.

    The customer row is locked and re-read first (``FOR UPDATE`` on PostgreSQL;
    SQLite already holds the write lock): two tabs of one customer settling at
    once must both count, and the faded evidence is read-fade-add-write.
    Lock order: payments hold the tab and the ledger balances before they get
    here; nothing that holds a customer row waits for a tab or a balance.
    """
    if event not in HISTORY_EVENTS:
        raise ValueError(f"not a history event: {event}")
    if tab_id is None and event in _TAB_EVENTS:
        tab_id, amount = _tab_just_closed(uow, customer_id, _TAB_EVENTS[event])
    customer = get_customer(uow, customer_id, lock=True)
    # The count and the faded evidence go in one UPDATE of the row, no flush.
    counted = {event: getattr(customer, event) + 1}
    trust.count_event(uow, customer, event, tab_id=tab_id, amount=amount, also=counted)


def _tab_just_closed(
    uow: UnitOfWork, customer_id: str, status: str
) -> tuple[str | None, int | None]:
    """The tab this unit of work just closed for the customer (settle and write
    off load and change it before they count the event), with what it was
    worth: its total when paid, what was still owed when written off."""
    closed = [
        obj
        for obj in uow.session.identity_map.values()
        if isinstance(obj, Tab)
        and obj.customer_id == customer_id
        and obj.status == status
        and obj.closed_at is not None
    ]
    if not closed:
        return None, None
    tab = max(closed, key=lambda t: t.closed_at)  # type: ignore[arg-type, return-value]
    total = tab.subtotal - tab.adjustments
    if status == "written_off":
        return tab.tab_id, total - tab.paid - tab.deposit_applied
    return tab.tab_id, total


def trust_of(customer: Customer) -> Trust:
    """The customer's trust now, read from their row alone."""
    return trust.trust_now(customer)


def lock_customer_credit(uow: UnitOfWork, customer_id: str) -> None:
    """Serialise what a customer may owe: held until commit.

    Adding a line checks the sum owed across all the customer's tabs; two lines
    on two tabs at once must not both pass the limit. A transaction-scoped
    advisory lock on the customer (taken after the tab's row lock, never
    before one) makes those checks queue, without touching the customer row
    that payments lock last (tab -> balances -> customer): no lock cycle.
    SQLite already runs one writer at a time.
    """
    if uow.locks_rows:
        uow.session.execute(_CREDIT_LOCK, credit_lock_params(uow, customer_id))


#: The credit lock as a column, for a query that reads the customer anyway
#: (opening a tab, adding a line): taken as that query's one row is produced,
#: so the lock costs no round trip of its own. Same lock, same place in the
#: lock order (after the tab's row); what the customer owes is still summed
#: in a later statement, which sees whatever the lock waited for.
CREDIT_LOCK_COLUMN = func.pg_advisory_xact_lock(
    func.hashtext(bindparam("credit_key")), func.hashtext(bindparam("credit_customer"))
)
_CREDIT_LOCK = select(CREDIT_LOCK_COLUMN)


def credit_lock_params(uow: UnitOfWork, customer_id: str) -> dict[str, str]:
    return {"credit_key": f"credit:{uow.merchant}", "credit_customer": customer_id}


def create_customer(
    uow: UnitOfWork,
    *,
    name: str,
    email: str | None = None,
    phone: str | None = None,
    referral_code: str | None = None,
) -> Customer:
    trust.remember_clock(uow)
    referred_by = None
    if referral_code:
        referrer = uow.session.scalar(
            select(Customer.customer_id).where(
                Customer.merchant_id == uow.merchant,
                Customer.referral_code == referral_code.strip().upper(),
            )
        )
        if referrer is None:
            raise InvalidRequest(
                f"No customer has the referral code '{referral_code}'.",
                code="referral_code_invalid",
                param="referral_code",
            )
        referred_by = referrer
    for _attempt in range(5):
        customer = Customer(
            merchant_id=uow.merchant,
            customer_id=new_id("cus"),
            name=name,
            email=email,
            phone=phone,
            referral_code=new_referral_code(),
            referred_by=referred_by,
            paid_visits=0,
            late_payments=0,
            no_shows=0,
            late_cancellations=0,
            write_offs=0,
            rejected_concerns=0,
            created_at=uow.clock.now(),
        )
        try:
            with uow.session.begin_nested():
                uow.session.add(customer)
        except IntegrityError:  # referral code collision: 31^8, but be sure
            continue
        emit(uow, "customer.created", customer.customer_id, {"name": name})
        return customer
    raise RuntimeError("could not draw a unique referral code")


def get_customer(uow: UnitOfWork, customer_id: str, *, lock: bool = False) -> Customer:
    trust.remember_clock(uow)
    held = ("customers", customer_id)
    if lock and held in uow.locked:
        # Locked (and loaded fresh) earlier in this transaction: nobody else
        # can have changed the row since, so the loaded object is current
        # (settle locks the customer, then record_history asks again).
        known = uow.locked[held]
        if isinstance(known, Customer) and not inspect(known).expired:
            return known
    if lock:
        row = uow.session.execute(
            _CUSTOMER_FOR_UPDATE, {"m": uow.merchant, "c": customer_id}
        ).first()
        customer = row[0] if row is not None else None
        if row is not None:
            uow.kept.append(row[1])  # its trust policy is read next
    else:
        customer = uow.session.scalar(_CUSTOMER, {"m": uow.merchant, "c": customer_id})
    if customer is None:
        raise NotFound(f"No such customer: '{customer_id}'.", param="customer_id")
    if lock:
        uow.locked[held] = customer
    return customer


#: Built once, with bound parameters (every tab, line and payment looks one up).
_CUSTOMER = select(Customer).where(
    Customer.merchant_id == bindparam("m"), Customer.customer_id == bindparam("c")
)
#: A customer is locked to count an event in their history, which their
#: merchant's trust policy weighs next: the merchant comes in the same round
#: trip (only the customer's row is locked). Both are loaded fresh; no use
#: case changes a merchant and counts a customer's event in one transaction.
_CUSTOMER_FOR_UPDATE = (
    select(Customer, Merchant)
    .join(Merchant, Merchant.merchant_id == Customer.merchant_id)
    .where(Customer.merchant_id == bindparam("m"), Customer.customer_id == bindparam("c"))
    .with_for_update(of=Customer)
    .execution_options(populate_existing=True)
)


def search_customers(uow: UnitOfWork, text: str, *, limit: int = 20) -> list[Customer]:
    """By name, e-mail or phone, case-insensitive; what staff type at the counter."""
    trust.remember_clock(uow)
    query = select(Customer).where(Customer.merchant_id == uow.merchant)
    text = text.strip()
    if text:
        like = f"%{text.lower()}%"
        query = query.where(
            or_(
                func.lower(Customer.name).like(like),
                func.lower(Customer.email).like(like),
                Customer.phone.like(f"%{text}%"),
            )
        )
    return list(uow.session.scalars(query.order_by(Customer.name).limit(limit)))

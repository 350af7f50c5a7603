"""Use cases for customers: register, look up, search, read trust."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from servefirst.customers.models import Customer
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.errors import InvalidRequest, NotFound
from servefirst.kit.ids import new_id, new_referral_code
from servefirst.trust.rules import History, Trust, assess


def history_of(customer: Customer) -> History:
    return History(
        paid_visits=customer.paid_visits,
        late_payments=customer.late_payments,
        no_shows=customer.no_shows,
        late_cancellations=customer.late_cancellations,
        write_offs=customer.write_offs,
        rejected_concerns=customer.rejected_concerns,
    )


#: The events a customer's history counts (columns of ``customers``).
HISTORY_EVENTS = (
    "paid_visits",
    "late_payments",
    "no_shows",
    "late_cancellations",
    "write_offs",
    "rejected_concerns",
)


def record_history(uow: UnitOfWork, customer_id: str, event: str) -> None:
    """Count one event in the customer's history, which their trust is built on.

    Counted in SQL (``SET n = n + 1``), not read-add-write: two tabs of one
    customer settling at once must both count.
    """
    if event not in HISTORY_EVENTS:
        raise ValueError(f"not a history event: {event}")
    customer = get_customer(uow, customer_id)
    setattr(customer, event, getattr(Customer, event) + 1)
    uow.session.flush()


def trust_of(customer: Customer) -> Trust:
    return assess(history_of(customer))


def create_customer(
    uow: UnitOfWork,
    *,
    name: str,
    email: str | None = None,
    phone: str | None = None,
    referral_code: str | None = None,
) -> Customer:
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
    query = select(Customer).where(
        Customer.merchant_id == uow.merchant, Customer.customer_id == customer_id
    )
    if lock:
        query = query.with_for_update()
    customer = uow.session.scalar(query)
    if customer is None:
        raise NotFound(f"No such customer: '{customer_id}'.", param="customer_id")
    return customer


def search_customers(uow: UnitOfWork, text: str, *, limit: int = 20) -> list[Customer]:
    """By name, e-mail or phone, case-insensitive; what staff type at the counter."""
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

"""Card disputes (chargebacks): recorded when the processor tells of one,
shown to staff, and counted in the customer's trust history only once the
merchant marks it lost (a dispute can be won: until then it says nothing)."""

from __future__ import annotations

from sqlalchemy import select

from servefirst.customers.service import record_lost_dispute
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.errors import NotFound
from servefirst.payments.models import Dispute, Payment


def record_dispute(
    uow: UnitOfWork,
    *,
    dispute_id: str,
    charge: str,
    amount: int,
    currency: str,
    reason: str,
    payment: Payment | None,
) -> Dispute:
    existing = uow.session.get(Dispute, (uow.merchant, dispute_id))
    if existing is not None:
        return existing
    dispute = Dispute(
        merchant_id=uow.merchant,
        dispute_id=dispute_id,
        payment_id=payment.payment_id if payment else None,
        tab_id=payment.tab_id if payment else None,
        charge=charge,
        amount=amount,
        currency=currency,
        reason=reason,
        status="open",
        created_at=uow.clock.now(),
    )
    uow.session.add(dispute)
    uow.session.flush()
    emit(uow, "dispute.created", dispute_id, {"payment_id": dispute.payment_id, "amount": amount})
    return dispute


def disputes(uow: UnitOfWork) -> list[Dispute]:
    return list(
        uow.session.scalars(
            select(Dispute)
            .where(Dispute.merchant_id == uow.merchant)
            .order_by(Dispute.created_at.desc(), Dispute.dispute_id)
        )
    )


def mark_lost(uow: UnitOfWork, dispute_id: str) -> Dispute:
    """The bank kept the money for the customer: counted once in their trust
    history (as a write-off of what was taken back). Marking it again changes
    nothing."""
    dispute = uow.session.get(Dispute, (uow.merchant, dispute_id), with_for_update=True)
    if dispute is None:
        raise NotFound("No such dispute.", code="dispute_not_found", param="dispute_id")
    if dispute.status == "lost":
        return dispute
    dispute.status = "lost"
    dispute.lost_at = uow.clock.now()
    uow.session.flush()
    if dispute.tab_id is not None:
        record_lost_dispute(uow, uow.tabs.get(dispute.tab_id), amount=dispute.amount)
    emit(uow, "dispute.lost", dispute_id, {"payment_id": dispute.payment_id})
    return dispute

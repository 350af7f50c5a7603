"""Where refunds are kept, and the payments they give back from: the SQL of
``payments.refunds`` (reads, the one insert, the status changes)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from servefirst.db.direct import insert_object, update_object
from servefirst.kit.errors import NotFound
from servefirst.payments.models import Payment
from servefirst.payments.refund_models import Refund
from servefirst.payments.refund_rules import TAKING, RefundStatus

if TYPE_CHECKING:
    from servefirst.db.uow import UnitOfWork


class RefundRepository:
    """The refunds of the unit of work's merchant, in its transaction."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def payment(self, payment_id: str) -> Payment:
        payment = self._uow.session.get(Payment, (self._uow.merchant, payment_id))
        if payment is None:
            raise NotFound(f"No such payment: '{payment_id}'.", param="payment_id")
        return payment

    def get(self, refund_id: str) -> Refund | None:
        return self._uow.session.get(Refund, (self._uow.merchant, refund_id))

    def held(self, refund_id: str) -> Refund | None:
        """The refund read again, locked (its tab held first, as every
        change of a tab's refunds): what another transaction wrote before
        the lock is seen, not the session's older copy."""
        return self._uow.session.get(
            Refund, (self._uow.merchant, refund_id), with_for_update=True, populate_existing=True
        )

    def by_reference(self, reference: str) -> Refund | None:
        """The refund the processor knows as ``reference`` (its own id)."""
        return self._uow.session.scalars(
            select(Refund).where(
                Refund.merchant_id == self._uow.merchant, Refund.gateway_reference == reference
            )
        ).first()

    def of_payment(self, payment_id: str) -> list[Refund]:
        """The payment's refunds, oldest first."""
        return list(
            self._uow.session.scalars(
                select(Refund)
                .where(Refund.merchant_id == self._uow.merchant, Refund.payment_id == payment_id)
                .order_by(Refund.created_at, Refund.refund_id)
            )
        )

    def succeeded_of(self, payment_ids: list[str]) -> list[Refund]:
        """The refunds of these payments (one tab's) that gave money back, in
        the order they were booked (each is settled in the transaction that
        posts its entry). By payment: what the refunds' index is on."""
        if not payment_ids:
            return []
        return list(
            self._uow.session.scalars(
                select(Refund)
                .where(
                    Refund.merchant_id == self._uow.merchant,
                    Refund.payment_id.in_(payment_ids),
                    Refund.status == RefundStatus.SUCCEEDED.value,
                )
                .order_by(Refund.settled_at, Refund.created_at, Refund.refund_id)
            )
        )

    def taken(self, payment_id: str) -> list[tuple[int, int]]:
        """(amount, tip) of the payment's refunds that hold their share (not failed)."""
        rows = self._uow.session.execute(
            select(Refund.amount, Refund.tip).where(
                Refund.merchant_id == self._uow.merchant,
                Refund.payment_id == payment_id,
                Refund.status.in_(TAKING),
            )
        )
        return [(int(amount), int(tip)) for amount, tip in rows]

    def given_back_since(self, tab_id: str, since: datetime) -> int:
        """What the tab's refunds asked for at or after ``since`` gave back
        in all (bill and tip): the business giving the money again."""
        given = self._uow.session.scalar(
            select(func.sum(Refund.amount + Refund.tip)).where(
                Refund.merchant_id == self._uow.merchant,
                Refund.tab_id == tab_id,
                Refund.status == RefundStatus.SUCCEEDED.value,
                Refund.created_at >= since,
            )
        )
        return int(given or 0)

    def add(self, row: dict[str, Any]) -> Refund:
        return insert_object(self._uow, Refund, row)

    def settle(self, refund: Refund, **values: Any) -> None:
        """Write the refund's outcome (status, reference, when): one UPDATE."""
        update_object(self._uow, refund, **values)

    def note_why_pending(self, refund: Refund, failure_code: str | None) -> None:
        """Keep why a refund still pending is not finished (a key the processor
        refused: ``refund_rules.why_still_pending``): one UPDATE."""
        update_object(self._uow, refund, failure_code=failure_code)

    def pending_before(self, cutoff: datetime, *, limit: int = 100) -> list[tuple[str, str]]:
        """(merchant, refund) of refunds still pending, made at or before
        ``cutoff``, across merchants (recovery's read-only look), oldest first."""
        rows = self._uow.session.execute(
            select(Refund.merchant_id, Refund.refund_id)
            .where(Refund.status == RefundStatus.PENDING.value, Refund.created_at <= cutoff)
            .order_by(Refund.created_at)
            .limit(limit)
        )
        return [(merchant, refund) for merchant, refund in rows]

    def refunded_by_method(self) -> dict[str, tuple[int, int]]:
        """method -> (amount, tip) given back by succeeded refunds (the cash-flow report)."""
        rows = self._uow.session.execute(
            select(Refund.method, func.sum(Refund.amount), func.sum(Refund.tip))
            .where(
                Refund.merchant_id == self._uow.merchant,
                Refund.status == RefundStatus.SUCCEEDED.value,
            )
            .group_by(Refund.method)
        )
        return {method: (int(a or 0), int(t or 0)) for method, a, t in rows}

    def returned_by_method(self) -> dict[str, tuple[int, int]]:
        """method -> (amount, tip) of refunds that went through, were booked
        (their entry kept) and then failed: the money came back to the
        business, in a reversing entry the cash-flow report must not count
        as new takings."""
        rows = self._uow.session.execute(
            select(Refund.method, func.sum(Refund.amount), func.sum(Refund.tip))
            .where(
                Refund.merchant_id == self._uow.merchant,
                Refund.status == RefundStatus.FAILED.value,
                Refund.entry_id.is_not(None),
            )
            .group_by(Refund.method)
        )
        return {method: (int(a or 0), int(t or 0)) for method, a, t in rows}

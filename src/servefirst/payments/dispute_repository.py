"""Where disputes are kept: the SQL of ``payments.disputes`` and what a refund
or a void reads of them (``dispute_rules``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, select

from servefirst.payments.dispute_rules import Disputed
from servefirst.payments.models import Dispute

if TYPE_CHECKING:
    from servefirst.db.uow import UnitOfWork


class DisputeRepository:
    """The disputes of the unit of work's merchant, in its transaction."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def get(self, dispute_id: str, *, lock: bool = False) -> Dispute | None:
        return self._uow.session.get(
            Dispute, (self._uow.merchant, dispute_id), with_for_update=lock
        )

    def newest_first(self) -> list[Dispute]:
        return list(
            self._uow.session.scalars(
                select(Dispute)
                .where(Dispute.merchant_id == self._uow.merchant)
                .order_by(Dispute.created_at.desc(), Dispute.dispute_id)
            )
        )

    def of_payment(self, payment_id: str) -> list[Disputed]:
        """The payment's disputes, whatever their status (by the disputes'
        payment index)."""
        return self._read(Dispute.payment_id == payment_id)

    def of_tab(self, tab_id: str) -> list[Disputed]:
        """The disputes of the tab's payments, whatever their status."""
        return self._read(Dispute.tab_id == tab_id, Dispute.payment_id.is_not(None))

    def _read(self, *where: ColumnElement[bool]) -> list[Disputed]:
        rows = self._uow.session.execute(
            select(Dispute.dispute_id, Dispute.payment_id, Dispute.status, Dispute.amount)
            .where(Dispute.merchant_id == self._uow.merchant, *where)
            .order_by(Dispute.dispute_id)
        )
        return [
            Disputed(dispute_id, payment_id or "", status, int(amount))
            for dispute_id, payment_id, status, amount in rows
        ]

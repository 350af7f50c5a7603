"""Where disputes are kept: the SQL of ``payments.disputes`` and what a refund
or a void reads of them (``dispute_rules``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, func, select

from servefirst.payments.dispute_rules import Disputed, DisputeStatus
from servefirst.payments.models import Dispute, Payment

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

    def payment_of(self, dispute: Dispute) -> Payment | None:
        """The disputed payment, when the processor's event named one of ours."""
        if dispute.payment_id is None:
            return None
        return self._uow.session.get(Payment, (self._uow.merchant, dispute.payment_id))

    def payment(self, payment_id: str) -> Payment | None:
        return self._uow.session.get(Payment, (self._uow.merchant, payment_id))

    def lost_by_payment(self, tab_id: str) -> dict[str, int]:
        """What the lost disputes of each of the tab's payments disputed, by payment id."""
        rows = self._uow.session.execute(
            select(Dispute.payment_id, func.sum(Dispute.amount))
            .where(
                Dispute.merchant_id == self._uow.merchant,
                Dispute.tab_id == tab_id,
                Dispute.status == DisputeStatus.LOST.value,
                Dispute.payment_id.is_not(None),
            )
            .group_by(Dispute.payment_id)
        )
        return {str(payment_id): int(amount or 0) for payment_id, amount in rows}

    def lost_parts(self, payment_id: str, *, besides: str) -> list[tuple[int, int]]:
        """(bill, tip) the payment's other lost disputes took: what a refund's
        ``taken`` is to what is left of it."""
        rows = self._uow.session.execute(
            select(Dispute.bill_lost, Dispute.tip_lost).where(
                Dispute.merchant_id == self._uow.merchant,
                Dispute.payment_id == payment_id,
                Dispute.status == DisputeStatus.LOST.value,
                Dispute.dispute_id != besides,
            )
        )
        return [(int(bill), int(tip)) for bill, tip in rows]

    def lost_of_booking(self, booking_id: str, *, besides: str) -> int:
        """What the booking's other lost disputes took (of its deposit or fees)."""
        taken = self._uow.session.scalar(
            select(func.coalesce(func.sum(Dispute.bill_lost), 0)).where(
                Dispute.merchant_id == self._uow.merchant,
                Dispute.booking_id == booking_id,
                Dispute.status == DisputeStatus.LOST.value,
                Dispute.dispute_id != besides,
            )
        )
        return int(taken or 0)

    def lost_of_deposits(self, tab_id: str) -> int:
        """What lost disputes of deposits applied to the tab took of its bill
        (a late move's fee they took too is not the bill's)."""
        taken = self._uow.session.scalar(
            select(func.coalesce(func.sum(Dispute.bill_lost - Dispute.fee_lost), 0)).where(
                Dispute.merchant_id == self._uow.merchant,
                Dispute.tab_id == tab_id,
                Dispute.booking_id.is_not(None),
                Dispute.status == DisputeStatus.LOST.value,
            )
        )
        return int(taken or 0)

    def booked(self, dispute: Dispute, *, bill: int, tip: int, entry_id: str) -> None:
        """The loss booked: its parts and its journal entry, kept with the dispute."""
        dispute.bill_lost, dispute.tip_lost, dispute.entry_id = bill, tip, entry_id
        self._uow.session.flush()

    def won_back(self, dispute: Dispute, *, entry_id: str) -> None:
        """The loss booked back: the entry that undid it, kept with the dispute."""
        dispute.won_back_entry_id = entry_id
        self._uow.session.flush()

    def won_back_totals(self) -> tuple[int, int]:
        """(bill, tip) all the losses booked back gave back (the cash-flow report)."""
        return self._totals(Dispute.won_back_entry_id.is_not(None))

    def lost_totals(self) -> tuple[int, int]:
        """(bill, tip) all the merchant's lost disputes took (the cash-flow report)."""
        return self._totals(Dispute.status == DisputeStatus.LOST.value)

    def _totals(self, which: ColumnElement[bool]) -> tuple[int, int]:
        bill, tip = self._uow.session.execute(
            select(
                func.coalesce(func.sum(Dispute.bill_lost), 0),
                func.coalesce(func.sum(Dispute.tip_lost), 0),
            ).where(Dispute.merchant_id == self._uow.merchant, which)
        ).one()
        return int(bill), int(tip)

    def lost_by_tab(self) -> dict[str, tuple[int, int]]:
        """(bill, tip) the lost disputes of each tab took; a tab without any is
        left out. Lost disputes are few, so all of them are read at once
        rather than a period's tabs named one by one (the earnings report)."""
        rows = self._uow.session.execute(
            select(
                Dispute.tab_id,
                func.sum(Dispute.bill_lost - Dispute.fee_lost),
                func.sum(Dispute.tip_lost),
            )
            .where(
                Dispute.merchant_id == self._uow.merchant,
                Dispute.status == DisputeStatus.LOST.value,
                Dispute.tab_id.is_not(None),
            )
            .group_by(Dispute.tab_id)
        )
        return {str(tab_id): (int(bill or 0), int(tip or 0)) for tab_id, bill, tip in rows}

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

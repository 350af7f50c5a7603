"""Where a merge of two customers writes on the customers' side: referrals
move, the duplicate's row is removed and the merge is remembered
(``customer_merges``). Each feature moves its own rows (``move_customer``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from servefirst.customers.models import Customer, CustomerMerge
from servefirst.db.direct import move_rows

if TYPE_CHECKING:
    from servefirst.db.uow import UnitOfWork


class MergeRepository:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def merged_into(self, merged_id: str) -> str | None:
        """Where a duplicate went, if it was merged."""
        return self._uow.session.scalar(
            select(CustomerMerge.into_id).where(
                CustomerMerge.merchant_id == self._uow.merchant,
                CustomerMerge.merged_id == merged_id,
            )
        )

    def move_referrals(self, merged_id: str, into_id: str) -> int:
        """Customers the duplicate referred now name the customer kept."""
        return move_rows(self._uow, Customer.referred_by, merged_id, into_id)

    def remove(self, merged: Customer, into_id: str, at: datetime) -> None:
        """The duplicate's row goes; the merge is remembered in its place."""
        session = self._uow.session
        session.expunge(merged)
        session.execute(
            delete(Customer).where(
                Customer.merchant_id == self._uow.merchant,
                Customer.customer_id == merged.customer_id,
            )
        )
        session.add(
            CustomerMerge(
                merchant_id=self._uow.merchant,
                merged_id=merged.customer_id,
                into_id=into_id,
                merged_at=at,
            )
        )
        session.flush()

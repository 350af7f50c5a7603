"""The merchant's card processor row, read on the payment path (one SELECT by
primary key, no ORM session)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from sqlalchemy import Table, bindparam, func, select

from servefirst.payments.models import GatewayAccount, Payment
from servefirst.payments.refund_models import Refund

if TYPE_CHECKING:
    from servefirst.db.scope import TransactionScope


@dataclass(frozen=True)
class ProcessorAccount:
    merchant_id: str
    gateway: str
    publishable_key: str | None
    secret_key_sealed: str | None
    webhook_secret_sealed: str | None


class GatewayAccountRepository:
    def __init__(self, uow: TransactionScope) -> None:
        self._uow = uow

    def get(self) -> ProcessorAccount | None:
        """The merchant's choice; None is the sandbox."""
        row = self._uow.connection.execute(_ACCOUNT, {"m": self._uow.merchant}).first()
        return None if row is None else ProcessorAccount(*row)

    def unanswered_at(self, gateway: str) -> int:
        """The merchant's card payments and refunds still waiting on ``gateway``'s answer."""
        m = self._uow.merchant
        payments = select(func.count()).where(
            Payment.merchant_id == m, Payment.gateway == gateway, Payment.status == "pending"
        )
        refunds = select(func.count()).where(
            Refund.merchant_id == m, Refund.gateway == gateway, Refund.status == "pending"
        )
        return sum(int(self._uow.session.scalar(q) or 0) for q in (payments, refunds))


_TABLE = cast(Table, GatewayAccount.__table__)
_ACCOUNT = select(
    _TABLE.c.merchant_id,
    _TABLE.c.gateway,
    _TABLE.c.publishable_key,
    _TABLE.c.secret_key_sealed,
    _TABLE.c.webhook_secret_sealed,
).where(_TABLE.c.merchant_id == bindparam("m"))

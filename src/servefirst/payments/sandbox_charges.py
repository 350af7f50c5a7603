"""The sandbox's own record of its charges, in its own table.

A processor remembers what it charged under each idempotency key; so does
the sandbox, durably, so that after a crash ``payments recover`` can ask it
what became of a pending attempt. Each charge is kept in a short transaction
of its own, never the caller's: the sandbox stands for another system.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Engine, Table, select

from servefirst.db.uow import bind_for
from servefirst.db.upsert import insert_for
from servefirst.kit.money import Money
from servefirst.payments.gateways import Authorization, Charge
from servefirst.payments.models import SandboxCharge

_CHARGES = cast(Table, SandboxCharge.__table__)


@dataclass
class ChargesInTable:
    engine: Engine

    def keep(self, idempotency_key: str, charge: Charge, amount: Money) -> None:
        self._keep(
            {
                "idempotency_key": idempotency_key,
                "reference": charge.reference,
                "amount": amount.amount,
                "currency": amount.currency,
                "card_last4": charge.card_last4,
            }
        )

    def keep_hold(self, idempotency_key: str, hold: Authorization) -> None:
        self._keep(
            {
                "idempotency_key": idempotency_key,
                "reference": hold.reference,
                "amount": hold.amount.amount,
                "currency": hold.amount.currency,
                "card_last4": hold.card_last4,
                "payment_method": hold.payment_method,
                "expires_at": hold.expires_at,
            }
        )

    def _keep(self, row: dict[str, object]) -> None:
        insert = insert_for(self.engine.dialect.name, _CHARGES)
        row["created_at"] = datetime.now(UTC)
        # A retried call under the same key is the same charge: kept once.
        with bind_for(self.engine, write=True).begin() as connection:
            connection.execute(insert.values(row).on_conflict_do_nothing())

    def find(self, idempotency_key: str) -> Charge | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(_CHARGES.c.reference, _CHARGES.c.card_last4).where(
                    _CHARGES.c.idempotency_key == idempotency_key,
                    _CHARGES.c.payment_method.is_(None),  # a charge, not a hold
                )
            ).first()
        return None if row is None else Charge(reference=row.reference, card_last4=row.card_last4)

    def find_hold(self, idempotency_key: str) -> Authorization | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(_CHARGES).where(
                    _CHARGES.c.idempotency_key == idempotency_key,
                    _CHARGES.c.payment_method.is_not(None),
                )
            ).first()
        if row is None:
            return None
        return Authorization(
            reference=row.reference,
            amount=Money(row.amount, row.currency),
            payment_method=row.payment_method,
            card_last4=row.card_last4 or "",
            expires_at=row.expires_at,
        )

"""A claimed key's answer, written in the transaction of the work it answers.

The key itself is claimed in a short transaction of its own (``service.claim``);
what a second send gets back is written here, by the use case, beside the work
(or taken away beside the work's undoing), so the two commit together or not
at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, delete, update

from servefirst.idempotency.models import IdempotencyKey

if TYPE_CHECKING:
    from servefirst.db.scope import TransactionScope
    from servefirst.idempotency.service import Claim


def _the(claim: Claim) -> ColumnElement[bool]:
    return and_(
        IdempotencyKey.merchant_id == claim.merchant_id,
        IdempotencyKey.scope == claim.scope,
        IdempotencyKey.key == claim.key,
    )


class IdempotencyKeyRepository:
    """The claimed keys of the unit of work's transaction."""

    def __init__(self, uow: TransactionScope) -> None:
        self._uow = uow

    def answer(self, claim: Claim, status: int, body: str) -> None:
        """What a second send of the claimed request gets: kept with this
        transaction's work (its rollback forgets the answer, not the claim)."""
        self._uow.session.execute(
            update(IdempotencyKey)
            .where(_the(claim))
            .values(response_status=status, response_body=body)
        )

    def recover_at(self, claim: Claim, point: str) -> None:
        """What the claimed request has kept so far (a booking or a tab, the
        processor yet to be asked), committed with it: a retry after a crash
        lands there (``api.phased``)."""
        self._uow.session.execute(
            update(IdempotencyKey).where(_the(claim)).values(recovery_point=point)
        )

    def forget(self, claim: Claim) -> None:
        """The work the key answered is undone in this transaction (a declined
        deposit takes its booking back): the key is free again, answered or not."""
        self._uow.session.execute(delete(IdempotencyKey).where(_the(claim)))

"""Where receipt numbers come from: one counter row per merchant and year.

Taking a number is one statement that inserts the year's row or adds one to
it, and returns the new number. On PostgreSQL the upsert locks the row until
the transaction ends, so a second payer waits for the first to commit or
roll back: numbers follow one another without a gap, and a payment that
rolls back gives its number back. SQLite serialises writers already
(``BEGIN IMMEDIATE``). The row is the last thing ``settle`` locks (after the
tab, the ledger balances and the customer), so it is held only to commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from sqlalchemy import Table, bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from servefirst.tabs.models import ReceiptCounter

if TYPE_CHECKING:
    from servefirst.db.scope import TransactionScope

_COUNTERS = cast(Table, ReceiptCounter.__table__)


_NEXT = {"merchant_id": bindparam("m"), "year": bindparam("y"), "last_number": 1}
_TAKE_NEXT = {
    dialect: insert_for(_COUNTERS)
    .values(_NEXT)
    .on_conflict_do_update(
        index_elements=[_COUNTERS.c.merchant_id, _COUNTERS.c.year],
        set_={"last_number": _COUNTERS.c.last_number + 1},
    )
    .returning(_COUNTERS.c.last_number)
    for dialect, insert_for in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


class ReceiptCounterRepository:
    """The receipt counters of the unit of work's merchant."""

    def __init__(self, uow: TransactionScope) -> None:
        self._uow = uow

    def take_next(self, year: int) -> int:
        """The next number of ``year`` (1 for the year's first), kept by this
        transaction: its commit keeps it, its rollback gives it back."""
        statement = _TAKE_NEXT[self._uow.dialect]
        number = self._uow.connection.execute(statement, {"m": self._uow.merchant, "y": year})
        return int(number.scalar_one())

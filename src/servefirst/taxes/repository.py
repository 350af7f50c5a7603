"""Where tax rates and tax movements are kept: their SQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, case, func, select

from servefirst.db.direct import insert_into, insert_object
from servefirst.ledger.models import JournalEntryRow, JournalLegRow
from servefirst.ledger.rules import Account
from servefirst.taxes.models import TaxMovement, TaxRate

if TYPE_CHECKING:
    from servefirst.db.uow import UnitOfWork


class TaxRepository:
    """The tax rates and movements of the unit of work's merchant."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def rates(self) -> list[TaxRate]:
        return list(
            self._uow.session.scalars(
                select(TaxRate)
                .where(TaxRate.merchant_id == self._uow.merchant)
                .order_by(TaxRate.created_at, TaxRate.rate_id)
            )
        )

    def rate(self, rate_id: str) -> TaxRate | None:
        return self._uow.session.get(TaxRate, (self._uow.merchant, rate_id))

    def rate_named(self, name: str) -> TaxRate | None:
        return self._uow.session.scalar(
            select(TaxRate).where(TaxRate.merchant_id == self._uow.merchant, TaxRate.name == name)
        )

    def add_rate(self, row: dict[str, Any]) -> TaxRate:
        return insert_object(self._uow, TaxRate, row)

    def add_movements(self, rows: list[dict[str, Any]]) -> None:
        """One INSERT for all the rates one entry moved."""
        if rows:
            self._uow.connection.execute(insert_into(_MOVEMENTS), rows)

    def movements_of(self, entry_ids: list[str]) -> list[tuple[str, str, str, int, int]]:
        """(entry, rate, percent, net, tax) of what these entries moved, by
        entry and rate: one query for all the refunds of a receipt."""
        if not entry_ids:
            return []
        m = TaxMovement
        rows = self._uow.session.execute(
            select(m.entry_id, m.rate_id, m.percent, m.net, m.tax)
            .where(m.merchant_id == self._uow.merchant, m.entry_id.in_(entry_ids))
            .order_by(m.entry_id, m.rate_id)
        )
        return [(e, r, p, int(n), int(t)) for e, r, p, n, t in rows]

    def totals_by_rate(self, start: datetime, end: datetime) -> list[tuple[str, str, int, int]]:
        """(rate, percent, net, tax) moved by the entries of [start, end), by rate."""
        rows = self._uow.session.execute(
            select(
                TaxMovement.rate_id,
                TaxMovement.percent,
                func.sum(TaxMovement.net),
                func.sum(TaxMovement.tax),
            )
            .join(
                JournalEntryRow,
                (JournalEntryRow.merchant_id == TaxMovement.merchant_id)
                & (JournalEntryRow.entry_id == TaxMovement.entry_id),
            )
            .where(
                TaxMovement.merchant_id == self._uow.merchant,
                JournalEntryRow.created_at >= start,
                JournalEntryRow.created_at < end,
            )
            .group_by(TaxMovement.rate_id, TaxMovement.percent)
            .order_by(TaxMovement.rate_id)
        )
        return [(r, p, int(n or 0), int(t or 0)) for r, p, n, t in rows]

    def movements_between(
        self, start: datetime, end: datetime, batch: int
    ) -> Iterator[tuple[str, str, int, int]]:
        """(entry, rate, net, tax) of every movement of the entries of [start,
        end), in the ledger's posting order (the order ``legs_between`` reads
        the legs in, so an export walks both side by side), ``batch`` rows per
        fetch: a year of movements is never a list."""
        e, m = JournalEntryRow, TaxMovement
        query = (
            select(m.entry_id, m.rate_id, m.net, m.tax)
            .join(e, (e.merchant_id == m.merchant_id) & (e.entry_id == m.entry_id))
            .where(m.merchant_id == self._uow.merchant, e.created_at >= start, e.created_at < end)
            .order_by(e.created_at, e.entry_id, m.rate_id)
        )
        result = self._uow.session.execute(query, execution_options={"yield_per": batch})
        for entry_id, rate_id, net, tax in result:
            yield entry_id, rate_id, int(net), int(tax)

    def tax_payable_moved(self, start: datetime, end: datetime) -> int:
        """What the ledger's tax payable grew by in [start, end) (credits less debits)."""
        moved = self._uow.session.scalar(
            select(
                func.coalesce(
                    func.sum(
                        case(
                            (JournalLegRow.side == "credit", JournalLegRow.amount),
                            else_=-JournalLegRow.amount,
                        )
                    ),
                    0,
                )
            )
            .join(
                JournalEntryRow,
                (JournalEntryRow.merchant_id == JournalLegRow.merchant_id)
                & (JournalEntryRow.entry_id == JournalLegRow.entry_id),
            )
            .where(
                JournalLegRow.merchant_id == self._uow.merchant,
                JournalLegRow.account == Account.TAX_PAYABLE.value,
                JournalEntryRow.created_at >= start,
                JournalEntryRow.created_at < end,
            )
        )
        return int(moved or 0)


_MOVEMENTS = cast(Table, TaxMovement.__table__)

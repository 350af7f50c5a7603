"""One column of the merchant's rows of a table, by their ids: the small read
other features ask of a feature ("the names of these services", "the status
of these tabs"), in one query, without reaching into its model themselves."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

if TYPE_CHECKING:
    from servefirst.db.scope import TransactionScope

T = TypeVar("T")


def column_by_id(
    uow: TransactionScope,
    id_column: InstrumentedAttribute[str],
    column: InstrumentedAttribute[T],
    ids: Collection[str],
) -> dict[str, T]:
    """``column`` of each of the merchant's rows whose ``id_column`` is in
    ``ids``, by id (an id with no row is left out)."""
    if not ids:
        return {}
    model: Any = id_column.class_
    rows = uow.session.execute(
        select(id_column, column).where(model.merchant_id == uow.merchant, id_column.in_(ids))
    )
    return {key: value for key, value in rows}

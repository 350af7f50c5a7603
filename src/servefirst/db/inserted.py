"""A row inserted with plain SQL, then held by the session as if it were loaded.

The ORM's flush is the dearest way to insert one row (its unit-of-work sort,
its bookkeeping, a statement built per flush). On the hot path a use case
inserts the row itself and hands the session the object the row describes,
persistent and clean, so later changes to it in the same transaction are
flushed as UPDATEs and ``session.get`` finds it without a query.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar, cast

from sqlalchemy import Executable, Table, insert
from sqlalchemy.orm import make_transient_to_detached

from servefirst.db.base import Base
from servefirst.db.uow import UnitOfWork

M = TypeVar("M", bound=Base)


def attach(uow: UnitOfWork, obj: M) -> M:
    """``obj``, whose row is already in the database, as a persistent object of
    the session. Every column must be set: one left out would be loaded by a
    query on first use."""
    make_transient_to_detached(obj)
    uow.session.add(obj)
    return obj


def insert_object(uow: UnitOfWork, model: type[M], row: dict[str, Any]) -> M:
    """Insert ``row`` into ``model``'s table (one statement, compiled once) and
    return the object, attached."""
    uow.connection.execute(_insert(cast(Table, model.__table__)), row)
    return attach(uow, model(**row))


@cache
def _insert(table: Table) -> Executable:
    return insert(table)

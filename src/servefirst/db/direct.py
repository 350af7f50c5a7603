"""Rows written with plain SQL while the session's objects say the same.

The ORM's flush is the dearest way to write one row (its unit-of-work sort and
bookkeeping cost more than the statement). A repository of a hot aggregate
writes the row itself and the session's object takes the values as if they
had been loaded: an inserted object is persistent and clean (later changes to
it are flushed as UPDATEs, ``session.get`` finds it without a query), an
updated one carries the new values with nothing left to flush. Used by
repositories only (``tabs.repository``, ``customers.repository``).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import Executable, Table, and_, bindparam, insert, inspect, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from servefirst.db.base import Base

if TYPE_CHECKING:
    from servefirst.db.scope import TransactionScope

M = TypeVar("M", bound=Base)


def attach(uow: TransactionScope, obj: M) -> M:
    """``obj``, whose row is already in the database, as a persistent object of
    the session. Every column must be set: one left out would be loaded by a
    query on first use."""
    make_transient_to_detached(obj)
    uow.session.add(obj)
    return obj


def insert_object(uow: TransactionScope, model: type[M], row: dict[str, Any]) -> M:
    """Insert ``row`` into ``model``'s table (one statement, compiled once) and
    return the object, attached."""
    uow.connection.execute(insert_into(cast(Table, model.__table__)), row)
    return attach(uow, model(**row))


@cache
def insert_into(table: Table) -> Executable:
    """A plain INSERT of ``table``'s row(s), built once: its compiled form is
    then found in SQLAlchemy's cache without building a statement each time."""
    return insert(table)


def update_object(uow: TransactionScope, obj: Base, **values: Any) -> None:
    """Set ``values`` on ``obj``'s row (one UPDATE by primary key, compiled
    once per set of columns) and on ``obj``, as committed values: the ORM has
    nothing left to write for them. Other changes pending on ``obj`` stay
    pending and are flushed as usual."""
    state = inspect(obj)
    if state.identity is None:
        raise ValueError("update_object needs an object whose row exists (persistent)")
    table = cast(Table, state.mapper.local_table)
    keys = {f"k_{c.name}": v for c, v in zip(state.mapper.primary_key, state.identity, strict=True)}
    statement = _update(table, tuple(values))
    uow.connection.execute(statement, keys | {f"v_{k}": v for k, v in values.items()})
    mark_written(obj, **values)


def mark_written(obj: Base, **values: Any) -> None:
    """``values`` on ``obj`` as committed values: what its row already says
    (written by a statement of its own), with nothing left to flush."""
    for name, value in values.items():
        set_committed_value(obj, name, value)


@cache
def _update(table: Table, columns: tuple[str, ...]) -> Executable:
    where = and_(*(c == bindparam(f"k_{c.name}") for c in table.primary_key))
    return update(table).where(where).values({c: bindparam(f"v_{c}") for c in columns})


def move_rows(uow: TransactionScope, column: Any, old: str, new: str) -> int:
    """Set ``column`` from ``old`` to ``new`` on every row of the unit of work's
    merchant (one UPDATE, nothing loaded): how a merge of two customers moves
    what each feature keeps of the duplicate. Returns how many rows moved."""
    table = column.class_
    result = uow.session.execute(
        update(table)
        .where(table.merchant_id == uow.merchant, column == old)
        .values({column.key: new})
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)

"""Rows written when the unit of work commits: history nobody reads back meanwhile.

The event outbox and the trust history are append-only, and no use case reads
its own rows back before it commits. So instead of a round trip each as they
happen, a unit of work keeps them and writes them just before its commit,
after the session's own changes (an event may name a row only added to the
session). On PostgreSQL all the rows go in one statement, an INSERT
carrying the others as CTEs (a payment's trust event rides with its events);
SQLite allows no INSERT inside WITH, so there it is one INSERT a table (no
round trip there anyway).

A read of such a table in a writing unit of work calls ``write_appended``
first, so it sees its own rows too (``events.service.recent``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Executable, Table, bindparam, insert

from servefirst.db.direct import insert_into
from servefirst.db.uow import UnitOfWork


def append(uow: UnitOfWork, table: Table, row: dict[str, Any]) -> None:
    """Write ``row`` into ``table`` when ``uow`` commits (or a read asks first)."""
    uow.appended.setdefault(table, []).append(row)
    uow.before_commit(write_appended)


def write_appended(uow: UnitOfWork) -> None:
    """Write what was appended so far: on PostgreSQL in one statement."""
    if not uow.appended:
        return
    uow.flush()  # the session's rows first: an appended row may refer to one
    batches = list(uow.appended.items())
    uow.appended.clear()
    if uow.dialect == "postgresql":
        each = [(table, row) for table, rows in batches for row in rows]
        shape = tuple((table, tuple(row)) for table, row in each)
        params = {
            f"a{n}_{column}": value
            for n, (_, row) in enumerate(each)
            for column, value in row.items()
        }
        uow.connection.execute(_one_statement(shape), params)
        return
    for table, rows in batches:
        uow.connection.execute(insert_into(table), rows)


@cache
def _one_statement(shape: tuple[tuple[Table, tuple[str, ...]], ...]) -> Executable:
    """An INSERT per row, all but the last as CTEs of the last; built once per
    shape (which tables, which columns, how many rows: a handful in all) and
    compiled once, as SQLAlchemy caches it. A row each, not a multi-row VALUES
    a table: SQLAlchemy cannot cache a multi-row VALUES, and would compile it
    again on every commit. The parameters are named ``a<row>_<column>``."""
    inserts = [
        insert(table).values(
            {column: bindparam(f"a{n}_{column}", type_=table.c[column].type) for column in columns}
        )
        for n, (table, columns) in enumerate(shape)
    ]
    statement = inserts[-1]
    for n, earlier in enumerate(inserts[:-1]):
        statement = statement.add_cte(earlier.cte(f"appended_{n}"))
    return statement

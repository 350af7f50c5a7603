"""psycopg cursors that describe a result only when the description is read.

SQLAlchemy asks for ``cursor.description`` after every statement that returns
rows, but for a statement it has run before it only checks that there is one:
the result's columns are cached with the compiled statement. psycopg builds a
``Column`` for every column on each ask, several Python calls a column, and a
settled tab's statements return many columns: a sizeable share of the tab's
Python work on PostgreSQL goes on descriptions nobody reads.

Here the description is a sequence that builds those columns the first time
one is read, from the result it was asked for (so it stays right after the
cursor has moved on to another statement, as psycopg's own list does).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import psycopg
from psycopg import Column
from psycopg.adapt import AdaptersMap
from psycopg.pq.abc import PGresult


class LazyDescriptionCursor(psycopg.Cursor[Any]):
    """A psycopg cursor whose ``description`` is built on first read."""

    @property
    def description(self) -> list[Column] | None:
        result = self.pgresult
        if result is None or not result.nfields:
            # No result, or one without columns: psycopg decides (None, or []
            # for a query like "SELECT ;").
            return super().description
        # Typed as psycopg's list; a read-only sequence of the same columns.
        return _Description(_Described(result, self._encoding, self.adapters))  # type: ignore[return-value]


class _Described:
    """What ``psycopg.Column`` reads from its cursor, taken when the
    description was asked for: the result, its encoding and type adapters."""

    __slots__ = ("pgresult", "_encoding", "adapters")

    def __init__(self, pgresult: PGresult, encoding: str, adapters: AdaptersMap) -> None:
        self.pgresult = pgresult
        self._encoding = encoding
        self.adapters = adapters


class _Description(Sequence[Column]):
    __slots__ = ("_described", "_columns")

    def __init__(self, described: _Described) -> None:
        self._described = described
        self._columns: list[Column] | None = None

    def _built(self) -> list[Column]:
        if self._columns is None:
            described = self._described
            self._columns = [
                Column(described, i)  # type: ignore[arg-type]
                for i in range(described.pgresult.nfields)
            ]
        return self._columns

    def __len__(self) -> int:
        return self._described.pgresult.nfields

    @overload
    def __getitem__(self, index: int) -> Column: ...
    @overload
    def __getitem__(self, index: slice) -> list[Column]: ...
    def __getitem__(self, index: int | slice) -> Column | list[Column]:
        return self._built()[index]

    def __iter__(self) -> Iterator[Column]:
        return iter(self._built())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Description):
            other = other._built()
        return self._built() == other

    __hash__ = None  # type: ignore[assignment]  # a list's: unhashable

    def __repr__(self) -> str:
        return repr(self._built())

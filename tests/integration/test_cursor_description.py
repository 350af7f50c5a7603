"""The driver cursor's description (built only when read on PostgreSQL,
``server.pg_cursor``) says what psycopg's own would, whenever it is read."""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg

from servefirst.runtime import Runtime
from servefirst.server.pg_cursor import LazyDescriptionCursor

WIDE = "SELECT 1 AS one, 'two' AS two, 3.5 AS three, NULL AS four"


def _columns(description: Any) -> list[tuple[Any, ...]]:
    """Each column's seven DB-API fields."""
    return [tuple(column) for column in description]


def test_a_description_read_late_describes_its_own_statement(runtime: Runtime) -> None:
    raw = runtime.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(WIDE)
        described = cursor.description
        cursor.fetchall()
        cursor.execute("SELECT 'other' AS other")  # the cursor moves on
        assert [column[0] for column in described] == ["one", "two", "three", "four"]
        assert len(described) == 4 and described[1][0] == "two"
        assert [column[0] for column in described[2:]] == ["three", "four"]
        assert [column[0] for column in cursor.description] == ["other"]
        cursor.execute("CREATE TEMPORARY TABLE scratch (n integer)")
        assert cursor.description is None  # no rows, no description
        cursor.close()
    finally:
        raw.rollback()
        raw.close()


def test_on_postgresql_the_lazy_description_equals_psycopgs_own(runtime: Runtime) -> None:
    if runtime.engine.dialect.name != "postgresql":
        # SQLite's driver builds its description in C; nothing of ours runs.
        raw = runtime.engine.raw_connection()
        assert type(raw.driver_connection.cursor()) is sqlite3.Cursor
        raw.close()
        return
    raw = runtime.engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert isinstance(driver, psycopg.Connection)
        lazy = driver.cursor()
        assert isinstance(lazy, LazyDescriptionCursor)
        eager = psycopg.Cursor(driver)
        for cursor in (lazy, eager):
            cursor.execute(WIDE + ", now() AS five, 'x'::varchar(8) AS six")
        assert _columns(lazy.description) == _columns(eager.description)
        assert [c.type_code for c in lazy.description] == [c.type_code for c in eager.description]
        lazy.execute("SELECT")  # a result without columns: psycopg's answer
        eager.execute("SELECT")
        assert lazy.description == eager.description == []
    finally:
        raw.rollback()
        raw.close()

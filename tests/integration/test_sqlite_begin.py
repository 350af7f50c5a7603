"""How a SQLite engine of servefirst's begins its transactions.

A reader begins DEFERRED (a snapshot, no lock on writers); a writer takes the
writer's turn and begins IMMEDIATE, so it holds the write lock from its first
statement and two writers queue instead of deadlocking on the upgrade from
reading to writing. Both are said by the dialect rather than by an event
listener, which would put every statement of every request on SQLAlchemy's
event path.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from servefirst.db.engine import make_engine, writing
from servefirst.db.uow import bind_for


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'begin.db'}")
    with bind_for(engine, write=True).begin() as conn:
        conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY)"))
    yield engine
    engine.dispose()


@pytest.fixture
def other(engine: Engine) -> Iterator[sqlite3.Connection]:
    """Another process's connection, which will not wait for a lock."""
    conn = sqlite3.connect(str(engine.url.database), timeout=0, isolation_level=None)
    yield conn
    conn.close()


def test_a_writer_holds_the_write_lock_from_its_first_read(
    engine: Engine, other: sqlite3.Connection
) -> None:
    with bind_for(engine, write=True).connect() as conn:
        conn.execute(text("SELECT count(*) FROM notes"))
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        conn.rollback()
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")


def test_a_reader_reads_one_snapshot_and_leaves_writers_free(
    engine: Engine, other: sqlite3.Connection
) -> None:
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM notes")).scalar() == 0
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO notes DEFAULT VALUES")
        other.execute("COMMIT")
        assert conn.execute(text("SELECT count(*) FROM notes")).scalar() == 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM notes")).scalar() == 1


def test_the_server_s_statements_stay_off_sqlalchemy_s_event_path(engine: Engine) -> None:
    # SQLAlchemy's own test before it looks for listeners around each statement.
    assert not engine._has_events
    assert not writing(engine)._has_events
    assert writing(engine).pool is engine.pool

"""Engine creation for SQLite (default, a WAL file) and PostgreSQL (psycopg 3).

The numbers (pool sizes, SQLite's busy timeout, the pool's recycling) come from
``config.Settings``.
"""

from __future__ import annotations

import copy
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from servefirst.config import Settings


def normalize_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use psycopg 3 for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str, settings: Settings | None = None, **kwargs: Any) -> Engine:
    """An engine on ``url``, tuned by ``settings`` (unset: read from the environment)."""
    url = normalize_url(url)
    tuning = settings or Settings(database_url=url)
    parsed = make_url(url)
    kwargs.setdefault("pool_size", tuning.db_pool_size)
    kwargs.setdefault("max_overflow", tuning.db_max_overflow)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, tuning.sqlite_busy_timeout_ms, **kwargs)
    kwargs.setdefault("pool_recycle", tuning.pg_pool_recycle_seconds)
    return create_engine(url, **kwargs)


def _sqlite_engine(url: str, busy_timeout_ms: int, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    kwargs.setdefault("connect_args", {})["check_same_thread"] = False
    if not parsed.database or parsed.database == ":memory:":
        raise ValueError("servefirst needs a SQLite file, not :memory: (WAL and threads)")
    engine = create_engine(url, **kwargs)
    writer = WriterTurn(engine, busy_timeout_ms)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy (not the driver) decide when transactions begin, so a
        # writer can say BEGIN IMMEDIATE and take the write lock up front: two
        # writers then queue on busy_timeout instead of deadlocking on upgrade.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cur.close()

    # The dialect begins each transaction, not a "begin" event listener: any
    # connection event puts every statement of every request on SQLAlchemy's
    # event path. Reads begin DEFERRED; ``writing(engine)`` begins IMMEDIATE.
    engine.dialect.do_begin = _begin_deferred  # type: ignore[method-assign,assignment]
    _turns[engine] = writer
    return engine


def _begin_deferred(dbapi_conn: Any) -> None:
    _raw(dbapi_conn).execute("BEGIN DEFERRED")


_turns: weakref.WeakKeyDictionary[Engine, WriterTurn] = weakref.WeakKeyDictionary()
_writers: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def writing(engine: Engine) -> Engine:
    """The engine a writing transaction binds to. On a SQLite engine of
    ``make_engine``: the same pool, but each transaction takes the writer's
    turn and begins IMMEDIATE, so two writers queue for the lock instead of
    deadlocking on upgrade. Elsewhere (PostgreSQL locks rows) the engine itself."""
    writer = _writers.get(engine)
    if writer is None:
        turn = _turns.get(engine)
        if turn is None:
            return engine
        writer = _writers[engine] = _immediate(engine, turn)
    return writer


def _immediate(engine: Engine, turn: WriterTurn) -> Engine:
    """``engine`` with a dialect of its own whose transactions begin
    IMMEDIATE in the writer's turn. An option engine shares its parent's pool
    and statement cache; SQLAlchemy begins through ``engine.dialect``, so a copy
    of the dialect is where a writer's begin can differ from a reader's."""
    # The dialect learns the SQLite version (RETURNING...) on its first
    # connection: copy it only after that.
    engine.connect().close()

    def begin_immediate(dbapi_conn: Any) -> None:
        raw = _raw(dbapi_conn)
        turn.take(raw)
        try:
            raw.execute("BEGIN IMMEDIATE")
        except BaseException:
            turn.give_back(raw)
            raise

    dialect = copy.copy(engine.dialect)
    dialect.do_begin = begin_immediate  # type: ignore[method-assign,assignment]
    writer = engine.execution_options()
    writer.dialect = dialect
    return writer


#: The writer turn this process shares with the other workers of one
#: ``servefirst serve --workers N`` (a process-shared lock), or None.
_shared_turn: Any = None


def share_writer_turn(lock: Any) -> None:
    """Make this process's SQLite engines also take ``lock``, a process-shared
    lock the server hands each of its workers: writers in every worker then
    queue on one lock and are woken as soon as it is given back, instead of
    meeting in SQLite's busy handler, which polls (naps of up to 100 ms)."""
    global _shared_turn
    _shared_turn = lock


class WriterTurn:
    """One writing transaction at a time in this process, first come first served.

    SQLite lets one writer in; the others wait in its busy handler, which
    sleeps and polls (up to 100 ms a nap), so a writer can lose the lock again
    and again to luckier ones, and the p99 reaches seconds. Waiting on a lock of
    our own instead hands the turn over the moment the commit is done. The
    lock is taken before ``BEGIN IMMEDIATE`` and given back after the COMMIT
    or ROLLBACK reached the database (the dialect's ``do_commit`` and
    ``do_rollback``, which the pool also uses when a connection comes back).
    The workers of one server share a second, process-wide turn as well
    (``share_writer_turn``). ``BEGIN IMMEDIATE`` and busy_timeout still guard
    against any other process (a CLI command), and a writer that waited
    its busy timeout for its turn goes on without it (to the busy
    handler), so a mistake can never hang a thread.
    """

    def __init__(self, engine: Engine, busy_timeout_ms: int) -> None:
        self._patience = busy_timeout_ms / 1000
        self._lock = threading.Lock()
        self._shared = _shared_turn
        self._holder: Any = None  # the DBAPI connection whose transaction holds the turn
        dialect = engine.dialect
        commit, rollback = dialect.do_commit, dialect.do_rollback

        def do_commit(dbapi_conn: Any) -> None:
            try:
                commit(dbapi_conn)
            finally:
                self.give_back(dbapi_conn)

        def do_rollback(dbapi_conn: Any) -> None:
            try:
                rollback(dbapi_conn)
            finally:
                self.give_back(dbapi_conn)

        dialect.do_commit = do_commit  # type: ignore[method-assign,assignment]
        dialect.do_rollback = do_rollback  # type: ignore[method-assign,assignment]

    def take(self, dbapi_conn: Any) -> None:
        patience = self._patience
        began = time.monotonic()
        if not self._lock.acquire(timeout=patience):
            return
        if self._shared is not None:
            # This process's turn first, then the server's: one thread per
            # worker waits on the shared lock, never a crowd of them.
            left = max(patience - (time.monotonic() - began), 0.0)
            if not self._shared.acquire(timeout=left):
                self._lock.release()
                return
        self._holder = dbapi_conn

    def give_back(self, conn: Any) -> None:
        if self._holder is not None and self._holder is _raw(conn):
            self._holder = None
            if self._shared is not None:
                self._shared.release()
            self._lock.release()


def _raw(conn: Any) -> Any:
    """The DBAPI connection under the pool's proxy (SQLAlchemy hands either)."""
    return getattr(conn, "dbapi_connection", None) or conn


def is_sqlite_url(url: str) -> bool:
    return make_url(normalize_url(url)).get_backend_name() == "sqlite"


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"

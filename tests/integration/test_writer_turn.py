"""The workers of one server share SQLite's writer turn.

``servefirst serve --workers N`` hands each worker one process-shared lock; a
worker's writer takes it before ``BEGIN IMMEDIATE`` and gives it back after its
COMMIT. A writer of another worker then waits on that lock, woken the moment it
is free, instead of in SQLite's busy handler (which naps up to 100 ms between
tries: p99s near a second with two workers). Two engines in one process stand
in for two workers here; the second has no busy timeout at all, so if it did
not wait for the turn its BEGIN IMMEDIATE would fail with "database is locked".
"""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from servefirst.db.engine import make_engine, share_writer_turn
from servefirst.db.uow import bind_for


def _engines_sharing(url: str, lock: Any) -> tuple[Any, Any]:
    share_writer_turn(lock)
    try:
        return make_engine(url), make_engine(url)
    finally:
        share_writer_turn(None)


def test_a_writer_of_another_worker_waits_for_the_shared_turn(tmp_path: Path) -> None:
    turn = multiprocessing.get_context("spawn").Lock()
    first, second = _engines_sharing(f"sqlite:///{tmp_path / 'turn.db'}", turn)

    @event.listens_for(second, "connect")
    def _no_busy_wait(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA busy_timeout=0")

    with first.begin() as conn:
        conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, who TEXT)"))

    holding, release = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def first_writer() -> None:
        with bind_for(first, write=True).connect() as conn:
            conn.execute(text("INSERT INTO notes (who) VALUES ('first')"))
            holding.set()
            release.wait(10)
            conn.commit()

    def second_writer() -> None:
        try:
            with bind_for(second, write=True).connect() as conn:
                conn.execute(text("INSERT INTO notes (who) VALUES ('second')"))
                conn.commit()
            outcome["second"] = "committed"
        except Exception as exc:  # noqa: BLE001 - the assertion below shows it
            outcome["second"] = f"{type(exc).__name__}: {exc}"

    a = threading.Thread(target=first_writer)
    a.start()
    try:
        assert holding.wait(10)
        assert not turn.acquire(block=False), "a writer in its transaction holds the shared turn"
        b = threading.Thread(target=second_writer)
        b.start()
        b.join(0.3)
        assert b.is_alive() and not outcome, "the second writer waits for the turn"
    finally:
        release.set()
        a.join(10)
    b.join(10)
    assert outcome == {"second": "committed"}
    assert turn.acquire(block=False), "the turn is free once both have committed"
    turn.release()
    with first.connect() as conn:
        assert conn.execute(text("SELECT who FROM notes ORDER BY id")).scalars().all() == [
            "first",
            "second",
        ]
    first.dispose()
    second.dispose()


def test_a_rolled_back_writer_gives_the_shared_turn_back(tmp_path: Path) -> None:
    turn = multiprocessing.get_context("spawn").Lock()
    engine, _ = _engines_sharing(f"sqlite:///{tmp_path / 'turn.db'}", turn)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY)"))
    with bind_for(engine, write=True).connect() as conn:
        conn.execute(text("INSERT INTO notes DEFAULT VALUES"))
        assert not turn.acquire(block=False)
        conn.rollback()
    assert turn.acquire(block=False)
    turn.release()
    engine.dispose()

"""pgbench's built-in tpcb-like transaction, on SQLite with the standard sqlite3 module.

The engine's own limit for the SQLite figures: the same five statements pgbench
runs (three balance updates, one read, one history insert), in WAL mode with
``synchronous=NORMAL`` and a busy timeout, each transaction ``BEGIN IMMEDIATE``
as servefirst's writers are (see servefirst.db.engine). Threads, one connection
each, as many as the settle benchmark's clients.
"""

from __future__ import annotations

import random
import sqlite3
import threading

from bench.workers import Rate, run_clients
from servefirst.config import Settings

ACCOUNTS_PER_SCALE = 100_000
TELLERS_PER_SCALE = 10


def connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"PRAGMA busy_timeout={Settings().sqlite_busy_timeout_ms}")
    return conn


def initialise(path: str, scale: int) -> None:
    """The pgbench -i schema and rows, at ``scale``."""
    conn = connect(path)
    conn.executescript(
        """
        CREATE TABLE pgbench_branches (bid INTEGER PRIMARY KEY, bbalance INTEGER, filler TEXT);
        CREATE TABLE pgbench_tellers (tid INTEGER PRIMARY KEY, bid INTEGER, tbalance INTEGER,
                                      filler TEXT);
        CREATE TABLE pgbench_accounts (aid INTEGER PRIMARY KEY, bid INTEGER, abalance INTEGER,
                                       filler TEXT);
        CREATE TABLE pgbench_history (tid INTEGER, bid INTEGER, aid INTEGER, delta INTEGER,
                                      mtime TEXT, filler TEXT);
        """
    )
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO pgbench_branches VALUES (?, 0, '')", ((b,) for b in range(1, scale + 1))
    )
    conn.executemany(
        "INSERT INTO pgbench_tellers VALUES (?, ?, 0, '')",
        ((t, (t - 1) // TELLERS_PER_SCALE + 1) for t in range(1, TELLERS_PER_SCALE * scale + 1)),
    )
    conn.executemany(
        "INSERT INTO pgbench_accounts VALUES (?, ?, 0, ?)",
        (
            (a, (a - 1) // ACCOUNTS_PER_SCALE + 1, " " * 84)
            for a in range(1, ACCOUNTS_PER_SCALE * scale + 1)
        ),
    )
    conn.execute("COMMIT")
    conn.close()


def tpcb_like_rate(path: str, clients: int, seconds: float, *, scale: int = 1) -> Rate:
    initialise(path, scale)
    local = threading.local()
    connections: list[sqlite3.Connection] = []
    guard = threading.Lock()

    def transaction(_client: int) -> None:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = connect(path)
            with guard:
                connections.append(conn)
        aid = random.randint(1, ACCOUNTS_PER_SCALE * scale)
        bid = random.randint(1, scale)
        tid = random.randint(1, TELLERS_PER_SCALE * scale)
        delta = random.randint(-5000, 5000)
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "UPDATE pgbench_accounts SET abalance = abalance + ? WHERE aid = ?", (delta, aid)
            )
            conn.execute("SELECT abalance FROM pgbench_accounts WHERE aid = ?", (aid,)).fetchone()
            conn.execute(
                "UPDATE pgbench_tellers SET tbalance = tbalance + ? WHERE tid = ?", (delta, tid)
            )
            conn.execute(
                "UPDATE pgbench_branches SET bbalance = bbalance + ? WHERE bid = ?", (delta, bid)
            )
            conn.execute(
                "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) "
                "VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)",
                (tid, bid, aid, delta),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    try:
        return run_clients(clients, seconds, transaction)
    finally:
        for conn in connections:
            conn.close()

"""The lifecycle's own SQL with nothing around it: how fast could any code go?

The settle ratio compares a settled tab (seven transactions, ~40-50 statements)
with one tpcb-like transaction (five statements). To tell what the statements
cost from what servefirst's code adds, this records the exact statements one
settled tab sends on each client's shop, as the driver received them, and
replays them with the bare driver (sqlite3 / psycopg) from the same number of
threads for the time given: new ids, token and short code for every tab, the
same commits, no ORM and no Python logic. So:

- replay rate / tpcb-like rate is the highest settle ratio that any code
  issuing these statements could reach on this engine, here;
- settle rate / replay rate is how much of that servefirst's code reaches.

``sqlalchemy_floor_rate`` replays the same recording through SQLAlchemy's
Core on servefirst's own engine (``Connection.exec_driver_sql``: the SQL as
the driver received it, so nothing is compiled; no ORM, no Python logic):
the most any code written on SQLAlchemy, as the stack has it, could reach.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from bench.settle import Shop, make_runtime, open_shops, settle_one
from bench.sqlite_tpcb import connect as sqlite_connect
from bench.workers import Rate, run_clients
from servefirst.db.engine import writing
from servefirst.db.uow import bind_for
from servefirst.kit.ids import SHORT_CODE_ALPHABET, SHORT_CODE_LENGTH, new_id
from servefirst.runtime import Runtime
from servefirst.tabs.models import Tab

#: Ids made afresh for every settled tab (everything else, the merchant, the
#: customer and the services, stays as recorded).
FRESH_ID = re.compile(r"^(tab|je|evt|pay|tev)_[a-z2-7]+$")

COMMIT = "COMMIT"


@dataclass
class Recording:
    """One settled tab's statements, in order, with ``COMMIT`` between units of work."""

    steps: list[tuple[str, Any, bool]] = field(default_factory=list)  # sql, params, many
    token: str = ""
    short_code: str = ""
    receipt_number: str = ""

    @property
    def statements(self) -> int:
        return sum(1 for sql, _, _ in self.steps if sql != COMMIT)

    @property
    def transactions(self) -> int:
        return sum(1 for sql, _, _ in self.steps if sql == COMMIT)


def record(runtime: Runtime, shop: Shop) -> Recording:
    """Settle one tab on ``shop`` and keep what reached the driver."""
    recording = Recording()

    def before(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, many: bool
    ) -> None:
        recording.steps.append((statement, parameters, many))

    def committed(_conn: Any) -> None:
        recording.steps.append((COMMIT, None, False))

    # SQLite's BEGIN is sent by the dialect, not through a cursor: noted here,
    # so the replay begins each transaction as the engine did.
    sqlite = runtime.engine.dialect.name == "sqlite"
    writer = writing(runtime.engine)

    def begun(conn: Any) -> None:
        if sqlite:
            begin = "BEGIN IMMEDIATE" if conn.engine is writer else "BEGIN DEFERRED"
            recording.steps.append((begin, (), False))

    event.listen(runtime.engine, "before_cursor_execute", before)
    event.listen(runtime.engine, "commit", committed)
    event.listen(runtime.engine, "begin", begun)
    try:
        settle_one(runtime, shop)
    finally:
        event.remove(runtime.engine, "before_cursor_execute", before)
        event.remove(runtime.engine, "commit", committed)
        event.remove(runtime.engine, "begin", begun)
    with runtime.uow(shop.merchant_id) as uow:
        tab = uow.session.query(Tab).order_by(Tab.opened_at.desc()).first()
        assert tab is not None
        recording.token, recording.short_code = tab.token, tab.short_code
        recording.receipt_number = tab.receipt_number or ""
    return recording


def _fresh(recording: Recording) -> Callable[[Any], Any]:
    """A function that rewrites one parameter set with this tab's new values."""
    made: dict[str, str] = {
        recording.token: f"{recording.token.split('.')[0]}.{secrets.token_urlsafe(24)}",
        recording.short_code: "".join(
            secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH)
        ),
    }
    if recording.receipt_number:  # unique per merchant, as the short code is
        year = recording.receipt_number.split("-")[0]
        made[recording.receipt_number] = f"{year}-{secrets.randbelow(10**9):09d}"

    def value(v: Any) -> Any:
        if isinstance(v, str):
            if v in made:
                return made[v]
            if FRESH_ID.match(v):
                made[v] = new_id(v.split("_", 1)[0])
                return made[v]
        return v

    def rewrite(params: Any) -> Any:
        if isinstance(params, dict):
            return {k: value(v) for k, v in params.items()}
        if isinstance(params, list | tuple):
            return type(params)(
                rewrite(p) if isinstance(p, dict | list | tuple) else value(p) for p in params
            )
        return params

    return rewrite


def _replay_once(conn: Any, recording: Recording) -> None:
    rewrite = _fresh(recording)
    cursor = conn.cursor()
    for statement, params, many in recording.steps:
        if statement == COMMIT:
            conn.commit()
            continue
        if many:
            cursor.executemany(statement, [rewrite(p) for p in params])
            continue
        cursor.execute(statement, rewrite(params))
        if cursor.description is not None:
            cursor.fetchall()


def _recordings(runtime: Runtime, clients: int) -> list[Recording]:
    shops = open_shops(runtime, clients)
    for shop in shops:
        settle_one(runtime, shop)  # warm up: the recording is of a steady state
    return [record(runtime, shop) for shop in shops]


def _replay_on_sqlalchemy(runtime: Runtime, recording: Recording) -> None:
    rewrite = _fresh(recording)
    # A writing unit of work's connection, as servefirst opens one (on SQLite
    # its BEGIN IMMEDIATE and writer's turn come with it).
    with bind_for(runtime.engine, write=True).connect() as conn:
        for statement, params, many in recording.steps:
            if statement.startswith("BEGIN"):
                continue  # SQLite: the engine's own BEGIN, as recorded; it sends it again
            if statement == COMMIT:
                conn.commit()
            elif many:
                conn.exec_driver_sql(statement, [rewrite(p) for p in params])
            else:
                result = conn.exec_driver_sql(statement, rewrite(params))
                if result.returns_rows:
                    result.fetchall()


def sqlalchemy_floor_rate(url: str, clients: int, seconds: float) -> Rate:
    """Replay rate (settled tabs/s) of the recorded lifecycle through
    SQLAlchemy's Core on servefirst's engine (see the module's docstring)."""
    runtime = make_runtime(url)
    try:
        recordings = _recordings(runtime, clients)
        return run_clients(
            clients, seconds, lambda no: _replay_on_sqlalchemy(runtime, recordings[no])
        )
    finally:
        runtime.dispose()


def floor_rate(url: str, clients: int, seconds: float) -> tuple[Rate, Recording]:
    """Replay rate (settled tabs/s) of the recorded lifecycle with the bare driver."""
    runtime = make_runtime(url)
    try:
        recordings = _recordings(runtime, clients)
        dialect = runtime.engine.dialect.name
        libpq = runtime.engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        path = runtime.engine.url.database
    finally:
        runtime.dispose()

    local = threading.local()
    opened: list[Any] = []
    guard = threading.Lock()

    def connection() -> Any:
        conn = getattr(local, "conn", None)
        if conn is None:
            if dialect == "sqlite":
                conn = sqlite_connect(str(path))
                conn.execute("PRAGMA foreign_keys=ON")  # as servefirst's engine
            else:
                import psycopg

                conn = psycopg.connect(libpq)
            local.conn = conn
            with guard:
                opened.append(conn)
        return conn

    try:
        rate = run_clients(clients, seconds, lambda no: _replay_once(connection(), recordings[no]))
    finally:
        for conn in opened:
            conn.close()
    return rate, recordings[0]

"""Fresh databases for one benchmark run, created and dropped by the run.

PostgreSQL databases are named ``bench_<what>_<random>`` on the server the run
is pointed at; SQLite databases are files in a temporary folder. Nothing is
ever reused between runs, so one run's data cannot colour another's figures.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

from servefirst.db.engine import normalize_url

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


@dataclass(frozen=True)
class Database:
    kind: str  # SQLITE or POSTGRESQL
    url: str  # SQLAlchemy URL servefirst understands
    name: str  # PostgreSQL database name, or the SQLite file path

    @property
    def libpq(self) -> URL:
        """The same database as a plain URL (for pgbench and Django)."""
        return make_url(self.url)


def pg_server_reachable(server_url: str) -> bool:
    try:
        engine = create_engine(normalize_url(server_url))
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


@contextmanager
def fresh_database(kind: str, what: str, pg_server_url: str) -> Iterator[Database]:
    """A new, empty database for one measurement; dropped afterwards."""
    if kind == SQLITE:
        folder = Path(tempfile.mkdtemp(prefix=f"bench_{what}_"))
        path = folder / f"bench_{what}.db"
        try:
            yield Database(SQLITE, f"sqlite:///{path}", str(path))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    server = normalize_url(pg_server_url)
    name = f"bench_{what}_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        yield Database(POSTGRESQL, url, name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def analyze(engine: Engine) -> None:
    """``ANALYZE`` the whole database (PostgreSQL; SQLite plans without it):
    fresh statistics, and every backend drops the plans it cached on the old
    ones at its next transaction."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))

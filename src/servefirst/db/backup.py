"""A copy of a SQLite database taken while the server runs (``servefirst backup``).

Copying the file by hand while ``servefirst serve`` runs is not a backup: the
latest payments sit in the ``-wal`` file beside it, and a copy made during a
write can be torn. SQLite's online backup API copies the pages under one read
transaction instead, so the copy is the database as of one moment, every
balanced ledger entry whole, while the server goes on writing.

PostgreSQL has its own tools (``pg_dump``), which know its roles, sequences and
extensions: nothing here stands in for them.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from servefirst.db.engine import is_sqlite_url, normalize_url


class BackupRefused(Exception):
    """Why no backup was written (nothing was: no partial file is left)."""


@dataclass(frozen=True)
class Backup:
    source: Path
    path: Path
    size: int
    #: The schema's migration the copy holds (``alembic_version``); None for a
    #: database ``servefirst`` has not set up yet.
    revision: str | None


def back_up(url: str, to: Path) -> Backup:
    """Copy the SQLite database at ``url`` to the new file ``to``."""
    source = _sqlite_file(url)
    to = to.expanduser()
    if to.exists():
        raise BackupRefused(f"{to} already exists: name a new file, so no backup is overwritten.")
    if not to.parent.is_dir():
        raise BackupRefused(f"There is no folder {to.parent} to write {to.name} in.")
    partial = to.with_name(to.name + ".partial")
    try:
        revision = _copy(source, partial)
        # Only a whole, checked copy takes the name asked for.
        os.replace(partial, to)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(source, to, to.stat().st_size, revision)


def _sqlite_file(url: str) -> Path:
    if not is_sqlite_url(url):
        raise BackupRefused(
            "The database is PostgreSQL: back it up with its own tool, for example "
            "`pg_dump --format=custom --file=servefirst.dump DBNAME`, and restore with pg_restore."
        )
    database = make_url(normalize_url(url)).database
    source = Path(database or "").expanduser()
    if not database or not source.is_file():
        raise BackupRefused(f"There is no database at {source} (SERVEFIRST_DATABASE_URL).")
    return source


def _copy(source: Path, partial: Path) -> str | None:
    with closing(sqlite3.connect(source)) as reading, closing(sqlite3.connect(partial)) as copy:
        # A busy writer holds its lock for milliseconds; the copy's read
        # transaction waits for none (WAL), but opening may meet a checkpoint.
        reading.execute("PRAGMA busy_timeout = 5000")
        reading.execute("PRAGMA query_only = 1")
        reading.backup(copy)
        # One self-contained file: the copy keeps no -wal beside it.
        copy.execute("PRAGMA journal_mode = DELETE")
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupRefused(f"The copy failed SQLite's integrity check: {verdict}")
        return _revision(copy)


def _revision(copy: sqlite3.Connection) -> str | None:
    try:
        row = copy.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:  # no such table: not set up by servefirst yet
        return None
    return str(row[0]) if row else None

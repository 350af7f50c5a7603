"""``INSERT ... ON CONFLICT`` on either engine: the one dialect difference a
table without a repository of its own needs (a counter row made if missing,
a key claimed once). PostgreSQL and SQLite spell it alike in SQLAlchemy, each
from its own dialect's ``insert``; this picks the one for the engine in use."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert


def insert_for(dialect: str, table: Any) -> Any:
    """An ``INSERT`` into ``table`` with ``on_conflict_do_nothing`` and
    ``on_conflict_do_update``, for the dialect named ``dialect``."""
    return pg_insert(table) if dialect == "postgresql" else sqlite_insert(table)

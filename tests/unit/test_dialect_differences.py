"""Persistence has one shape (STYLE.md, 14): a use case calls a repository, and
the repository owns the SQL, the locks and any difference between PostgreSQL
and SQLite. Whether the database locks rows (``uow.locks_rows``) is such a
difference, so only the modules that own their SQL ask it."""

from __future__ import annotations

from pathlib import Path

import servefirst

SOURCE = Path(servefirst.__file__).parent

#: Modules that own their SQL without being called ``repository.py``: the
#: unit of work that says it (and the protocol repositories see it through),
#: the sign-in counts and the delivery queue.
OWN_THEIR_SQL = {"db/uow.py", "db/scope.py", "staff/throttles.py", "messages/queue.py"}


def test_only_repositories_ask_whether_the_database_locks_rows() -> None:
    asking = {
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if "locks_rows" in path.read_text(encoding="utf-8")
    }
    outside = {
        name for name in asking if not name.endswith("repository.py") and name not in OWN_THEIR_SQL
    }
    assert outside == set()

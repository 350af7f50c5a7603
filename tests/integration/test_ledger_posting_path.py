"""How a posting reaches the database, and that it stays part of its unit of work.

On PostgreSQL a posting is one statement sent on the driver's own cursor
(``ledger.repository._on_the_driver``), past SQLAlchemy's execute path; on SQLite
three statements through SQLAlchemy. Either way it commits and rolls back with
its unit of work, a database error is SQLAlchemy's (what the API's handlers
answer), a dead connection is invalidated, and statement listeners see it.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, event, func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from servefirst.ledger import service as ledger
from servefirst.ledger.models import JournalEntryRow
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind, JournalEntry
from servefirst.runtime import Runtime


def _sale(amount: int = 450) -> JournalEntry:
    return (
        EntryBuilder(EntryKind.TRANSFER, "EUR", memo="cash sale")
        .debit(Account.CASH, amount)
        .credit(Account.REVENUE, amount)
        .build()
    )


def _entries(runtime: Runtime, merchant_id: str) -> int:
    with runtime.uow(merchant_id, write=False) as uow:
        return int(
            uow.session.scalar(
                select(func.count())
                .select_from(JournalEntryRow)
                .where(JournalEntryRow.merchant_id == merchant_id)
            )
            or 0
        )


def _cash(runtime: Runtime, merchant_id: str) -> int:
    with runtime.uow(merchant_id, write=False) as uow:
        return ledger.balances(uow, "EUR").balance(Account.CASH)


def test_a_posting_commits_and_rolls_back_with_its_unit_of_work(
    runtime: Runtime, merchant_id: str
) -> None:
    with runtime.uow(merchant_id) as uow:
        ledger.post(uow, _sale(450))
        uow.rollback()
    assert (_entries(runtime, merchant_id), _cash(runtime, merchant_id)) == (0, 0)
    with runtime.uow(merchant_id) as uow:
        ledger.post(uow, _sale(450))
        uow.commit()
    assert (_entries(runtime, merchant_id), _cash(runtime, merchant_id)) == (1, 450)


def test_without_listeners_a_posting_needs_no_driver_sql_through_sqlalchemy(
    runtime: Runtime, merchant_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the posting went through Connection.exec_driver_sql")

    # The tests' runtime listens for transactions (the processor guard): a
    # runtime of its own, as the server runs, has no listener.
    bare = Runtime.create(runtime.settings, clock=runtime.clock)
    try:
        with bare.engine.connect():  # the dialect's first look at the server
            pass
        monkeypatch.setattr(Connection, "exec_driver_sql", refuse)
        with bare.uow(merchant_id) as uow:
            ledger.post(uow, _sale(300))
            uow.commit()
    finally:
        monkeypatch.undo()
        bare.dispose()
    assert _cash(runtime, merchant_id) == 300


def test_statement_listeners_see_the_posting(runtime: Runtime, merchant_id: str) -> None:
    seen: list[str] = []

    def listen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", listen)
    try:
        with runtime.uow(merchant_id) as uow:
            ledger.post(uow, _sale(120))
            uow.commit()
    finally:
        event.remove(runtime.engine, "before_cursor_execute", listen)
    postings = [s for s in seen if "journal_legs" in s or "account_balances" in s]
    assert len(postings) == (1 if runtime.engine.dialect.name == "postgresql" else 2)
    assert _cash(runtime, merchant_id) == 120


def test_a_database_refusal_is_sqlalchemys_integrity_error(runtime: Runtime) -> None:
    with runtime.uow("m_nosuchshop") as uow:  # no such merchant: the entry's foreign key
        with pytest.raises(IntegrityError):
            ledger.post(uow, _sale())
            uow.commit()  # SQLite may only check it here
        uow.rollback()


def test_a_dead_connection_is_invalidated_and_the_next_posting_works(
    runtime: Runtime, merchant_id: str
) -> None:
    with runtime.uow(merchant_id) as uow:
        conn = uow.connection
        if uow.dialect == "postgresql":
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            conn.commit()
            with runtime.engine.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
                other.commit()
        else:
            conn.commit()
            conn.connection.driver_connection.close()  # type: ignore[union-attr]
        with pytest.raises(DBAPIError) as refused:
            ledger.post(uow, _sale())
        assert refused.value.connection_invalidated
        uow.rollback()
    with runtime.uow(merchant_id) as uow:
        ledger.post(uow, _sale(200))
        uow.commit()
    assert _cash(runtime, merchant_id) == 200

"""The unit of work: one transaction per use case, for one merchant.

Services receive a ``UnitOfWork`` and only flush; whoever opened it (an HTTP
request, a CLI command, a benchmark) commits. A writing unit of work on SQLite
starts with ``BEGIN IMMEDIATE`` so writers queue for the lock instead of
failing halfway; on PostgreSQL writers lock the rows they change
(``SELECT ... FOR UPDATE``) in a fixed order: tab first, then ledger balances
sorted by account code.
"""

from __future__ import annotations

import weakref
from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from servefirst.kit.clock import Clock

if TYPE_CHECKING:
    from servefirst.payments.gateways import Gateways


class UnitOfWork:
    def __init__(
        self,
        session: Session,
        clock: Clock,
        gateways: Gateways,
        merchant_id: str | None = None,
    ) -> None:
        self.session = session
        self.clock = clock
        self.gateways = gateways
        self.merchant_id = merchant_id
        self.dialect = session.get_bind().dialect.name
        #: Rows this transaction has locked for update, by ``(table, key)``,
        #: with the object loaded then: a second lock of the same row needs no
        #: second round trip. (Held here because the session's identity map
        #: only holds unchanged objects weakly.)
        self.locked: dict[tuple[str, str], object] = {}

    @property
    def merchant(self) -> str:
        if self.merchant_id is None:
            raise RuntimeError("this unit of work is not bound to a merchant")
        return self.merchant_id

    @property
    def locks_rows(self) -> bool:
        """PostgreSQL needs FOR UPDATE; SQLite already holds the write lock."""
        return self.dialect == "postgresql"

    def commit(self) -> None:
        self.locked.clear()
        self.session.commit()

    def rollback(self) -> None:
        self.locked.clear()
        self.session.rollback()

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.session.rollback()
        self.session.close()


def new_session(engine: Engine, *, write: bool) -> Session:
    return Session(bind=_writer(engine) if write else engine, expire_on_commit=False)


_writers: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def _writer(engine: Engine) -> Engine:
    """The engine with ``sqlite_write`` set, made once (not once per unit of work)."""
    writer = _writers.get(engine)
    if writer is None:
        writer = _writers[engine] = engine.execution_options(sqlite_write=True)
    return writer

"""The unit of work: one transaction per use case, for one merchant.

Services receive a ``UnitOfWork`` and only flush; whoever opened it (an HTTP
request, a CLI command, a benchmark) commits. It hands out the repositories of
the hot aggregates (``uow.tabs``, ``uow.customers``, ``uow.ledger``): a use
case calls their named methods and never sends their SQL itself. It may be
committed more than once when a use case asks for it (a payment in phases
commits its pending attempt before it calls the processor); the repositories
then start afresh, as the next transaction holds no locks yet.

A writing unit of work on SQLite
starts with ``BEGIN IMMEDIATE`` so writers queue for the lock instead of
failing halfway; on PostgreSQL writers lock the rows they change
(``SELECT ... FOR UPDATE``) in a fixed order: tab first, then ledger balances
sorted by account code.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.orm import Session

from servefirst.customers.repository import CustomerRepository
from servefirst.db.engine import writing
from servefirst.idempotency.repository import IdempotencyKeyRepository
from servefirst.kit.clock import Clock
from servefirst.ledger.repository import LedgerRepository
from servefirst.payments.account_repository import GatewayAccountRepository
from servefirst.tabs.receipt_counter import ReceiptCounterRepository
from servefirst.tabs.repository import TabRepository

if TYPE_CHECKING:
    from servefirst.payments.gateways import Gateways


class UnitOfWork:
    """``session`` is made on first use: a unit of work that only runs plain
    SQL (a ledger posting) goes through ``connection`` and never pays for an
    ORM session. Pass a session, or ``bind`` (the engine) to let it be made
    lazily."""

    def __init__(
        self,
        session: Session | None,
        clock: Clock,
        gateways: Gateways,
        merchant_id: str | None = None,
        *,
        bind: Engine | None = None,
    ) -> None:
        if session is None and bind is None:
            raise ValueError("a unit of work needs a session or an engine to bind one to")
        self._session = session
        self._bind: Engine = bind if bind is not None else session.get_bind()  # type: ignore[union-attr,assignment]
        self._connection: Connection | None = None  # only while there is no session
        self.clock = clock
        self.gateways = gateways
        self.merchant_id = merchant_id
        self.dialect = self._bind.dialect.name
        self._repositories()
        #: Rows written just before this unit of work commits, by table: the
        #: events it emitted (the transactional outbox), the trust history it
        #: added to (``db.appended``).
        self.appended: dict[Table, list[dict[str, Any]]] = {}
        self._before_commit: list[Callable[[UnitOfWork], None]] = []

    def _repositories(self) -> None:
        """Fresh repositories: what one remembers (the rows it locked) holds
        for one transaction only."""
        self.tabs = TabRepository(self)
        self.customers = CustomerRepository(self)
        self.ledger = LedgerRepository(self)
        self.gateway_accounts = GatewayAccountRepository(self)
        self.receipt_counters = ReceiptCounterRepository(self)
        self.idempotency_keys = IdempotencyKeyRepository(self)

    @property
    def session(self) -> Session:
        if self._session is None:
            # Joins the transaction plain SQL may already have begun on the
            # connection; ``commit`` below commits that connection itself.
            self._session = Session(
                bind=self._connection if self._connection is not None else self._bind,
                expire_on_commit=False,
            )
        return self._session

    @property
    def connection(self) -> Connection:
        """The transaction's connection, for plain SQL (Core, no ORM)."""
        if self._session is not None:
            return self._session.connection()
        if self._connection is None:
            self._connection = self._bind.connect()
        return self._connection

    def flush(self) -> None:
        """Write the session's pending changes (if there is a session): plain
        SQL sent next through ``connection`` then sees them, as an ORM
        statement would after its autoflush (a row inserted next may refer to
        one only added to the session so far)."""
        if self._session is not None:
            self._session.flush()

    @property
    def merchant(self) -> str:
        if self.merchant_id is None:
            raise RuntimeError("this unit of work is not bound to a merchant")
        return self.merchant_id

    @property
    def locks_rows(self) -> bool:
        """PostgreSQL needs FOR UPDATE; SQLite already holds the write lock."""
        return self.dialect == "postgresql"

    def before_commit(self, step: Callable[[UnitOfWork], None]) -> None:
        """Run ``step`` once, just before this unit of work commits, after its
        session's changes are flushed (appended rows are written there, in one
        statement, instead of one round trip per row as they happen)."""
        if step not in self._before_commit:
            self._before_commit.append(step)

    def commit(self) -> None:
        steps, self._before_commit = self._before_commit, []
        if steps:
            self.flush()
            for step in steps:
                step(self)
        self.appended.clear()
        self._repositories()
        if self._session is not None:
            self._session.commit()
        if self._connection is not None:
            self._connection.commit()

    def rollback(self) -> None:
        self._before_commit.clear()
        self.appended.clear()
        self._repositories()
        if self._session is not None:
            self._session.rollback()
        if self._connection is not None:
            self._connection.rollback()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
        if self._connection is not None:
            self._connection.close()

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.rollback()
        self.close()


def new_session(engine: Engine, *, write: bool) -> Session:
    return Session(bind=bind_for(engine, write=write), expire_on_commit=False)


def bind_for(engine: Engine, *, write: bool) -> Engine:
    return writing(engine) if write else engine

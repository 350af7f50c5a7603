"""The ledger's SQL, all of it: appending a journal entry and moving the
running balances, and reading them back (balances, the journal, a period's
legs, the audit's figures).

Every line added and every payment posts, so this is plain SQL, no ORM: on
PostgreSQL one statement (one round trip) inserts the entry and its legs,
locks the balance rows in account order and moves them; on SQLite (which
already holds the write lock) three statements. ``ledger.service.post`` is the
use cases' way in.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Dialect,
    TextClause,
    bindparam,
    case,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError

from servefirst.db.base import UTCDateTime
from servefirst.kit.clock import as_utc
from servefirst.kit.ids import new_id
from servefirst.ledger.models import AccountBalance, JournalEntryRow, JournalLegRow
from servefirst.ledger.rules import Account, JournalEntry, PostedLeg, Side

if TYPE_CHECKING:
    from servefirst.db.scope import TransactionScope


class LedgerRepository:
    """The ledger of the unit of work's merchant, in its transaction."""

    def __init__(self, uow: TransactionScope) -> None:
        self._uow = uow

    def open_accounts(self) -> None:
        """The merchant's account plan with zero balances: made once, so posting
        is always an UPDATE of an existing row (no insert race)."""
        self._uow.session.execute(
            insert(AccountBalance),
            [
                {
                    "merchant_id": self._uow.merchant,
                    "account": a.value,
                    "debits": 0,
                    "credits": 0,
                    "balance": 0,
                }
                for a in Account
            ],
        )

    def post(self, entry: JournalEntry) -> str:
        """Append ``entry`` and move the balances; returns the entry's id."""
        uow = self._uow
        merchant = uow.merchant
        entry_id = new_id("je")
        deltas: dict[str, list[int]] = {}  # account -> [debits, credits]
        for leg in entry.legs:
            pair = deltas.setdefault(leg.account, [0, 0])
            pair[0 if leg.side is Side.DEBIT else 1] += leg.amount
        # Sorted account order: every transaction takes these row locks in the
        # same order, so concurrent postings queue instead of deadlocking.
        accounts = sorted(deltas)
        params: dict[str, object] = {
            "m": merchant,
            "e": entry_id,
            "kind": entry.kind.value,
            "cur": entry.currency,
            "memo": entry.memo[:200],
            "tab": entry.tab_id,
            "at": as_utc(uow.clock.now()),  # as UTCDateTime would bind it
        }
        for i, leg in enumerate(entry.legs):
            params[f"la{i}"] = leg.account
            params[f"ls{i}"] = leg.side.value
            params[f"lx{i}"] = leg.amount
        for i, account in enumerate(accounts):
            params[f"a{i}"] = account
            params[f"d{i}"], params[f"c{i}"] = deltas[account]
        # The connection, not the session: plain SQL needs none of the ORM's
        # execute path, and a unit of work that only posts never makes a session.
        conn = uow.connection
        moved: int
        if uow.dialect == "postgresql":
            sql = _pg_post_sql(len(entry.legs), len(accounts), conn.dialect)
            moved = _on_the_driver(conn, sql, params)
        else:
            conn.execute(_INSERT_ENTRY, params)
            conn.execute(_insert_legs(len(entry.legs)), params)
            moved = conn.execute(_move_balances(len(accounts)), params).rowcount
        if moved != len(accounts):
            raise ValueError(f"an account of {accounts!r} is not in the account plan")
        return entry_id

    def legs_between(self, start: datetime, end: datetime, batch: int) -> Iterator[PostedLeg]:
        """The period's legs in posting order, ``batch`` rows per fetch:
        ``yield_per`` streams (a named, server-side cursor on PostgreSQL;
        SQLite's cursor steps row by row), so no list of the period is built."""
        e, leg = JournalEntryRow, JournalLegRow
        query = (
            select(
                e.entry_id,
                e.kind,
                e.memo,
                e.tab_id,
                e.created_at,
                e.currency,
                leg.account,
                leg.side,
                leg.amount,
            )
            .join(leg, (leg.merchant_id == e.merchant_id) & (leg.entry_id == e.entry_id))
            .where(e.merchant_id == self._uow.merchant, e.created_at >= start, e.created_at < end)
            .order_by(e.created_at, e.entry_id, leg.leg_no)
        )
        result = self._uow.session.execute(query, execution_options={"yield_per": batch})
        for row in result:
            yield PostedLeg(*row)

    def count_legs(self, start: datetime, end: datetime) -> int:
        e, leg = JournalEntryRow, JournalLegRow
        found = self._uow.session.scalar(
            select(func.count())
            .select_from(e)
            .join(leg, (leg.merchant_id == e.merchant_id) & (leg.entry_id == e.entry_id))
            .where(e.merchant_id == self._uow.merchant, e.created_at >= start, e.created_at < end)
        )
        return int(found or 0)

    def balances_before(self, moment: datetime) -> dict[str, int]:
        e, leg = JournalEntryRow, JournalLegRow
        rows = self._uow.session.execute(
            select(leg.account, _signed())
            .join(e, (leg.merchant_id == e.merchant_id) & (leg.entry_id == e.entry_id))
            .where(e.merchant_id == self._uow.merchant, e.created_at < moment)
            .group_by(leg.account)
        )
        return {account: int(total or 0) for account, total in rows}

    def running_balances(self) -> list[AccountBalance]:
        """The account plan's running totals, by account code."""
        return list(
            self._uow.session.scalars(
                select(AccountBalance)
                .where(AccountBalance.merchant_id == self._uow.merchant)
                .order_by(AccountBalance.account)
            )
        )

    def journal(
        self, *, tab_id: str | None, limit: int
    ) -> list[tuple[JournalEntryRow, list[JournalLegRow]]]:
        """The newest ``limit`` entries (of ``tab_id`` only, if given), each
        with its legs in order."""
        e, leg = JournalEntryRow, JournalLegRow
        query = select(e).where(e.merchant_id == self._uow.merchant)
        if tab_id:
            query = query.where(e.tab_id == tab_id)
        rows = list(
            self._uow.session.scalars(query.order_by(e.created_at.desc(), e.entry_id).limit(limit))
        )
        legs: dict[str, list[JournalLegRow]] = {r.entry_id: [] for r in rows}
        if rows:
            for found in self._uow.session.scalars(
                select(leg)
                .where(leg.merchant_id == self._uow.merchant, leg.entry_id.in_(list(legs)))
                .order_by(leg.entry_id, leg.leg_no)
            ):
                legs[found.entry_id].append(found)
        return [(r, legs[r.entry_id]) for r in rows]

    def balances_from_legs(self) -> dict[str, int]:
        """Each account's balance rebuilt from every leg ever posted (the audit's side)."""
        leg = JournalLegRow
        rows = self._uow.session.execute(
            select(leg.account, _signed())
            .where(leg.merchant_id == self._uow.merchant)
            .group_by(leg.account)
        )
        return {account: int(total or 0) for account, total in rows}

    def unbalanced_entries(self) -> list[str]:
        """Entries whose legs do not add up to zero (there should be none)."""
        leg = JournalLegRow
        return list(
            self._uow.session.scalars(
                select(leg.entry_id)
                .where(leg.merchant_id == self._uow.merchant)
                .group_by(leg.entry_id)
                .having(_signed() != 0)
            )
        )

    def count_entries(self) -> int:
        found = self._uow.session.scalar(
            select(func.count())
            .select_from(JournalEntryRow)
            .where(JournalEntryRow.merchant_id == self._uow.merchant)
        )
        return int(found or 0)


def _signed() -> ColumnElement[Any]:
    """A leg's amount signed by its side: debits plus, credits minus."""
    leg = JournalLegRow
    return func.sum(case((leg.side == Side.DEBIT.value, leg.amount), else_=-leg.amount))


_INSERT_ENTRY_SQL = (
    "INSERT INTO journal_entries (merchant_id, entry_id, kind, currency, memo, tab_id, created_at)"
    " VALUES (:m, :e, :kind, :cur, :memo, :tab, :at)"
)
_INSERT_ENTRY = text(_INSERT_ENTRY_SQL).bindparams(bindparam("at", type_=UTCDateTime))


def _legs_sql(legs: int) -> str:
    rows = ", ".join(f"(:m, :e, {i + 1}, :la{i}, :ls{i}, :lx{i})" for i in range(legs))
    return (
        "INSERT INTO journal_legs (merchant_id, entry_id, leg_no, account, side, amount)"
        f" VALUES {rows}"
    )


def _set_balances_sql(accounts: int) -> str:
    def by_account(prefix: str) -> str:
        whens = " ".join(f"WHEN :a{i} THEN {prefix}{i}" for i in range(accounts))
        return f"CASE account {whens} ELSE 0 END"

    debit, credit = by_account(":d"), by_account(":c")
    return (
        f"UPDATE account_balances SET debits = debits + {debit},"
        f" credits = credits + {credit},"
        f" balance = balance + ({debit}) - ({credit})"
    )


def _in_accounts(accounts: int) -> str:
    return ", ".join(f":a{i}" for i in range(accounts))


@cache
def _insert_legs(legs: int) -> TextClause:
    return text(_legs_sql(legs))


@cache
def _move_balances(accounts: int) -> TextClause:
    return text(
        _set_balances_sql(accounts)
        + f" WHERE merchant_id = :m AND account IN ({_in_accounts(accounts)})"
    )


@cache
def _pg_post(legs: int, accounts: int) -> TextClause:
    # The locking CTE sorts before it locks (LockRows sits above the Sort), so
    # the balance rows are locked in account order whatever plan the UPDATE
    # gets. The legs' foreign key to the entry is checked at the end of the
    # statement, when the entry row is there.
    return text(
        f"WITH entry AS ({_INSERT_ENTRY_SQL}),"
        f" legs AS ({_legs_sql(legs)}),"
        " locked AS MATERIALIZED (SELECT account FROM account_balances"
        f" WHERE merchant_id = :m AND account IN ({_in_accounts(accounts)})"
        " ORDER BY account FOR UPDATE) "
        + _set_balances_sql(accounts)
        + " WHERE merchant_id = :m AND account IN (SELECT account FROM locked)"
    )


def _pg_post_sql(legs: int, accounts: int, dialect: Dialect) -> str:
    """The posting as the driver receives it (``%(name)s`` parameters): sent
    on the driver's cursor, it skips SQLAlchemy's statement cache lookup and
    parameter processing, on every line added and every payment. Kept by the
    kind of dialect, not the dialect itself, so engines come and go without
    being held here."""
    key = (legs, accounts, type(dialect), dialect.paramstyle)
    sql = _PG_POST_SQL.get(key)
    if sql is None:
        sql = _PG_POST_SQL[key] = str(_pg_post(legs, accounts).compile(dialect=dialect))
    return sql


_PG_POST_SQL: dict[tuple[int, int, type, str], str] = {}


def _on_the_driver(conn: Connection, sql: str, params: dict[str, object]) -> int:
    """Run the posting on the driver's own cursor, in ``conn``'s transaction,
    and say how many balance rows moved.

    SQLAlchemy's execute path (execution context, result, events) costs more
    Python than the statement itself (bench's ``hordak`` section measures
    the posting rate either way). What SQLAlchemy
    would have done around it is kept: the transaction is begun on ``conn``
    (its commit is the unit of work's commit), a driver error is raised as
    SQLAlchemy's (``IntegrityError``, ``OperationalError``: what the API's
    error handlers answer), and a dead connection is invalidated so the pool
    does not hand it out again. With event listeners on the engine (statement
    counters, tracing) the posting takes the usual path, so they see it.
    """
    # SQLAlchemy's own test for listeners (what its execute path checks).
    if conn._has_events or conn.engine._has_events:
        return int(conn.exec_driver_sql(sql, params).rowcount)
    if not conn.in_transaction():
        conn.begin()
    fairy = conn.connection
    dialect = conn.dialect
    driver = fairy.driver_connection
    assert driver is not None  # a checked-out connection always has one
    try:
        with driver.cursor() as cursor:
            cursor.execute(sql, params)
            return int(cursor.rowcount)
    except dialect.loaded_dbapi.Error as exc:
        gone = dialect.is_disconnect(exc, fairy.dbapi_connection, None)
        if gone:
            conn.invalidate(exc)
        raise DBAPIError.instance(
            sql,
            params,
            exc,
            dialect.loaded_dbapi.Error,
            connection_invalidated=gone,
            dialect=dialect,
        ) from exc

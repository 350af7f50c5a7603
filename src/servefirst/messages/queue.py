"""Claiming deliveries to send: the head of each recipient's queue, leased.

Messages (per customer) and webhook deliveries (per endpoint) are queues of
rows. A worker claims the oldest pending row of each recipient whose time has
come, by setting ``lease_until`` in a short transaction (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL, so workers never wait for each other; SQLite's single
writer on SQLite), sends outside any transaction, then records the outcome. A
worker killed in between leaves a lease that runs out: the row is sent again,
with the same id (at least once). The next row of a recipient is never claimed
while an older one is pending, so each recipient's order is kept, and a
failing recipient holds up only its own queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, exists, or_, select, tuple_, update

from servefirst.db.uow import UnitOfWork
from servefirst.kit.clock import as_utc


@dataclass(frozen=True)
class Queue:
    table: Table
    key: str  # the row's id column
    recipient: str  # the column whose rows are sent in order
    order: str  # the column that orders a recipient's rows


def claim(
    uow: UnitOfWork,
    queue: Queue,
    now: datetime,
    limit: int,
    *,
    extra: Sequence[ColumnElement[bool]] = (),
    merchants: Sequence[str] | None = None,
    lease: timedelta,
    run: int = 1,
) -> list[list[tuple[str, str]]]:
    """Lease the heads of up to ``limit`` recipients' queues, each with up to
    ``run`` rows due after it in order (sent one after the other by one
    sender: one claim for many sends); the keys, per recipient."""
    heads = uow.connection.execute(_heads(queue, now, limit, extra, merchants, uow.locks_rows))
    runs: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for merchant_id, key, recipient in heads:
        if (merchant_id, recipient) not in runs:
            runs[merchant_id, recipient] = [(merchant_id, key)]
    if run > 1:
        for (merchant_id, recipient), keys in runs.items():
            keys.extend(_followers(uow, queue, merchant_id, recipient, keys[0][1], now, run))
    claimed = [key for keys in runs.values() for key in keys]
    if claimed:
        row = queue.table
        uow.connection.execute(
            update(row)
            .where(tuple_(row.c.merchant_id, row.c[queue.key]).in_(claimed))
            .values(lease_until=now + lease, attempts=row.c.attempts + 1)
        )
    return list(runs.values())


def anything_due(
    uow: UnitOfWork,
    queue: Queue,
    now: datetime,
    *,
    extra: Sequence[ColumnElement[bool]] = (),
    merchants: Sequence[str] | None = None,
) -> bool:
    """Whether ``claim`` would find work: read without the write lock, so an
    idle worker's look costs no writer's turn."""
    return (
        uow.connection.execute(_heads(queue, now, 1, extra, merchants, False)).first() is not None
    )


def release(uow: UnitOfWork, queue: Queue, keys: Sequence[tuple[str, str]]) -> None:
    """Give back claimed rows that were not tried (the run stopped before them)."""
    if keys:
        row = queue.table
        uow.connection.execute(
            update(row)
            .where(tuple_(row.c.merchant_id, row.c[queue.key]).in_(list(keys)))
            .values(lease_until=None, attempts=row.c.attempts - 1)
        )


def _heads(
    queue: Queue,
    now: datetime,
    limit: int,
    extra: Sequence[ColumnElement[bool]],
    merchants: Sequence[str] | None,
    lock: bool,
) -> Select[Any]:
    row, older = queue.table, queue.table.alias("older")
    ahead = exists(
        select(1).where(
            older.c.merchant_id == row.c.merchant_id,
            older.c[queue.recipient] == row.c[queue.recipient],
            older.c.status == "pending",
            or_(
                older.c[queue.order] < row.c[queue.order],
                and_(
                    older.c[queue.order] == row.c[queue.order],
                    older.c[queue.key] < row.c[queue.key],
                ),
            ),
        )
    )
    query = (
        select(row.c.merchant_id, row.c[queue.key], row.c[queue.recipient])
        .where(
            row.c.status == "pending",
            row.c.next_attempt_at <= now,
            or_(row.c.lease_until.is_(None), row.c.lease_until < now),
            ~ahead,
            *extra,
        )
        .order_by(row.c.next_attempt_at)
        .limit(limit)
    )
    if merchants is not None:
        query = query.where(row.c.merchant_id.in_(merchants))
    if lock:
        query = query.with_for_update(skip_locked=True, of=row)
    return query


def _followers(
    uow: UnitOfWork,
    queue: Queue,
    merchant_id: str,
    recipient: str,
    head: str,
    now: datetime,
    run: int,
) -> list[tuple[str, str]]:
    """The rows right behind the head, while they are due and free."""
    row = queue.table
    rows = uow.connection.execute(
        select(row.c[queue.key], row.c.next_attempt_at, row.c.lease_until)
        .where(
            row.c.merchant_id == merchant_id,
            row.c[queue.recipient] == recipient,
            row.c.status == "pending",
        )
        .order_by(row.c[queue.order], row.c[queue.key])
        .limit(run)
    ).all()
    followers: list[tuple[str, str]] = []
    for key, next_attempt_at, lease_until in rows:
        if key == head:
            continue
        if as_utc(next_attempt_at) > now or (
            lease_until is not None and as_utc(lease_until) >= now
        ):
            break
        followers.append((merchant_id, key))
    return followers

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

from sqlalchemy import ColumnElement, Table, and_, exists, or_, select, tuple_, update

from servefirst.db.uow import UnitOfWork

#: How long a claimed row is left to its worker: longer than any send takes
#: (the webhook timeout is 15 s), so a live worker's row is never sent twice.
LEASE = timedelta(seconds=60)


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
) -> list[tuple[str, str]]:
    """Lease up to ``limit`` rows, at most one per recipient; their keys."""
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
    if uow.locks_rows:
        query = query.with_for_update(skip_locked=True, of=row)
    rows = uow.connection.execute(query).all()
    claimed: dict[tuple[str, str], tuple[str, str]] = {}
    for merchant_id, key, recipient in rows:
        claimed.setdefault((merchant_id, recipient), (merchant_id, key))
    keys = list(claimed.values())
    if keys:
        uow.connection.execute(
            update(row)
            .where(tuple_(row.c.merchant_id, row.c[queue.key]).in_(keys))
            .values(lease_until=now + LEASE, attempts=row.c.attempts + 1)
        )
    return keys

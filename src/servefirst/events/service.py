"""Writing to the outbox and reading events back (the delivery worker reads
the events not read yet, and marks them read, through here)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, select, update

from servefirst.db.appended import append, write_appended
from servefirst.db.uow import UnitOfWork
from servefirst.events.models import Event
from servefirst.kit.ids import new_id


def emit(uow: UnitOfWork, type: str, object_id: str, data: dict[str, Any]) -> str:
    """Record that something happened, in the caller's transaction.

    The row is written when the unit of work commits, with every other event
    it emitted, in one statement (a payment emits two or three): it is part of
    the same transaction, so it is kept exactly when the change it tells of is.
    """
    event_id = new_id("evt")
    append(
        uow,
        _EVENTS,
        {
            "merchant_id": uow.merchant,
            "event_id": event_id,
            "type": type,
            "object_id": object_id,
            "data": data,
            "created_at": uow.clock.now(),
        },
    )
    return event_id


_EVENTS = cast(Table, Event.__table__)


def recent(uow: UnitOfWork, *, limit: int = 50, type: str | None = None) -> list[Event]:
    write_appended(uow)  # this transaction's own events too
    query = select(Event).where(Event.merchant_id == uow.merchant)
    if type:
        query = query.where(Event.type == type)
    query = query.order_by(Event.created_at.desc(), Event.event_id.desc()).limit(limit)
    return list(uow.session.scalars(query))


def data_of(uow: UnitOfWork, event_id: str) -> dict[str, Any] | None:
    """One event's data (None: no such event of this merchant)."""
    return uow.session.scalar(
        select(Event.data).where(Event.merchant_id == uow.merchant, Event.event_id == event_id)
    )


def merchants_with_news(uow: UnitOfWork, merchants: Sequence[str] | None) -> list[str]:
    """The merchants with events not read yet, the longest waiting first (read
    from the oldest thousand unread events); only ``merchants``, if given."""
    query = (
        select(_EVENTS.c.merchant_id)
        .where(_EVENTS.c.delivered_at.is_(None))
        .order_by(_EVENTS.c.created_at)
        .limit(1000)
    )
    if merchants is not None:
        query = query.where(_EVENTS.c.merchant_id.in_(merchants))
    return list(dict.fromkeys(uow.connection.execute(query).scalars()))


def unread(uow: UnitOfWork, *, limit: int) -> Sequence[Row[Any]]:
    """The merchant's events not read yet, oldest first (plain rows)."""
    return uow.connection.execute(
        select(_EVENTS)
        .where(_EVENTS.c.merchant_id == uow.merchant, _EVENTS.c.delivered_at.is_(None))
        .order_by(_EVENTS.c.created_at, _EVENTS.c.event_id)
        .limit(limit)
    ).all()


def mark_read(uow: UnitOfWork, event_ids: list[str], now: datetime) -> int:
    """Mark these events read, those still unread only; how many were."""
    return uow.connection.execute(
        update(_EVENTS)
        .where(
            _EVENTS.c.merchant_id == uow.merchant,
            _EVENTS.c.event_id.in_(event_ids),
            _EVENTS.c.delivered_at.is_(None),
        )
        .values(delivered_at=now)
    ).rowcount

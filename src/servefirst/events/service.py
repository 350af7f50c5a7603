"""Writing to the outbox and reading events back."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, insert, select

from servefirst.db.uow import UnitOfWork
from servefirst.events.models import Event
from servefirst.kit.ids import new_id


def emit(uow: UnitOfWork, type: str, object_id: str, data: dict[str, Any]) -> str:
    """Record that something happened, in the caller's transaction."""
    event_id = new_id("evt")
    # One statement object for every event: its compiled form is cached, where
    # ``insert(Event).values(...)`` builds and hashes a new statement each time.
    # A plain Core insert on the transaction's connection: the ORM's bulk
    # insert path (and the autoflush before it) costs several times the
    # statement itself, on a call every write makes.
    uow.flush()
    uow.connection.execute(
        _INSERT_EVENT,
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


_INSERT_EVENT = insert(cast(Table, Event.__table__))


def recent(uow: UnitOfWork, *, limit: int = 50, type: str | None = None) -> list[Event]:
    query = select(Event).where(Event.merchant_id == uow.merchant)
    if type:
        query = query.where(Event.type == type)
    query = query.order_by(Event.created_at.desc(), Event.event_id.desc()).limit(limit)
    return list(uow.session.scalars(query))

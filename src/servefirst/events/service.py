"""Writing to the outbox and reading events back."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, select

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

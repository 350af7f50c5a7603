from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Query

from servefirst.api.context import MerchantUoW
from servefirst.api.fields import Out
from servefirst.api.routing import ServefirstRoute
from servefirst.events.service import recent

router = APIRouter(prefix="/v1/events", tags=["events"], route_class=ServefirstRoute)


class EventOut(Out):
    id: str
    type: str
    object_id: str
    data: dict[str, Any]
    created_at: datetime


class EventList(Out):
    object: Literal["list"] = "list"
    data: list[EventOut]


@router.get("", response_model=EventList, summary="What happened, newest first")
def list_events(
    uow: MerchantUoW, type: str | None = None, limit: int = Query(50, ge=1, le=200)
) -> EventList:
    return EventList(
        data=[
            EventOut(
                id=e.event_id,
                type=e.type,
                object_id=e.object_id,
                data=e.data,
                created_at=e.created_at,
            )
            for e in recent(uow, limit=limit, type=type)
        ]
    )

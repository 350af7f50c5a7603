"""Where webhook endpoints and their deliveries are kept: every look-up the
webhooks use cases make, and the one dialect difference they have.

Recording an attempt's outcome reads and changes a delivery and its endpoint
together (the endpoint's failing streak, a disable): on PostgreSQL both rows
are held (``FOR UPDATE``), the delivery first, then the endpoint, so the
outcome is written over the rows as they are, not as another transaction
found them; SQLite's writing unit of work already holds the write lock from
its ``BEGIN IMMEDIATE``, so there the look-ups lock nothing. Claiming
deliveries to send is the queue's (``messages.queue``), not this module's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from sqlalchemy import ColumnElement, Table, exists, select, update

from servefirst.webhooks.models import WebhookDelivery, WebhookEndpoint
from servefirst.webhooks.rules import DELETED, ENABLED

if TYPE_CHECKING:
    from servefirst.db.uow import UnitOfWork


# --- endpoints -------------------------------------------------------------------------


def endpoint(uow: UnitOfWork, endpoint_id: str) -> WebhookEndpoint | None:
    """The merchant's endpoint of that id, deleted or not."""
    return uow.session.get(WebhookEndpoint, (uow.merchant, endpoint_id))


def endpoints(uow: UnitOfWork) -> list[WebhookEndpoint]:
    """The merchant's endpoints not deleted, oldest first."""
    return list(
        uow.session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.merchant_id == uow.merchant, WebhookEndpoint.status != DELETED)
            .order_by(WebhookEndpoint.created_at)
        )
    )


def add(uow: UnitOfWork, row: WebhookEndpoint | WebhookDelivery) -> None:
    uow.session.add(row)


# --- deliveries --------------------------------------------------------------------------

#: The deliveries' table, which the delivery worker's queue (``messages.queue``)
#: claims rows of, each endpoint's in order, as it claims messages.
DELIVERIES = cast(Table, WebhookDelivery.__table__)
_ENDPOINTS = cast(Table, WebhookEndpoint.__table__)


def to_an_enabled_endpoint() -> ColumnElement[bool]:
    """A delivery's endpoint is enabled: a disabled endpoint's deliveries wait
    (a condition on ``DELIVERIES``, for the queue's claim)."""
    return exists(
        select(1).where(
            _ENDPOINTS.c.merchant_id == DELIVERIES.c.merchant_id,
            _ENDPOINTS.c.endpoint_id == DELIVERIES.c.endpoint_id,
            _ENDPOINTS.c.status == ENABLED,
        )
    )


def delivery(uow: UnitOfWork, delivery_id: str) -> WebhookDelivery | None:
    return uow.session.get(WebhookDelivery, (uow.merchant, delivery_id))


def locked_for_outcome(
    uow: UnitOfWork, delivery_id: str, endpoint_id: str
) -> tuple[WebhookDelivery, WebhookEndpoint]:
    """A delivery and its endpoint, held until commit (PostgreSQL): an
    attempt's outcome is written to both. The endpoint is taken first, as a
    delete takes it (it marks the endpoint, then gives up its deliveries):
    taken the other way round, each would wait for the other."""
    owner = uow.session.get(
        WebhookEndpoint, (uow.merchant, endpoint_id), with_for_update=uow.locks_rows
    )
    held = uow.session.get(
        WebhookDelivery, (uow.merchant, delivery_id), with_for_update=uow.locks_rows
    )
    # The rows outlive every delivery (an endpoint is only ever marked deleted).
    assert held is not None and owner is not None
    return held, owner


def deliveries_of(uow: UnitOfWork, endpoint_id: str, *, limit: int) -> list[WebhookDelivery]:
    """An endpoint's deliveries, newest first."""
    return list(
        uow.session.scalars(
            select(WebhookDelivery)
            .where(
                WebhookDelivery.merchant_id == uow.merchant,
                WebhookDelivery.endpoint_id == endpoint_id,
            )
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.delivery_id.desc())
            .limit(limit)
        )
    )


def failed_to_live_endpoints(uow: UnitOfWork, *, limit: int) -> list[WebhookDelivery]:
    """Deliveries given up on, newest first, of endpoints not deleted."""
    return list(
        uow.session.scalars(
            select(WebhookDelivery)
            .join(
                WebhookEndpoint,
                (WebhookEndpoint.merchant_id == WebhookDelivery.merchant_id)
                & (WebhookEndpoint.endpoint_id == WebhookDelivery.endpoint_id),
            )
            .where(
                WebhookDelivery.merchant_id == uow.merchant,
                WebhookDelivery.status == "failed",
                WebhookEndpoint.status != DELETED,
            )
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.delivery_id.desc())
            .limit(limit)
        )
    )


def give_up_pending(uow: UnitOfWork, endpoint_id: str, why: str) -> None:
    """Every delivery of the endpoint still to be tried, failed with ``why``."""
    uow.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.merchant_id == uow.merchant,
            WebhookDelivery.endpoint_id == endpoint_id,
            WebhookDelivery.status == "pending",
        )
        .values(status="failed", last_error=why, lease_until=None)
    )

"""Use cases for webhooks: endpoints (create, list, update, delete), the
deliveries planned from the outbox, what became of each attempt."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.errors import Conflict, NotFound
from servefirst.kit.i18n import N_
from servefirst.kit.ids import new_id
from servefirst.messages.rules import OutboxEvent
from servefirst.webhooks import repository, rules
from servefirst.webhooks.models import WebhookDelivery, WebhookEndpoint

ENABLED, DISABLED, DELETED = rules.ENABLED, rules.DISABLED, rules.DELETED

#: Why an endpoint was disabled: kept in English (the API shows it), marked so
#: the console can say it in the page's language.
BY_THE_MERCHANT = N_("disabled by the merchant")
GONE = N_("the endpoint answered 410 Gone")
FAILING = N_("every delivery failed for 5 days")
#: A change asked of a deleted endpoint (a console page left open may still offer one).
WAS_DELETED = N_(
    "The webhook endpoint %(endpoint)s was deleted: it cannot be changed and its deliveries"
    " are not sent again."
)


def create_endpoint(
    uow: UnitOfWork, *, url: str, events: list[str], allow_private: bool = False
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        merchant_id=uow.merchant,
        endpoint_id=new_id("we"),
        url=rules.check_url(url, allow_private=allow_private),
        events=rules.check_events(events),
        secret=rules.new_secret(),
        status=ENABLED,
        created_at=uow.clock.now(),
    )
    repository.add(uow, endpoint)
    uow.session.flush()
    return endpoint


def get_endpoint(uow: UnitOfWork, endpoint_id: str) -> WebhookEndpoint:
    """An endpoint that may still be changed: a deleted one is not found (its
    log stays readable, ``list_deliveries``)."""
    endpoint = _endpoint_ever_made(uow, endpoint_id)
    if endpoint.status == DELETED:
        raise NotFound(
            WAS_DELETED % {"endpoint": endpoint_id},
            param="endpoint_id",
            figures={"words": WAS_DELETED, "endpoint": endpoint_id},
        )
    return endpoint


def _endpoint_ever_made(uow: UnitOfWork, endpoint_id: str) -> WebhookEndpoint:
    endpoint = repository.endpoint(uow, endpoint_id)
    if endpoint is None:
        raise NotFound(f"No webhook endpoint {endpoint_id}.", param="endpoint_id")
    return endpoint


def list_endpoints(uow: UnitOfWork) -> list[WebhookEndpoint]:
    return repository.endpoints(uow)


def update_endpoint(
    uow: UnitOfWork,
    endpoint_id: str,
    *,
    url: str | None = None,
    events: list[str] | None = None,
    enabled: bool | None = None,
    rotate_secret: bool = False,
    allow_private: bool = False,
) -> WebhookEndpoint:
    """Change an endpoint; ``rotate_secret`` makes a new secret and keeps
    signing with the old one too for a day, so the integrator can switch."""
    endpoint = get_endpoint(uow, endpoint_id)
    if url is not None:
        endpoint.url = rules.check_url(url, allow_private=allow_private)
    if events is not None:
        endpoint.events = rules.check_events(events)
    if enabled is True:
        endpoint.status, endpoint.disabled_reason, endpoint.failing_since = ENABLED, None, None
    elif enabled is False:
        endpoint.status, endpoint.disabled_reason = DISABLED, BY_THE_MERCHANT
    if rotate_secret:
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_until = uow.clock.now() + rules.ROTATION_OVERLAP
        endpoint.secret = rules.new_secret()
    uow.session.flush()
    return endpoint


def delete_endpoint(uow: UnitOfWork, endpoint_id: str) -> WebhookEndpoint:
    """The endpoint gets nothing more; its delivery log is kept, and readable
    (what went out before it was deleted, and what never will)."""
    endpoint = get_endpoint(uow, endpoint_id)
    endpoint.status = DELETED
    repository.give_up_pending(uow, endpoint_id, "the endpoint was deleted")
    uow.session.flush()
    return endpoint


def body_of(event: OutboxEvent) -> str:
    return json.dumps(
        {
            "type": event.type,
            "timestamp": event.created_at.isoformat(),
            "data": {"id": event.object_id, **event.data},
        },
        separators=(",", ":"),
        sort_keys=True,
    )


def plan(uow: UnitOfWork, event: OutboxEvent, endpoints: list[WebhookEndpoint]) -> int:
    """One delivery per enabled endpoint that subscribed to the event's type."""
    planned = 0
    for endpoint in endpoints:
        if endpoint.status != ENABLED or not rules.subscribed(endpoint.events, event.type):
            continue
        repository.add(
            uow,
            WebhookDelivery(
                merchant_id=uow.merchant,
                delivery_id=new_id("whd"),
                endpoint_id=endpoint.endpoint_id,
                event_id=event.event_id,
                event_type=event.type,
                body=body_of(event),
                status="pending",
                attempts=0,
                next_attempt_at=event.created_at,
                created_at=event.created_at,
            ),
        )
        planned += 1
    return planned


@dataclass(frozen=True)
class Outgoing:
    delivery_id: str
    endpoint_id: str
    url: str
    msg_id: str
    body: str
    secrets: tuple[str, ...]


def outgoing(uow: UnitOfWork, delivery_id: str) -> Outgoing | None:
    delivery = repository.delivery(uow, delivery_id)
    if delivery is None or delivery.status != "pending":
        return None
    endpoint = repository.endpoint(uow, delivery.endpoint_id)
    if endpoint is None or endpoint.status != ENABLED:
        return None
    in_force = [endpoint.secret]
    until = endpoint.previous_secret_until
    if endpoint.previous_secret and until and until > uow.clock.now():
        in_force.append(endpoint.previous_secret)
    return Outgoing(
        delivery.delivery_id,
        endpoint.endpoint_id,
        endpoint.url,
        delivery.event_id,
        delivery.body,
        tuple(in_force),
    )


def record(
    uow: UnitOfWork, out: Outgoing, status_code: int | None, error: str | None, now: datetime
) -> None:
    """What became of one attempt: delivered, try again later, or given up;
    the endpoint disabled on a 410 or after failing for five days."""
    delivery, endpoint = repository.locked_for_outcome(uow, out.delivery_id, out.endpoint_id)
    delivery.lease_until = None
    delivery.last_status_code = status_code
    delivery.last_error = error
    if rules.succeeded(status_code):
        delivery.status, delivery.delivered_at = "succeeded", now
        endpoint.failing_since = None
    else:
        retry = rules.retry_at(delivery.attempts, now)
        if retry is None:
            delivery.status = "failed"
        else:
            delivery.next_attempt_at = retry
        endpoint.failing_since = endpoint.failing_since or now
        if rules.disables(status_code):
            _disable(uow, endpoint, GONE)
        elif rules.failing_too_long(endpoint.failing_since, now):
            _disable(uow, endpoint, FAILING)
    uow.session.flush()


def _disable(uow: UnitOfWork, endpoint: WebhookEndpoint, reason: str) -> None:
    if endpoint.status != ENABLED:
        return
    endpoint.status, endpoint.disabled_reason = DISABLED, reason
    # The merchant is told through the outbox (events list, its own webhooks).
    emit(
        uow,
        "webhook_endpoint.disabled",
        endpoint.endpoint_id,
        {"url": endpoint.url, "reason": reason},
    )


def list_deliveries(uow: UnitOfWork, endpoint_id: str, *, limit: int = 50) -> list[WebhookDelivery]:
    """An endpoint's log, newest first; a deleted endpoint's too: the delete
    promises the log is kept, and an integrator reconciling after removing a
    receiver needs to see what reached it."""
    _endpoint_ever_made(uow, endpoint_id)
    return repository.deliveries_of(uow, endpoint_id, limit=limit)


def failed_deliveries(uow: UnitOfWork, *, limit: int = 50) -> list[WebhookDelivery]:
    """Deliveries given up on, newest first (the console), of endpoints still
    there: a deleted endpoint's can never be sent again, so none is offered."""
    return repository.failed_to_live_endpoints(uow, limit=limit)


def retry_delivery(uow: UnitOfWork, endpoint_id: str, delivery_id: str) -> WebhookDelivery:
    """Send a delivery again by hand (replay): a failed one, or a delivered one
    the integrator lost. Same webhook-id, so a careful receiver sees the repeat."""
    endpoint = get_endpoint(uow, endpoint_id)
    delivery = repository.delivery(uow, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint_id:
        raise NotFound(f"No delivery {delivery_id} for this endpoint.", param="delivery_id")
    if delivery.status == "pending":
        raise Conflict("The delivery is still being tried.", code="delivery_pending")
    if endpoint.status != ENABLED:
        raise Conflict("The endpoint is disabled; enable it first.", code="endpoint_disabled")
    delivery.status, delivery.attempts, delivery.lease_until = "pending", 0, None
    delivery.next_attempt_at = uow.clock.now()
    uow.session.flush()
    return delivery


def as_dict(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.endpoint_id,
        "url": endpoint.url,
        "events": endpoint.events,
        "status": endpoint.status,
        "disabled_reason": endpoint.disabled_reason,
        "created_at": endpoint.created_at,
    }

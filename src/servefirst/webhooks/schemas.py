from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from servefirst.api.fields import Body, Out
from servefirst.webhooks.models import WebhookDelivery, WebhookEndpoint

Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=2000)]
EventType = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[a-z_.*]+$"),
]


class EndpointIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"url": "https://example.com/hooks/servefirst", "events": ["payment.succeeded"]}
            ]
        }
    )

    url: Url = Field(examples=["https://example.com/hooks/servefirst"])
    events: list[EventType] = Field(
        min_length=1,
        max_length=100,
        examples=[["payment.succeeded", "tab.paid"]],
        description='Event types, or ["*"] for every event.',
    )


class EndpointUpdate(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"events": ["*"], "enabled": True, "rotate_secret": False}]}
    )

    url: Url | None = Field(default=None, examples=["https://example.com/hooks/servefirst"])
    events: list[EventType] | None = Field(default=None, min_length=1, max_length=100)
    enabled: bool | None = Field(default=None, description="Enable again after it was disabled.")
    rotate_secret: bool = Field(
        default=False,
        description="A new secret (returned once); the old one also signs for 24 hours.",
    )


class EndpointOut(Out):
    id: str
    object: Literal["webhook_endpoint"] = "webhook_endpoint"
    url: str
    events: list[str]
    status: Literal["enabled", "disabled", "deleted"]
    disabled_reason: str | None
    created_at: datetime
    secret: str | None = Field(
        default=None, description="whsec_...: shown when created or rotated, never again."
    )

    @classmethod
    def build(cls, endpoint: WebhookEndpoint, *, with_secret: bool = False) -> EndpointOut:
        return cls(
            id=endpoint.endpoint_id,
            url=endpoint.url,
            events=list(endpoint.events),
            status=endpoint.status,  # type: ignore[arg-type]
            disabled_reason=endpoint.disabled_reason,
            created_at=endpoint.created_at,
            secret=endpoint.secret if with_secret else None,
        )


class EndpointList(Out):
    object: Literal["list"] = "list"
    data: list[EndpointOut]


class DeliveryOut(Out):
    id: str
    object: Literal["webhook_delivery"] = "webhook_delivery"
    endpoint_id: str
    event_id: str = Field(description="Sent as webhook-id on every attempt.")
    event_type: str
    status: Literal["pending", "succeeded", "failed"]
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None

    @classmethod
    def build(cls, d: WebhookDelivery) -> DeliveryOut:
        return cls(
            id=d.delivery_id,
            endpoint_id=d.endpoint_id,
            event_id=d.event_id,
            event_type=d.event_type,
            status=d.status,  # type: ignore[arg-type]
            attempts=d.attempts,
            last_status_code=d.last_status_code,
            last_error=d.last_error,
            next_attempt_at=d.next_attempt_at if d.status == "pending" else None,
            created_at=d.created_at,
            delivered_at=d.delivered_at,
        )


class DeliveryList(Out):
    object: Literal["list"] = "list"
    data: list[DeliveryOut]

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from servefirst.api.context import MerchantUoW, runtime_of
from servefirst.api.routing import ServefirstRoute
from servefirst.webhooks import service as webhooks
from servefirst.webhooks.schemas import (
    DeliveryList,
    DeliveryOut,
    EndpointIn,
    EndpointList,
    EndpointOut,
    EndpointUpdate,
)


async def allow_private(request: Request) -> bool:
    return runtime_of(request).settings.webhooks_allow_private


AllowPrivate = Annotated[bool, Depends(allow_private)]

router = APIRouter(prefix="/v1/webhook-endpoints", tags=["webhooks"], route_class=ServefirstRoute)


@router.post(
    "",
    status_code=201,
    response_model=EndpointOut,
    operation_id="create_webhook_endpoint",
    summary="Subscribe a URL to events (the signing secret is shown once)",
)
def create_webhook_endpoint(
    body: EndpointIn, uow: MerchantUoW, private: AllowPrivate
) -> EndpointOut:
    endpoint = webhooks.create_endpoint(
        uow, url=body.url, events=body.events, allow_private=private
    )
    return EndpointOut.build(endpoint, with_secret=True)


@router.get(
    "",
    response_model=EndpointList,
    operation_id="list_webhook_endpoints",
    summary="The webhook endpoints",
)
def list_webhook_endpoints(uow: MerchantUoW) -> EndpointList:
    return EndpointList(data=[EndpointOut.build(e) for e in webhooks.list_endpoints(uow)])


@router.post(
    "/{endpoint_id}",
    response_model=EndpointOut,
    operation_id="update_webhook_endpoint",
    summary="Change an endpoint's URL or events, enable it again, or rotate its secret",
)
def update_webhook_endpoint(
    endpoint_id: str, body: EndpointUpdate, uow: MerchantUoW, private: AllowPrivate
) -> EndpointOut:
    endpoint = webhooks.update_endpoint(
        uow, endpoint_id, **body.model_dump(), allow_private=private
    )
    return EndpointOut.build(endpoint, with_secret=body.rotate_secret)


@router.delete(
    "/{endpoint_id}",
    response_model=EndpointOut,
    operation_id="delete_webhook_endpoint",
    summary="Delete an endpoint (its delivery log is kept, and still listed)",
)
def delete_webhook_endpoint(endpoint_id: str, uow: MerchantUoW) -> EndpointOut:
    return EndpointOut.build(webhooks.delete_endpoint(uow, endpoint_id))


@router.get(
    "/{endpoint_id}/deliveries",
    response_model=DeliveryList,
    operation_id="list_webhook_deliveries",
    summary="An endpoint's deliveries, newest first, with status and attempts",
    description="A deleted endpoint's deliveries are listed too; none of them is sent again.",
)
def list_webhook_deliveries(
    endpoint_id: str, uow: MerchantUoW, limit: int = Query(50, ge=1, le=200)
) -> DeliveryList:
    found = webhooks.list_deliveries(uow, endpoint_id, limit=limit)
    return DeliveryList(data=[DeliveryOut.build(d) for d in found])


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/retry",
    response_model=DeliveryOut,
    operation_id="retry_webhook_delivery",
    summary="Send a delivery again now (same webhook-id)",
    responses={
        404: {"description": "no such delivery for this endpoint, or the endpoint was deleted"},
        409: {"description": "delivery_pending or endpoint_disabled"},
    },
)
def retry_webhook_delivery(endpoint_id: str, delivery_id: str, uow: MerchantUoW) -> DeliveryOut:
    return DeliveryOut.build(webhooks.retry_delivery(uow, endpoint_id, delivery_id))

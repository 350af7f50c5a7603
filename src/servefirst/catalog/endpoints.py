from __future__ import annotations

from fastapi import APIRouter

from servefirst.api.context import MerchantUoW
from servefirst.api.routing import ServefirstRoute
from servefirst.catalog import service as catalog
from servefirst.catalog.schemas import ServiceIn, ServiceList, ServiceOut, ServiceUpdate
from servefirst.merchants.service import get_merchant

router = APIRouter(prefix="/v1/services", tags=["services"], route_class=ServefirstRoute)


@router.post("", status_code=201, response_model=ServiceOut, summary="Add a service")
def create_service(body: ServiceIn, uow: MerchantUoW) -> ServiceOut:
    policy = body.deposit_policy.overrides() if body.deposit_policy else None
    service, terms = catalog.create_service(
        uow, **body.model_dump(exclude={"deposit_policy"}), deposit_policy=policy
    )
    return ServiceOut.build(service, terms, get_merchant(uow).currency)


@router.get("", response_model=ServiceList, summary="List the services on sale")
def list_services(uow: MerchantUoW, include_inactive: bool = False) -> ServiceList:
    currency = get_merchant(uow).currency
    return ServiceList(
        data=[
            ServiceOut.build(s, t, currency)
            for s, t in catalog.list_services(uow, include_inactive=include_inactive)
        ]
    )


@router.get("/{service_id}", response_model=ServiceOut, summary="Get a service")
def get_service(service_id: str, uow: MerchantUoW) -> ServiceOut:
    service = catalog.get_service(uow, service_id)
    return ServiceOut.build(
        service, catalog.current_terms(uow, service), get_merchant(uow).currency
    )


@router.post(
    "/{service_id}",
    response_model=ServiceOut,
    summary="Update a service (new terms make a new terms version)",
)
def update_service(service_id: str, body: ServiceUpdate, uow: MerchantUoW) -> ServiceOut:
    changes = body.model_dump(exclude_unset=True, exclude={"deposit_policy"})
    if "deposit_policy" in body.model_fields_set:
        policy = body.deposit_policy
        changes["deposit_policy"] = policy.overrides() if policy else None
    service, terms = catalog.update_service(uow, service_id, changes)
    return ServiceOut.build(service, terms, get_merchant(uow).currency)

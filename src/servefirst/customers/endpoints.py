from __future__ import annotations

from fastapi import APIRouter, Query

from servefirst.api.context import MerchantUoW
from servefirst.api.routing import ServefirstRoute
from servefirst.customers import merging
from servefirst.customers import service as customers
from servefirst.customers.schemas import (
    CustomerIn,
    CustomerList,
    CustomerOut,
    CustomerUpdateIn,
    MergeIn,
)
from servefirst.trust.endpoints import router as trust_routes

customer_routes = APIRouter(prefix="/v1/customers", tags=["customers"], route_class=ServefirstRoute)


@customer_routes.post(
    "", status_code=201, response_model=CustomerOut, summary="Register a customer"
)
def create_customer(body: CustomerIn, uow: MerchantUoW) -> CustomerOut:
    customer = customers.create_customer(uow, **body.model_dump())
    return CustomerOut.build(customer, customers.trust_of(uow, customer))


@customer_routes.get(
    "", response_model=CustomerList, summary="Search customers by name, e-mail or phone"
)
def list_customers(
    uow: MerchantUoW, q: str = "", limit: int = Query(20, ge=1, le=100)
) -> CustomerList:
    return CustomerList(
        data=[
            CustomerOut.build(c, customers.trust_of(uow, c))
            for c in customers.search_customers(uow, q, limit=limit)
        ]
    )


@customer_routes.get(
    "/{customer_id}", response_model=CustomerOut, summary="Get a customer and their trust"
)
def get_customer(customer_id: str, uow: MerchantUoW) -> CustomerOut:
    customer = customers.get_customer(uow, customer_id)
    return CustomerOut.build(customer, customers.trust_of(uow, customer))


@customer_routes.post(
    "/{customer_id}",
    response_model=CustomerOut,
    summary="Change a customer's name, e-mail, phone or tax id",
    description="Only the fields sent change; a tax id is checked as on creation"
    " (422 tax_id_invalid) and '' takes it off.",
    operation_id="update_customer",
)
def update_customer(customer_id: str, body: CustomerUpdateIn, uow: MerchantUoW) -> CustomerOut:
    customer = customers.update_customer(uow, customer_id, **body.model_dump(exclude_none=True))
    return CustomerOut.build(customer, customers.trust_of(uow, customer))


@customer_routes.post(
    "/{customer_id}/merge",
    response_model=CustomerOut,
    summary="Merge a duplicate customer into another",
    description="Tabs, bookings, trust history and messages of the customer in the path move"
    " to `into`; both histories count as one. The merged id answers 404 afterwards. Asking"
    " for the same merge again answers the same.",
    operation_id="merge_customer",
)
def merge_customer(customer_id: str, body: MergeIn, uow: MerchantUoW) -> CustomerOut:
    kept = merging.merge_customer(uow, customer_id, body.into)
    return CustomerOut.build(kept, customers.trust_of(uow, kept))


#: What the app mounts: the customer routes and their trust routes.
router = APIRouter()
router.include_router(customer_routes)
router.include_router(trust_routes)

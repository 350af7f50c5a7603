from __future__ import annotations

from fastapi import APIRouter, Query

from servefirst.api.context import MerchantUoW
from servefirst.api.routing import ServefirstRoute
from servefirst.customers import service as customers
from servefirst.customers.schemas import CustomerIn, CustomerList, CustomerOut
from servefirst.trust.endpoints import router as trust_routes

customer_routes = APIRouter(prefix="/v1/customers", tags=["customers"], route_class=ServefirstRoute)


@customer_routes.post(
    "", status_code=201, response_model=CustomerOut, summary="Register a customer"
)
def create_customer(body: CustomerIn, uow: MerchantUoW) -> CustomerOut:
    customer = customers.create_customer(uow, **body.model_dump(exclude={"messages_opt_out"}))
    customer.messages_opt_out = body.messages_opt_out
    return CustomerOut.build(customer)


@customer_routes.get(
    "", response_model=CustomerList, summary="Search customers by name, e-mail or phone"
)
def search_customers(
    uow: MerchantUoW, q: str = "", limit: int = Query(20, ge=1, le=100)
) -> CustomerList:
    return CustomerList(
        data=[CustomerOut.build(c) for c in customers.search_customers(uow, q, limit=limit)]
    )


@customer_routes.get(
    "/{customer_id}", response_model=CustomerOut, summary="Get a customer and their trust"
)
def get_customer(customer_id: str, uow: MerchantUoW) -> CustomerOut:
    return CustomerOut.build(customers.get_customer(uow, customer_id))


#: What the app mounts: the customer routes and their trust routes.
router = APIRouter()
router.include_router(customer_routes)
router.include_router(trust_routes)

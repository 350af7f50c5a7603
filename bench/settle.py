"""Settle rate in process: a tab opened, given two lines, served and paid by
card (sandbox), through the service layer with no HTTP in between.

Each step is its own unit of work, as it is behind the API (one transaction
per request): seven transactions per settled tab (a card payment is three).

By default every client has its own merchant (``shared_merchant=False``):
servefirst shards by merchant, so realistic load is many merchants, each with
a few tills. ``shared_merchant=True`` puts every client on one merchant (one
customer each), which serialises on that merchant's ledger balance rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.workers import Rate, run_clients
from servefirst.catalog.service import create_service
from servefirst.config import Settings
from servefirst.customers.service import create_customer
from servefirst.merchants.service import create_merchant
from servefirst.payments.service import pay_tab
from servefirst.runtime import Runtime
from servefirst.tabs.service import add_line, open_tab, serve

#: The sandbox card that always succeeds (see the contract).
TEST_CARD = "4242424242424242"
PRICES = (380, 450)


@dataclass(frozen=True)
class Shop:
    """What one client needs to run the lifecycle: a merchant, a customer, two services."""

    merchant_id: str
    api_key: str
    customer_id: str
    service_ids: tuple[str, ...]


def make_runtime(url: str) -> Runtime:
    runtime = Runtime.create(Settings(database_url=url))
    runtime.migrate()
    return runtime


def open_shops(runtime: Runtime, clients: int, *, shared_merchant: bool = False) -> list[Shop]:
    shops: list[Shop] = []
    merchant: tuple[str, str, tuple[str, ...]] | None = None
    for no in range(clients):
        with runtime.uow() as uow:
            if merchant is None or not shared_merchant:
                created = create_merchant(uow, name=f"Bench shop {no}", currency="EUR")
                services = tuple(
                    create_service(
                        uow,
                        name=f"Service {price}",
                        price=price,
                        duration_minutes=10,
                        expected_results=["As described"],
                        limits=["None"],
                    )[0].service_id
                    for price in PRICES
                )
                merchant = (created.merchant.merchant_id, created.api_key, services)
            uow.merchant_id = merchant[0]
            customer = create_customer(uow, name=f"Customer {no}")
            uow.commit()
        shops.append(Shop(merchant[0], merchant[1], customer.customer_id, merchant[2]))
    return shops


def settle_one(runtime: Runtime, shop: Shop) -> None:
    """One tab, start to paid: open, two lines, serve, pay by card."""
    with runtime.uow(shop.merchant_id) as uow:
        tab_id = open_tab(uow, customer_id=shop.customer_id).tab_id
        uow.commit()
    for service_id in shop.service_ids:
        with runtime.uow(shop.merchant_id) as uow:
            add_line(uow, tab_id, service_id=service_id)
            uow.commit()
    with runtime.uow(shop.merchant_id) as uow:
        serve(uow, tab_id)
        uow.commit()
    with runtime.uow(shop.merchant_id) as uow:
        pay_tab(uow, tab_id, method="card", amount=None, card=TEST_CARD)
        uow.commit()


def measure_settle(
    runtime: Runtime, shops: list[Shop], seconds: float, *, max_units: int | None = None
) -> Rate:
    return run_clients(
        len(shops), seconds, lambda no: settle_one(runtime, shops[no]), max_units=max_units
    )


def settle_rate(url: str, clients: int, seconds: float, *, shared_merchant: bool = False) -> Rate:
    runtime = make_runtime(url)
    try:
        shops = open_shops(runtime, clients, shared_merchant=shared_merchant)
        settle_one(runtime, shops[0])  # warm caches and compiled statements
        return measure_settle(runtime, shops, seconds)
    finally:
        runtime.dispose()

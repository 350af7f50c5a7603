"""The FastAPI application: the REST API, the customer's and staff's pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from sqlalchemy import text

from servefirst import __version__
from servefirst.api import docs, errors, middleware, openapi
from servefirst.api.context import _KeyCache
from servefirst.availability.code_endpoints import router as email_codes_router
from servefirst.availability.endpoints import router as availability_router
from servefirst.bookings.endpoints import router as bookings_router
from servefirst.cashup.endpoints import router as day_closes_router
from servefirst.cashup.pages import router as day_close_pages_router
from servefirst.catalog.endpoints import router as services_router
from servefirst.customers.endpoints import router as customers_router
from servefirst.earnings.endpoints import router as earnings_router
from servefirst.events.endpoints import router as events_router
from servefirst.exports.endpoints import router as exports_router
from servefirst.exports.pages import router as export_pages_router
from servefirst.guarantee.endpoints import router as guarantee_router
from servefirst.ledger.endpoints import router as ledger_router
from servefirst.loyalty.endpoints import router as loyalty_router
from servefirst.loyalty.pages import router as loyalty_pages_router
from servefirst.merchants.endpoints import router as merchant_router
from servefirst.messages.endpoints import pages as message_pages_router
from servefirst.messages.endpoints import router as messages_router
from servefirst.messages.endpoints import settings as message_settings_router
from servefirst.messages.in_server import lifespan as delivery_worker
from servefirst.messages.pages import router as message_console_router
from servefirst.payments.endpoints import router as payments_router
from servefirst.payments.gateway_endpoints import router as gateway_router
from servefirst.payments.gateway_pages import router as card_payments_pages_router
from servefirst.payments.pages import router as dispute_pages_router
from servefirst.payments.recovery import lifespan as payment_recovery
from servefirst.payments.refund_endpoints import router as refunds_router
from servefirst.receipts.endpoints import pages as receipt_pages_router
from servefirst.receipts.endpoints import router as receipts_router
from servefirst.reports.debtor_pages import router as debtor_pages_router
from servefirst.reports.endpoints import router as reports_router
from servefirst.reports.pages import BrowsersToReportPages
from servefirst.reports.pages import router as report_pages_router
from servefirst.reviews.endpoints import router as reviews_router
from servefirst.risk.pages import router as risk_pages_router
from servefirst.runtime import Runtime
from servefirst.staff.endpoints import router as staff_router
from servefirst.staff.pages import router as staff_pages_router
from servefirst.staff.web import keep_form
from servefirst.tabs.endpoints import router as tabs_router
from servefirst.tabs.public import router as public_router
from servefirst.taxes.endpoints import router as taxes_router
from servefirst.trust.pages import router as trust_policy_pages_router
from servefirst.web import error_pages
from servefirst.web.booking_manage import router as booking_manage_router
from servefirst.web.booking_pages import router as booking_pages_router
from servefirst.web.customer import router as customer_pages_router
from servefirst.web.stripe_card import router as stripe_card_router
from servefirst.webhooks.endpoints import router as webhooks_router

STATIC_DIR = Path(__file__).parent / "web" / "static"

DESCRIPTION = """
**Serve first, pay after.** Open a tab when the service starts, add what was
served, let the customer see it (with what each service promises and what it
does not), rate it, raise a concern, and pay afterwards.

* Authenticate with `Authorization: Bearer sk_...` (from `servefirst merchant create`).
  The customer's routes (`/v1/public/...`) take the tab token in the path instead.
* Money is an integer of minor units in the merchant's currency (`450` is 4.50 EUR).
* Every POST accepts `Idempotency-Key`: the same key and body replays the first
  answer (header `Idempotent-Replayed: true`); another body answers 422; a
  request still running answers 409.
* Errors: `{"error": {"type", "code", "message", "param"}}`.
"""


class Health(BaseModel):
    status: Literal["ok"]


class Unhealthy(BaseModel):
    status: Literal["unavailable"]
    detail: str = Field(description="The kind of failure (an exception's name).")


def _background(runtime: Runtime) -> Callable[[Any], Any]:
    worker, recovery = delivery_worker(runtime), payment_recovery(runtime)

    @asynccontextmanager
    async def both(app: Any) -> AsyncIterator[None]:
        async with worker(app), recovery(app):
            yield

    return both


def create_app(runtime: Runtime | None = None) -> FastAPI:
    runtime = runtime or Runtime.create()
    app = FastAPI(
        title="servefirst",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # served by api.docs, from the package
        redoc_url=None,
        generate_unique_id_function=openapi.operation_id,
        # The delivery worker and payment recovery in threads while the app
        # runs, when asked (settings.deliver_in_process: ``servefirst serve``
        # without --no-worker).
        lifespan=_background(runtime),
        openapi_tags=[
            {"name": "services", "description": "The catalog, with versioned terms."},
            {"name": "customers", "description": "Customers and their trust."},
            {"name": "tabs", "description": "Open, add, serve, void."},
            {"name": "payments", "description": "Cash, terminal and sandbox card payments."},
            {"name": "guarantee", "description": "Concerns and their resolution."},
            {"name": "customer", "description": "The customer's routes, by tab token."},
            {"name": "ledger", "description": "Double-entry balances and entries."},
            {"name": "bookings", "description": "Bookings, deposits and card holds."},
            {"name": "staff", "description": "Staff members, their commission."},
            {"name": "reports", "description": "Cash flow, trust, satisfaction, earnings."},
            {"name": "messages", "description": "E-mails and texts sent, and their state."},
            {"name": "webhooks", "description": "Signed event deliveries to integrators."},
        ],
    )
    app.state.runtime = runtime
    app.state.key_cache = _KeyCache(
        runtime.settings.api_key_cache_seconds, runtime.settings.api_key_cache_size
    )
    errors.install(app)
    error_pages.install(app)  # pages answer a refused value with a page, not JSON
    openapi.install(app)
    # FastAPI tries routes one at a time, in the order they were added (a
    # regex and some bookkeeping each, twice a request): the serve-first
    # loop's routers come first, so opening, adding to, serving and paying a
    # tab are found before the rest. No two routers' paths overlap, so the
    # order changes nothing else.
    api_routers = (
        tabs_router,
        payments_router,
        refunds_router,
        receipts_router,
        merchant_router,
        services_router,
        customers_router,
        bookings_router,
        guarantee_router,
        public_router,
        reviews_router,
        ledger_router,
        loyalty_router,
        reports_router,
        day_closes_router,
        exports_router,
        earnings_router,
        taxes_router,
        staff_router,
        availability_router,
        email_codes_router,
        events_router,
        messages_router,
        message_settings_router,
        webhooks_router,
        gateway_router,
    )
    page_routers = (
        message_pages_router,
        customer_pages_router,
        receipt_pages_router,
        booking_pages_router,
        booking_manage_router,
        stripe_card_router,
        staff_pages_router,
        risk_pages_router,
        day_close_pages_router,
        loyalty_pages_router,
        # Before the report pages: /staff/reports/{key} would take its address.
        export_pages_router,
        report_pages_router,
        debtor_pages_router,
        trust_policy_pages_router,
        message_console_router,
        dispute_pages_router,
        card_payments_pages_router,
    )
    for router in api_routers:
        app.include_router(router)
    for router in page_routers:
        # The console's NUL check reads every field a form carried
        # (staff.web.typed_in); pages only, so the API's requests skip it.
        app.include_router(router, dependencies=[Depends(keep_form)])
    app.add_middleware(BrowsersToReportPages)
    # Every script and stylesheet is served by the app itself: no CDN.
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # Body limits, security headers, HEAD, CORS, gzip; /docs without a CDN.
    middleware.install(app, runtime.settings)
    docs.install(app)

    @app.get(
        "/healthz",
        tags=["health"],
        summary="200 when the database answers",
        response_model=Health,
        responses={503: {"model": Unhealthy, "description": "The database does not answer."}},
    )
    def health() -> JSONResponse:
        try:
            with runtime.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
            return JSONResponse(
                {"status": "unavailable", "detail": type(exc).__name__}, status_code=503
            )
        return JSONResponse({"status": "ok"})

    return app

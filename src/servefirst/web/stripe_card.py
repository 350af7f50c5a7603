"""The customer's page for a merchant on Stripe: the card is collected by
Stripe.js (the Card Element) in the browser and goes to Stripe, never here.

The page asks ``/t/{token}/card-setup`` for a SetupIntent's client secret,
Stripe.js confirms it with the card (``confirmCardSetup``) and hands back a
PaymentMethod id, and the page's form posts that id to ``/t/{token}/pay``.
The online booking page's deposit does the same through ``/b/{slug}/card-setup``
and ``/b/{slug}/book``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from servefirst.api.headers import policy_allowing
from servefirst.kit.errors import NotFound, ServefirstError
from servefirst.kit.ids import merchant_of_credential
from servefirst.merchants.service import merchant_by_slug
from servefirst.payments.accounts import account_of, stripe_gateway_of
from servefirst.runtime import Runtime
from servefirst.tabs.service import tab_for_token

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class StripeCard:
    publishable_key: str
    js_url: str

    @property
    def content_security_policy(self) -> str:
        """The page's policy: the usual one, plus Stripe.js's origin."""
        parts = urlsplit(self.js_url)
        return policy_allowing(f"{parts.scheme}://{parts.netloc}")


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def stripe_card_of(request: Request, token: str) -> StripeCard | None:
    """None unless the tab's merchant takes cards through Stripe."""
    merchant_id = merchant_of_credential(token)
    if merchant_id is None:
        return None
    return stripe_card_of_merchant(request, merchant_id)


def stripe_card_of_merchant(request: Request, merchant_id: str) -> StripeCard | None:
    """None unless the merchant takes cards through Stripe."""
    runtime = _runtime(request)
    with runtime.uow(merchant_id, write=False) as uow:
        account = account_of(uow)
    if account is None or account.gateway != "stripe" or not account.publishable_key:
        return None
    return StripeCard(account.publishable_key, runtime.settings.stripe_js_url)


@router.post("/t/{token}/card-setup")
def card_setup(request: Request, token: str) -> JSONResponse:
    """A SetupIntent for Stripe.js to confirm with the card the customer types."""
    merchant_id = merchant_of_credential(token)
    try:
        if merchant_id is None:
            raise NotFound("No such tab.", code="tab_not_found")
        with _runtime(request).uow(merchant_id, write=False) as uow:
            tab_for_token(uow, token)  # an unknown tab is 404
            gateway = stripe_gateway_of(uow)
        if gateway is None:
            raise NotFound("This merchant takes no cards through Stripe.", code="resource_missing")
        secret = gateway.setup_card()
    except ServefirstError as exc:
        return JSONResponse(exc.to_dict(), status_code=exc.status)
    return JSONResponse({"client_secret": secret}, headers={"Cache-Control": "no-store"})


@router.post("/b/{slug}/card-setup")
def booking_card_setup(request: Request, slug: str) -> JSONResponse:
    """The same for the online booking page's deposit: Stripe.js confirms the
    SetupIntent with the card, and the page posts the PaymentMethod id; the
    booking then keeps that card on file (a Customer, ``StripeGateway.keep_on_file``)."""
    try:
        with _runtime(request).uow(write=False) as look:
            merchant = merchant_by_slug(look, slug[:63])
        if merchant is None:
            raise NotFound(f"No business at '{slug[:63]}'.", code="merchant_not_found")
        with _runtime(request).uow(merchant.merchant_id, write=False) as uow:
            gateway = stripe_gateway_of(uow)
        if gateway is None:
            raise NotFound("This merchant takes no cards through Stripe.", code="resource_missing")
        secret = gateway.setup_card()
    except ServefirstError as exc:
        return JSONResponse(exc.to_dict(), status_code=exc.status)
    return JSONResponse({"client_secret": secret}, headers={"Cache-Control": "no-store"})

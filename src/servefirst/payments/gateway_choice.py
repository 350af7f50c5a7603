"""Which gateway a payment goes through: the one place it is chosen.

A new card payment takes the merchant's own choice (``POST
/v1/merchant/gateway``: Stripe with its keys, else the sandbox); money already
taken or held is acted on by the gateway that took it, whatever the merchant
chose since. Stripe's library is loaded only by a process that has a merchant
on Stripe (``accounts.stripe_gateway_of``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from servefirst.kit.errors import GatewayUnavailable
from servefirst.payments.accounts import stripe_gateway_of
from servefirst.payments.gateways import STRIPE_KEYS_GONE, Gateways
from servefirst.payments.processor import CardGateway, Gateway

if TYPE_CHECKING:
    from servefirst.db.uow import UnitOfWork


def card_gateway(uow: UnitOfWork) -> CardGateway:
    """The one place a card payment's gateway is chosen: the merchant's own
    (``POST /v1/merchant/gateway``), the sandbox unless it chose Stripe."""
    return stripe_gateway_of(uow) or uow.gateways.sandbox


def gateway_named(
    gateways: Gateways, name: str, uow: UnitOfWork, *, held: str = "payment"
) -> Gateway:
    """The gateway that made a payment or a hold (its ``gateway``), to act on
    it or ask about it: the merchant's Stripe for Stripe's money, even if the
    merchant chose otherwise since. Never another processor in its place:
    the sandbox asked about a Stripe charge would say it never happened.
    Without the merchant's Stripe keys this refuses (409
    ``gateway_unavailable``, ``held`` says of what), before anything is written."""
    if name == "stripe":
        found = stripe_gateway_of(uow)
        if found is None:
            raise GatewayUnavailable(STRIPE_KEYS_GONE[held], details={"gateway": name})
        return found
    return gateways.manual if name == "manual" else gateways.sandbox


def loaded_gateway_named(gateways: Gateways, name: str, merchant_id: str | None = None) -> Gateway:
    """``gateway_named`` with no unit of work open (a refund's call to the
    processor, between its phases): the merchant's Stripe as loaded into this
    process's ``gateways`` earlier in the same request."""
    if name == "stripe" and merchant_id is not None:
        # Made by ``charge_of`` (or the payment), which always runs first with
        # a unit of work to read the merchant's sealed keys.
        stripe = gateways.stripe_by_merchant.get(merchant_id)
        if stripe is None:  # its keys removed since: never another processor in its place
            raise GatewayUnavailable(STRIPE_KEYS_GONE["payment"])
        return stripe
    gateway: Gateway | None = getattr(gateways, name, None)
    if gateway is None:
        raise LookupError(f"no gateway named {name!r}")
    return gateway

"""The merchant's card processor: choosing it, its sealed keys, and the
Stripe gateway made from them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine, select

from servefirst.bookings import repository as bookings
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import GatewayInUse
from servefirst.kit.sealed import Sealer
from servefirst.payments.gateway_rules import stripe_keys
from servefirst.payments.models import GatewayAccount

if TYPE_CHECKING:
    from servefirst.payments.stripe_gateway import StripeGateway

SANDBOX = "sandbox"
STRIPE = "stripe"


def account_of(uow: UnitOfWork) -> GatewayAccount | None:
    """The merchant's choice; no row is the sandbox."""
    return uow.session.get(GatewayAccount, uow.merchant)


def uses_stripe(uow: UnitOfWork) -> bool:
    account = account_of(uow)
    return account is not None and account.gateway == STRIPE


def choose_gateway(
    uow: UnitOfWork,
    *,
    gateway: str,
    secret_key: str | None,
    publishable_key: str | None,
    webhook_secret: str | None,
) -> GatewayAccount:
    """Keep the merchant's choice. Stripe needs all three keys, tidied and
    checked (``gateway_rules``: the kind of each, both from the same mode);
    the two secrets are sealed before they are written."""
    keys = stripe_keys(secret_key, publishable_key, webhook_secret) if gateway == STRIPE else None
    sealer = uow.gateways.sealer
    row = account_of(uow)
    if row is not None and row.gateway == STRIPE and gateway != STRIPE:
        ensure_stripe_holds_nothing(uow)
    if row is None:
        row = GatewayAccount(merchant_id=uow.merchant)
        uow.session.add(row)
    row.gateway = gateway
    row.updated_at = uow.clock.now()
    if keys is not None:
        # Sealing first: without SERVEFIRST_SECRET_KEY this refuses and nothing is written.
        row.secret_key_sealed = sealer.seal(keys.secret_key)
        row.webhook_secret_sealed = sealer.seal(keys.webhook_secret)
        row.publishable_key = keys.publishable_key
    else:
        row.secret_key_sealed = row.webhook_secret_sealed = row.publishable_key = None
    uow.session.flush()
    return row


#: Said when switching away from Stripe would strand money there (a msgid).
STRIPE_STILL_HOLDS = (
    "Stripe still holds money that servefirst is waiting on: a card payment or refund not"
    " yet answered, or a booking's card hold not yet captured or let go. Finish those first"
    " (end or check in the bookings with a card hold; `servefirst payments recover` finishes"
    " what is pending), then switch back to the sandbox. Nothing was changed."
)


def ensure_stripe_holds_nothing(uow: UnitOfWork) -> None:
    """Refuse (409 ``gateway_in_use``) to let go of the Stripe keys while
    Stripe holds money that servefirst still has to finish: without the keys
    nothing could ask Stripe about it, capture it or let it go."""
    payments = uow.gateway_accounts.unanswered_at(STRIPE)
    holds = bookings.stripe_holds_waiting(uow)
    if payments or holds:
        raise GatewayInUse(
            STRIPE_STILL_HOLDS,
            details={"waiting": {"payments_and_refunds": payments, "card_holds": holds}},
        )


def change_stripe_keys(
    uow: UnitOfWork,
    *,
    secret_key: str | None,
    publishable_key: str | None,
    webhook_secret: str | None,
) -> GatewayAccount:
    """The console's form: Stripe with these keys, where a secret left blank
    keeps the one already stored (the form never shows a secret again, so an
    owner changing one key need not paste the others). The kept secret is
    opened and checked with the typed keys by the same rules as the API's
    (a stored test secret key still refuses a new live publishable key)."""
    row = account_of(uow)
    if row is not None and row.gateway == STRIPE:
        secret_key = _typed_or_kept(uow, secret_key, row.secret_key_sealed)
        webhook_secret = _typed_or_kept(uow, webhook_secret, row.webhook_secret_sealed)
    return choose_gateway(
        uow,
        gateway=STRIPE,
        secret_key=secret_key,
        publishable_key=publishable_key,
        webhook_secret=webhook_secret,
    )


def _typed_or_kept(uow: UnitOfWork, typed: str | None, sealed: str | None) -> str | None:
    if (typed or "").strip() or not sealed:
        return typed
    try:
        return uow.gateways.sealer.open(sealed)
    except ValueError:
        # Sealed with another SERVEFIRST_SECRET_KEY: nothing to keep, so the
        # rules ask for the key to be pasted again.
        return typed


def can_keep_keys(uow: UnitOfWork) -> bool:
    """Whether this server can seal a merchant's Stripe secrets (it has a
    ``SERVEFIRST_SECRET_KEY``): without it, choosing Stripe is refused."""
    return uow.gateways.sealer.ready


def stripe_gateway_of(uow: UnitOfWork) -> StripeGateway | None:
    """The merchant's Stripe gateway, or None on the sandbox. One client per
    merchant and key, made once per process. Read on the payment path: through
    the repository, one SELECT by key."""
    account = uow.gateway_accounts.get()
    gateways = uow.gateways
    if account is None or account.gateway != STRIPE or not account.secret_key_sealed:
        # Keys removed: a client made from them before must not be used again
        # (``payments.refunds`` asks for the merchant's by merchant).
        gateways.stripe_by_merchant.pop(uow.merchant, None)
        return None
    cache_key = (account.merchant_id, account.secret_key_sealed)
    gateway = gateways.stripe_clients.get(cache_key)
    if gateway is None:
        from servefirst.payments.stripe_gateway import StripeGateway

        gateway = StripeGateway(
            gateways.sealer.open(account.secret_key_sealed), api_base=gateways.stripe_api_base
        )
        gateways.stripe_clients[cache_key] = gateway
    gateways.stripe_by_merchant[account.merchant_id] = gateway
    return gateway


def webhook_secret_of(uow: UnitOfWork) -> str | None:
    account = uow.gateway_accounts.get()
    if account is None or account.gateway != STRIPE or not account.webhook_secret_sealed:
        return None
    return uow.gateways.sealer.open(account.webhook_secret_sealed)


def ensure_keys_can_open(engine: Engine, secret_key: str | None) -> None:
    """At start-up: a merchant on Stripe with no ``SERVEFIRST_SECRET_KEY`` to
    open its keys, or with another one than they were sealed with (a typo, a
    rotated value), is a server that cannot take its payments: every card
    would fail with a 500. Say so now."""
    with engine.connect() as conn:
        on_stripe = conn.execute(
            select(GatewayAccount.merchant_id, GatewayAccount.secret_key_sealed)
            .where(GatewayAccount.gateway == STRIPE)
            .limit(1)
        ).first()
    if on_stripe is None:
        return
    merchant_id, sealed = on_stripe
    if not secret_key:
        raise SystemExit(
            "servefirst: SERVEFIRST_SECRET_KEY is not set, but merchant "
            f"{merchant_id} takes cards through Stripe and its keys are sealed with it. "
            "Set SERVEFIRST_SECRET_KEY to the value it was set up with."
        )
    try:
        if sealed:
            Sealer(secret_key).open(sealed)
    except ValueError:
        raise SystemExit(
            "servefirst: SERVEFIRST_SECRET_KEY is not the value merchant "
            f"{merchant_id}'s Stripe keys were sealed with, so they cannot be read and no "
            "card could be taken. Set SERVEFIRST_SECRET_KEY to the value it was set up with."
        ) from None

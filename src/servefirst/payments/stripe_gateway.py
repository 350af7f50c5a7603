"""Stripe behind the gateway interface (``payments/gateways.py``).

What maps to what: a payment is a PaymentIntent with automatic capture,
confirmed at once with the PaymentMethod Stripe.js made in the payer's
browser; a card hold is a PaymentIntent with ``capture_method=manual``,
captured for the final amount (tip included) and released by cancelling it.
Every call carries a key of ours as Stripe's ``Idempotency-Key`` (a card
payment's is made from the request's own key: ``api.context.processor_key``),
so a call retried after a lost answer is the same call at Stripe, never a
second charge.
The card number never reaches this module: only PaymentMethod and
PaymentIntent ids do.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import stripe

from servefirst.kit.errors import CardDeclined, InvalidRequest
from servefirst.kit.money import Money
from servefirst.payments.gateways import Authorization, Charge, RefundResult
from servefirst.payments.processor import RefundAtProcessor
from servefirst.payments.stripe_calls import ProcessorUnavailable, call, client_for
from servefirst.payments.stripe_refunds import REFUND_KEY, find_refund, make_refund, refunds_of

#: Stripe keeps an uncaptured PaymentIntent's authorisation about a week.
HOLD_LIFETIME = timedelta(days=7)
#: The metadata that name a PaymentIntent by our keys: the one it was made
#: under, and the one it was captured under (a hold taken for a payment or a fee).
_ATTEMPT, _CAPTURE = "servefirst_attempt", "servefirst_capture"

#: What is imported from here (the refund's metadata and the error kept in
#: ``stripe_refunds`` and ``stripe_calls`` now).
__all__ = ["REFUND_KEY", "ProcessorUnavailable", "StripeGateway"]


class StripeGateway:
    """One merchant's Stripe account, through its own ``StripeClient``."""

    name = "stripe"

    def __init__(self, secret_key: str, *, api_base: str | None = None) -> None:
        self.client = client_for(secret_key, api_base=api_base)

    def charge(
        self,
        amount: Money,
        *,
        card: str | None,
        idempotency_key: str,
        payment_method: str | None = None,
    ) -> Charge:
        intent = self._create(amount, _required(card, payment_method), idempotency_key, "automatic")
        if intent.status == "requires_action":
            # 3-D Secure: the payer's page finishes it with Stripe.js; the
            # webhook (payment_intent.succeeded) settles it.
            return Charge(
                reference=intent.id,
                card_last4=_last4(intent),
                status="pending",
                client_secret=intent.client_secret,
            )
        if intent.status != "succeeded":
            _decline(intent)
        return Charge(reference=intent.id, card_last4=_last4(intent))

    def authorize(
        self,
        amount: Money,
        *,
        card: str | None = None,
        payment_method: str | None = None,
        idempotency_key: str,
        now: datetime,
        customer: str | None = None,
    ) -> Authorization:
        """A PaymentIntent with ``capture_method=manual``. Without ``customer``
        the card is first kept on file (``keep_on_file``); with one, the saved
        card is held off-session (a renewal, a raise, the rest after a fee)."""
        pm = _required(card, payment_method)
        off_session = customer is not None
        if customer is None:
            customer = self.keep_on_file(pm, idempotency_key=idempotency_key)
        intent = self._create(
            amount, pm, idempotency_key, "manual", customer=customer, off_session=off_session
        )
        if intent.status != "requires_capture":
            _decline(intent)
        return Authorization(
            reference=intent.id,
            amount=amount,
            payment_method=pm,
            card_last4=_last4(intent) or "",
            expires_at=now.astimezone(UTC) + HOLD_LIFETIME,
            customer=customer,
        )

    def keep_on_file(self, payment_method: str, *, idempotency_key: str) -> str:
        """A card kept on file for a booking: a Customer with the PaymentMethod
        attached, and a SetupIntent confirmed on it for off-session use, so a
        later hold or charge needs no one present. Each call's Idempotency-Key
        is made from ours. Returns the Customer's id."""
        metadata = {"servefirst_attempt": idempotency_key}
        made = call(
            lambda: self.client.v1.customers.create(
                params={"payment_method": payment_method, "metadata": metadata},
                options={"idempotency_key": f"{idempotency_key}_customer"},
            )
        )
        setup = call(
            lambda: self.client.v1.setup_intents.create(
                params={  # type: ignore[arg-type]
                    "customer": made.id,
                    "usage": "off_session",
                    "payment_method_types": ["card"],
                    "metadata": metadata,
                },
                options={"idempotency_key": f"{idempotency_key}_setup"},
            )
        )
        confirmed = call(
            lambda: self.client.v1.setup_intents.confirm(
                setup.id,
                params={"payment_method": payment_method},
                options={"idempotency_key": f"{idempotency_key}_setup_confirm"},
            )
        )
        if confirmed.status != "succeeded":
            # 3-D Secure asked at setup: a deposit cannot wait for it.
            raise CardDeclined(
                "The card asks its holder to confirm it; use another card for the deposit.",
                code="authentication_required",
                param="payment_method",
            )
        return str(made.id)

    def charge_saved(
        self,
        amount: Money,
        *,
        payment_method: str,
        idempotency_key: str,
        customer: str | None = None,
    ) -> Charge:
        """An off-session PaymentIntent on the card kept on file (a hold that lapsed)."""
        intent = self._create(
            amount,
            payment_method,
            idempotency_key,
            "automatic",
            customer=customer,
            off_session=customer is not None,
        )
        if intent.status != "succeeded":
            _decline(intent)
        return Charge(reference=intent.id, card_last4=_last4(intent))

    def find_hold(self, idempotency_key: str) -> Authorization | None:
        """The uncaptured PaymentIntent made under ``idempotency_key``, asked for."""
        hit = self._find_intent(idempotency_key)
        if hit is None or hit.status != "requires_capture":
            return None
        found = call(
            lambda: self.client.v1.payment_intents.retrieve(
                hit.id, params={"expand": ["payment_method"]}
            )
        )
        pm = found.payment_method
        return Authorization(
            reference=found.id,
            amount=Money(found.amount, found.currency.upper()),
            payment_method=pm if isinstance(pm, str) else (pm.id if pm else ""),
            card_last4=_last4(found) or "",
            expires_at=datetime.fromtimestamp(found.created, UTC) + HOLD_LIFETIME,
            customer=found.customer if isinstance(found.customer, str) else None,
        )

    def capture(
        self, hold: Authorization, amount: Money, *, idempotency_key: str, now: datetime
    ) -> Charge:
        if amount > hold.amount:
            raise CardDeclined(
                "The amount is larger than the card hold.", code="amount_too_large", param="amount"
            )
        # The capture's key is kept on the hold first: a capture, unlike a
        # create, leaves Stripe nothing to find it by, and recovery asks by it
        # (``find_charge``); a retry's new attempt names it anew.
        call(
            lambda: self.client.v1.payment_intents.update(
                hold.reference,
                params={"metadata": {_CAPTURE: idempotency_key}},
                options={"idempotency_key": f"{idempotency_key}_named"},
            )
        )
        intent = call(
            lambda: self.client.v1.payment_intents.capture(
                hold.reference,
                params={"amount_to_capture": amount.amount},
                options={"idempotency_key": idempotency_key},
            )
        )
        if intent.status != "succeeded":
            _decline(intent)
        return Charge(reference=intent.id, card_last4=hold.card_last4)

    def release(self, hold: Authorization) -> None:
        """Cancel the uncaptured PaymentIntent: the customer's money is free again."""
        call(
            lambda: self.client.v1.payment_intents.cancel(
                hold.reference, options={"idempotency_key": f"release_{hold.reference}"}
            )
        )

    def refund(
        self, charge_reference: str, amount: Money, *, idempotency_key: str, reason: str
    ) -> RefundResult:
        """A Refund of the PaymentIntent ``charge_reference`` (``stripe_refunds``)."""
        return make_refund(
            self.client, charge_reference, amount, idempotency_key=idempotency_key, reason=reason
        )

    def find_refund(self, charge_reference: str, idempotency_key: str) -> RefundResult | None:
        return find_refund(self.client, charge_reference, idempotency_key)

    def refunds_of(self, charge_reference: str) -> list[RefundAtProcessor]:
        """Every Refund of the PaymentIntent as Stripe holds it now (the events' truth)."""
        return refunds_of(self.client, charge_reference)

    def setup_card(self) -> str:
        """A SetupIntent's client secret: Stripe.js confirms it with the card
        typed in the payer's browser and gives the page a PaymentMethod id."""
        intent = call(
            lambda: self.client.v1.setup_intents.create(
                params={"payment_method_types": ["card"], "usage": "on_session"},  # type: ignore[arg-type]
            )
        )
        return str(intent.client_secret)

    def find_charge(self, idempotency_key: str) -> Charge | None:
        """What became of the attempt ``idempotency_key`` (recovery after a
        crash): the PaymentIntent that carries it in its metadata, made or
        captured under it, asked for, never made. None when Stripe never got
        the call, or the card said no (a hold named but not captured too)."""
        hit = self._find_intent(idempotency_key, (_ATTEMPT, _CAPTURE))
        if hit is None or hit.status not in ("succeeded", "requires_action"):
            return None
        found = call(
            lambda: self.client.v1.payment_intents.retrieve(
                hit.id, params={"expand": ["payment_method"]}
            )
        )
        if found.status == "requires_action":
            return Charge(reference=found.id, status="pending", client_secret=found.client_secret)
        return Charge(reference=found.id, card_last4=_last4(found))

    def _find_intent(self, key: str, named: tuple[str, ...] = (_ATTEMPT,)) -> Any:
        query = " OR ".join(f"metadata['{field}']:'{key}'" for field in named)
        try:
            # Stripe's search (its index lags a few seconds: recovery waits longer).
            hits = self.client.v1.payment_intents.search(params={"query": query, "limit": 1})
            return hits.data[0] if hits.data else None
        except stripe.InvalidRequestError:
            pass  # a server without search (localstripe): look through the list
        listed = call(lambda: self.client.v1.payment_intents.list(params={"limit": 100}))
        for intent in listed.auto_paging_iter():
            if key in (_metadata(intent).get(field) for field in named):
                return intent
        return None

    def _create(
        self,
        amount: Money,
        payment_method: str,
        key: str,
        capture: str,
        *,
        customer: str | None = None,
        off_session: bool = False,
    ) -> Any:
        params: dict[str, Any] = {
            "amount": amount.amount,
            "currency": amount.currency.lower(),
            "payment_method": payment_method,
            "payment_method_types": ["card"],
            "capture_method": capture,
            "confirm": True,
            "expand": ["payment_method"],
            "metadata": {_ATTEMPT: key},
        }
        if customer is not None:
            params["customer"] = customer
        if off_session:
            params["off_session"] = True
        return call(
            lambda: self.client.v1.payment_intents.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": key},
            )
        )


def _required(card: str | None, payment_method: str | None) -> str:
    if card:
        raise InvalidRequest(
            "This merchant takes cards through Stripe: send `payment_method` (made by "
            "Stripe.js), never a card number.",
            code="parameter_invalid",
            param="card",
        )
    if not payment_method:
        raise InvalidRequest(
            "A card payment needs `payment_method` (made by Stripe.js).",
            code="parameter_missing",
            param="payment_method",
        )
    return payment_method


def _metadata(intent: Any) -> dict[str, Any]:
    return intent.metadata.to_dict() if intent.metadata is not None else {}


def _last4(intent: Any) -> str | None:
    pm = intent.payment_method
    card = getattr(pm, "card", None) if pm is not None and not isinstance(pm, str) else None
    return getattr(card, "last4", None)


def _decline(intent: Any) -> None:
    error = intent.last_payment_error
    code = getattr(error, "code", None) or "card_declined"
    message = getattr(error, "message", None) or "The card was declined."
    raise CardDeclined(message, code=code, param="payment_method")

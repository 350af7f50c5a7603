"""How servefirst talks to Stripe's own client: how long a call may take,
and Stripe's errors said as ours (``payments.stripe_gateway`` makes the calls).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import stripe

from servefirst.kit.errors import CardDeclined, ServefirstError

T = TypeVar("T")

#: How long one request to Stripe may wait to connect and then for its answer,
#: and how often a request that failed on the network is sent again (Stripe's
#: client waits at most ``stripe.HTTPClient.MAX_DELAY`` between two). Stripe's
#: own default (80 s a request, so about four minutes a call) outlasted the
#: recovery grace: recovery could ask about an attempt whose charge was still
#: on its way, hear "not charged", and the charge then land on an attempt
#: booked as failed. ``longest_call_seconds`` must stay below the grace.
CONNECT_SECONDS, ANSWER_SECONDS = 5.0, 25.0
NETWORK_RETRIES = 2


def longest_call_seconds() -> float:
    """The longest one gateway call can take, its retries and waits included."""
    tries = NETWORK_RETRIES + 1
    return (
        tries * (CONNECT_SECONDS + ANSWER_SECONDS) + NETWORK_RETRIES * stripe.HTTPClient.MAX_DELAY
    )


class ProcessorUnavailable(ServefirstError):
    """Stripe could not be reached or refused our keys: nothing was charged
    that a retry with the same Idempotency-Key would not find again."""

    status = 502
    type = "api_error"
    code = "processor_unavailable"


def client_for(secret_key: str, *, api_base: str | None = None) -> stripe.StripeClient:
    """One merchant's client, with our time limits (``api_base``: a local
    stand-in for Stripe, as the tests start)."""
    addresses = {"base_addresses": {"api": api_base.rstrip("/")}} if api_base else {}
    return stripe.StripeClient(
        secret_key,
        max_network_retries=NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=(CONNECT_SECONDS, ANSWER_SECONDS)),
        **addresses,  # type: ignore[arg-type]
    )


def call(made: Callable[[], T]) -> T:
    """``made()``, a call to Stripe, with a card's refusal as a decline and
    anything else Stripe says as the processor being unavailable."""
    try:
        return made()
    except stripe.CardError as exc:
        raise CardDeclined(
            exc.user_message or "The card was declined.",
            code=exc.code or "card_declined",
            param="payment_method",
        ) from exc
    except stripe.InvalidRequestError as exc:
        if exc.http_status == 404 or (exc.param or "").startswith("payment_method"):
            raise CardDeclined(
                "The card (payment method) is not known to the processor.",
                code="invalid_payment_method",
                param="payment_method",
            ) from exc
        raise ProcessorUnavailable(f"The processor refused the call: {exc.user_message}") from exc
    except stripe.StripeError as exc:
        raise ProcessorUnavailable(
            "The card processor could not be reached; try again with the same Idempotency-Key."
        ) from exc

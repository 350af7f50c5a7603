"""Recovery asks the processor about an attempt only once no request can still
be waiting on it: the longest a Stripe call can take, its network retries and
their waits included, stays below the recovery grace. Stripe's client alone
would wait 80 s a request, three times."""

from __future__ import annotations

from servefirst.config import Settings
from servefirst.payments import stripe_calls
from servefirst.payments.stripe_calls import longest_call_seconds
from servefirst.payments.stripe_gateway import StripeGateway


def test_the_longest_stripe_call_ends_before_recovery_asks_about_it() -> None:
    assert longest_call_seconds() < Settings().payment_recovery_grace_seconds


def test_the_gateway_asks_stripe_with_its_own_timeouts_and_retries() -> None:
    client = StripeGateway("sk_test_only_built").client
    requestor = client._requestor  # what the StripeClient sends each request with
    assert requestor._client._timeout == (
        stripe_calls.CONNECT_SECONDS,
        stripe_calls.ANSWER_SECONDS,
    )
    assert requestor._options.max_network_retries == stripe_calls.NETWORK_RETRIES

"""A card refund whose key Stripe refused (first used with other parameters)
stays pending, and says so: the refund's ``failure_code`` is
``processor_key_reused`` while it is held up, and the console's tab page says
beside it, in the reader's words, that nothing was refunded yet, that it is
asked again by itself and made once Stripe forgets the key, and that it must
not be refunded again meanwhile. Once made, both say nothing more of it.

Against localstripe behind the test double (tests/stripe_double.py):
``key_first_used_with_other_parameters`` has Stripe refuse the key,
``forget_keys`` lets its 24 hours pass."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from servefirst.payments.recovery import recover
from servefirst.payments.refund_models import Refund
from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_loyalty_disputes import in_words
from tests.integration.test_pages_staff import Staff
from tests.integration.test_refund_pages import _portuguese
from tests.integration.test_stripe_refunds_recovered import books_agree, left_pending
from tests.stripe_double import StripeDouble

# The Stripe merchant and the double in front of localstripe (fixtures).
localstripe_port = on_stripe.localstripe_port
stripe_double = on_stripe.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe

HELD_UP = {
    "en": "Held up: the card processor refused this request (its key was first used with"
    " other details), so nothing has been refunded yet. It is asked again by itself and"
    " made within 24 hours: do not refund it again, here or in Stripe's dashboard.",
    "pt": "Retido: o processador de cartões recusou este pedido (a sua chave foi usada antes"
    " com outros dados), por isso ainda nada foi reembolsado. É pedido de novo"
    " automaticamente e feito dentro de 24 horas: não o reembolse outra vez, nem aqui nem"
    " no painel do Stripe.",
}


@pytest.fixture
def app(stripe_client: Any) -> Any:
    """The console on the Stripe merchant's server, which can read its keys."""
    return stripe_client.app


def as_listed(cafe: Merchant, refund: Refund) -> list[tuple[str, int, str, str | None]]:
    data = cafe.get(f"/v1/payments/{refund.payment_id}/refunds").json()["data"]
    return [(r["id"], r["amount"], r["status"], r["failure_code"]) for r in data]


def held_up_by_stripe(
    cafe: Merchant, double: StripeDouble, runtime: Runtime
) -> tuple[Refund, dict[str, int]]:
    """A 3.00 card refund left pending, whose key Stripe then refuses when
    recovery asks again: (the refund, the balances before)."""
    refund, _ = left_pending(cafe, double, runtime)
    before = cafe.balances()
    double.key_first_used_with_other_parameters(refund.refund_id)
    assert refund.refund_id in recover(runtime, grace_seconds=0).keys_refused
    return refund, before


def test_a_refund_stripe_refused_the_key_of_says_why_it_is_pending_until_it_is_made(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    refund, before = held_up_by_stripe(cafe, stripe_double, stripe_runtime)
    assert as_listed(cafe, refund) == [(refund.refund_id, 300, "pending", "processor_key_reused")]
    assert cafe.balances() == before  # nothing booked while it is held up

    assert refund.refund_id in recover(stripe_runtime, grace_seconds=0).keys_refused
    assert as_listed(cafe, refund) == [(refund.refund_id, 300, "pending", "processor_key_reused")]

    stripe_double.forget_keys()  # 24 hours later: made under its key
    assert refund.refund_id in recover(stripe_runtime, grace_seconds=0).refunds
    assert as_listed(cafe, refund) == [(refund.refund_id, 300, "succeeded", None)]
    books_agree(stripe_runtime, cafe)


@pytest.mark.parametrize("language", ["en", "pt"])
def test_the_tab_page_says_a_refund_is_held_up_by_stripe_and_what_to_do(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    signed_in: Callable[..., Staff],
    language: str,
) -> None:
    manager = signed_in(cafe, "manager")
    if language == "pt":
        _portuguese(cafe, manager)
    refund, _ = left_pending(cafe, stripe_double, stripe_runtime)
    page = manager.get(f"/staff/tabs/{refund.tab_id}").text
    assert HELD_UP[language] not in in_words(page)  # pending, not (yet) held up
    assert f'data-refund-held-up="{refund.refund_id}"' not in page

    stripe_double.key_first_used_with_other_parameters(refund.refund_id)
    recover(stripe_runtime, grace_seconds=0)
    page = manager.get(f"/staff/tabs/{refund.tab_id}").text
    assert HELD_UP[language] in in_words(page)
    assert f'data-refund-held-up="{refund.refund_id}"' in page

    stripe_double.forget_keys()
    recover(stripe_runtime, grace_seconds=0)
    page = manager.get(f"/staff/tabs/{refund.tab_id}").text
    assert HELD_UP[language] not in in_words(page)
    assert f'data-refund-held-up="{refund.refund_id}"' not in page

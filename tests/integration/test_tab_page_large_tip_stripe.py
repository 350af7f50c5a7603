"""A merchant on Stripe: the tab page asks about a large tip with the card
already typed into Stripe's card box kept, as the PaymentMethod id Stripe
made from it (Stripe's handle on the card, never the card), so the yes pays
with that card and nothing is typed again. Against localstripe."""

from __future__ import annotations

import re

from tests import stripe_double as double
from tests.conftest import Merchant
from tests.integration.test_pages_customer import public
from tests.integration.test_stripe_gateway import cafe, stripe_client, stripe_runtime
from tests.integration.test_tab_page_large_tip import pay, question_of
from tests.stripe_double import StripeDouble

localstripe_port = double.localstripe_port
stripe_double = double.stripe_double
__all__ = ["cafe", "stripe_client", "stripe_runtime"]  # fixtures


def kept_payment_method(page: str) -> str | None:
    field = page[page.index('id="payment-method"') :].split(">")[0]
    found = re.search(r'value="([^"]*)"', field)
    return found.group(1) if found else None


def test_the_card_typed_into_stripe_s_box_is_kept_while_a_large_tip_is_asked(
    cafe: Merchant, stripe_double: StripeDouble
) -> None:
    tab = cafe.served_tab(680)
    pm = stripe_double.payment_method()
    sent = {"payment_method": pm, "tip": "custom", "custom_tip": "680", "expected_due": "680"}

    asked = pay(cafe, tab["token"], sent)

    assert asked.status_code == 409, asked.text
    assert question_of(asked.text).startswith("Your tip of €680.00 is more than the bill")
    assert kept_payment_method(asked.text) == pm
    assert 'id="card-kept"' in asked.text and 'aria-describedby="card-kept"' in asked.text
    assert "4242424242424242" not in asked.text
    assert public(cafe, tab["token"])["payments"] == []

    # The form as the page holds it, the yes ticked: paid with the kept card, once.
    paid = pay(cafe, tab["token"], {**sent, "payment_method": pm, "tip_confirmed": "68000"})

    assert paid.status_code == 303, paid.text
    [payment] = public(cafe, tab["token"])["payments"]
    assert (payment["amount"], payment["tip"], payment["card_last4"]) == (680, 68000, "4242")


def test_only_a_payment_method_id_is_drawn_back(cafe: Merchant) -> None:
    tab = cafe.served_tab(680)
    for sent in ("4242424242424242", "pm_<script>", "pm_" + "a" * 300, ""):
        form = {"payment_method": sent, "tip": "custom", "custom_tip": "680"}
        asked = pay(cafe, tab["token"], form)
        assert asked.status_code == 409, sent
        assert kept_payment_method(asked.text) is None, sent
        assert 'id="card-kept"' not in asked.text

"""A customer's form field far past what anyone types (4,000 characters) gets
the page back saying so, in the reader's language, never the API's bare JSON;
nothing is written."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Merchant
from tests.integration.test_bookings_api import GOOD
from tests.integration.test_pages_booking import GUARD, Salon, book, details, get, post, shop
from tests.integration.test_pages_customer import post_form, public, tab_with

__all__ = ["shop"]  # the booking pages' fixture

TOO_LONG = "9" * 4001
SAID = (
    "Something typed in this form is too long: at most 4,000 characters, and it has "
    "4,001. Nothing was changed."
)
SAID_PT = (
    "Algo escrito neste formulário é demasiado longo: no máximo 4.000 caracteres, e tem "
    "4.001. Nada foi alterado."
)


def a_page(response: Any) -> str:
    assert response.status_code == 422, response.text[:300]
    assert response.headers["content-type"].startswith("text/html"), response.text[:300]
    return str(response.text)


@pytest.mark.parametrize(
    ("action", "sent"),
    [
        ("review", {"rating": TOO_LONG, "comment": "Lovely"}),
        ("concern", {"reason": "Cold", "remedy": "partial", "amount": TOO_LONG}),
        ("concern", {"reason": "Cold", "remedy": "waive", "concerns_seen": TOO_LONG}),
        ("pay", {"card": TOO_LONG, "tip": "0"}),
        ("pay", {"card": "4242424242424242", "tip": "custom", "custom_tip": TOO_LONG}),
        ("pay", {"card": "4242424242424242", "tip": TOO_LONG}),
        ("pay", {"card": "4242424242424242", "tip": "0", "expected_due": TOO_LONG}),
        ("pay", {"card": "4242424242424242", "tip": "0", "reward_id": TOO_LONG}),
    ],
)
def test_a_tab_page_field_too_long_gives_the_page_back_in_words(
    merchant: Merchant, action: str, sent: dict[str, str]
) -> None:
    tab = tab_with(merchant, merchant.service(price=2000), serve=True)
    assert SAID in a_page(post_form(merchant, tab["token"], action, sent))
    portuguese = merchant.client.post(
        f"/t/{tab['token']}/{action}", data=sent, headers={"Accept-Language": "pt-PT"}
    )
    assert SAID_PT in a_page(portuguese)
    after = public(merchant, tab["token"])
    assert (after["review"], after["concerns"], after["status"]) == (None, [], "served")


@pytest.mark.parametrize("field", ["starts_at", "attempt"])
def test_a_booking_field_too_long_gives_the_form_back_in_words(shop: Salon, field: str) -> None:
    sent = details(shop, shop.at(shop.day(3), "10:00"), confirm="1", card=GOOD)
    refused = a_page(post(shop, f"/b/{shop.slug}/book", {**sent, field: TOO_LONG}))
    assert SAID in refused
    assert 'value="Rita Lopes"' in refused
    portuguese = shop.merchant.client.post(
        f"/b/{shop.slug}/book",
        data={**sent, field: TOO_LONG},
        headers={"Accept-Language": "pt-PT"},
        follow_redirects=False,
    )
    assert SAID_PT in a_page(portuguese)
    assert shop.booked() == []


def test_moving_or_cancelling_with_a_field_too_long_gives_the_booking_back(shop: Salon) -> None:
    token = book(shop, shop.at(shop.day(3), "10:00"))
    before = shop.booked()
    page = get(shop, f"/b/{shop.slug}/bookings/{token}")
    guard = GUARD.search(page.text).group(1)  # type: ignore[union-attr]
    moving = {"csrf_token": guard, "starts_at": TOO_LONG}
    assert SAID in a_page(post(shop, f"/b/{shop.slug}/bookings/{token}/move", moving))
    cancelling = {"csrf_token": TOO_LONG}
    assert SAID in a_page(post(shop, f"/b/{shop.slug}/bookings/{token}/cancel", cancelling))
    assert shop.booked() == before  # neither moved nor cancelled

"""A NUL character typed into the customer's tab page or the booking pages
(or sent by a bot) gets the page back saying so, in the reader's language,
beside the field where the page marks one; nothing is written."""

from __future__ import annotations

import pytest

from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.integration.test_bookings_api import GOOD
from tests.integration.test_pages_booking import GUARD, Salon, book, details, get, post, shop
from tests.integration.test_pages_customer import post_form, tab_with
from tests.integration.test_pages_nul import NUL, SAID, SAID_PT, a_refusal, everything_of

__all__ = ["shop"]  # the booking pages' fixture

TAB_FORMS = [
    ("review", {"rating": "5", "comment": "Lovely"}, ["rating", "comment"]),
    (
        "concern",
        {"reason": "Cold", "remedy": "partial", "amount": "1.00"},
        ["reason", "remedy", "amount", "concerns_seen"],
    ),
    (
        "pay",
        {"card": "4242424242424242", "tip": "custom", "custom_tip": "1"},
        ["card", "payment_method", "tip", "custom_tip", "expected_due", "reward_id"],
    ),
]


@pytest.mark.parametrize(
    ("action", "sent", "field"),
    [
        pytest.param(action, sent, field, id=f"{action}:{field}")
        for action, sent, fields in TAB_FORMS
        for field in fields
    ],
)
def test_a_nul_on_the_tab_page_gives_the_page_back_and_keeps_nothing(
    runtime: Runtime, merchant: Merchant, action: str, sent: dict[str, str], field: str
) -> None:
    tab = tab_with(merchant, merchant.service(price=2000), serve=True)
    before = everything_of(runtime, merchant.id)
    page = a_refusal(post_form(merchant, tab["token"], action, {**sent, field: f"a{NUL}b"}))
    assert SAID in page
    if field in ("reason", "comment"):  # said beside the words the customer wrote
        assert 'aria-invalid="true"' in page.split(f'id="{field}"')[1].split(">")[0]
    portuguese = merchant.client.post(
        f"/t/{tab['token']}/{action}",
        data={**sent, field: f"a{NUL}b"},
        headers={"Accept-Language": "pt-PT"},
    )
    assert SAID_PT in a_refusal(portuguese)
    assert everything_of(runtime, merchant.id) == before


@pytest.mark.parametrize("field", ["name", "email", "phone", "starts_at", "attempt"])
def test_a_nul_on_the_booking_page_gives_the_form_back_and_books_nothing(
    runtime: Runtime, shop: Salon, field: str
) -> None:
    sent = details(shop, shop.at(shop.day(3), "10:00"), confirm="1", card=GOOD)
    before = everything_of(runtime, shop.merchant.id)
    page = a_refusal(post(shop, f"/b/{shop.slug}/book", {**sent, field: f"a{NUL}b"}))
    assert SAID in page
    if field in ("name", "email", "phone"):  # the field is marked
        assert f'id="{field}"' in page.split('aria-invalid="true"')[0].rsplit("<input", 1)[1]
    assert shop.booked() == []
    assert everything_of(runtime, shop.merchant.id) == before


def test_a_nul_moving_or_cancelling_a_booking_gives_the_booking_back(
    runtime: Runtime, shop: Salon
) -> None:
    token = book(shop, shop.at(shop.day(3), "10:00"))
    before = everything_of(runtime, shop.merchant.id)
    page = get(shop, f"/b/{shop.slug}/bookings/{token}")
    guard = GUARD.search(page.text).group(1)  # type: ignore[union-attr]
    moving = {"csrf_token": guard, "starts_at": f"a{NUL}b"}
    assert SAID in a_refusal(post(shop, f"/b/{shop.slug}/bookings/{token}/move", moving))
    cancelling = {"csrf_token": guard + NUL}
    assert SAID in a_refusal(post(shop, f"/b/{shop.slug}/bookings/{token}/cancel", cancelling))
    assert everything_of(runtime, shop.merchant.id) == before

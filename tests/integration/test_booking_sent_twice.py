"""The online booking form sent twice (a double tap, the back button and send
again) books once and takes one deposit: the second send lands on the booking
the first made. A refused send (a declined card) leaves the form free to send
again, corrected."""

from __future__ import annotations

import re
from typing import Any

from tests.integration.test_availability_api import Salon
from tests.integration.test_bookings_api import GOOD
from tests.integration.test_pages_booking import details, post, shop  # noqa: F401 - fixture

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def review_form(shop: Salon, starts_at: str) -> dict[str, str]:  # noqa: F811
    """The confirm form as the review page gives it, ready to send."""
    review = post(shop, f"/b/{shop.slug}/book", details(shop, starts_at))
    assert review.status_code == 200, review.text
    form = review.text[review.text.index(f'action="/b/{shop.slug}/book"') :]
    return dict(HIDDEN.findall(form[: form.index("</form>")]))


def deposits(shop: Salon) -> list[Any]:  # noqa: F811
    return [b["deposit"]["status"] for b in shop.booked()]


def test_a_confirm_sent_twice_books_once_even_with_anyone_free(shop: Salon) -> None:  # noqa: F811
    shop.staff("Joana")  # "anyone": a second send would find Joana free at the same time
    form = review_form(shop, shop.at(shop.day(3), "10:00"))
    assert form["attempt"]
    first = post(shop, f"/b/{shop.slug}/book", {**form, "card": GOOD})
    assert first.status_code == 303, first.text
    again = post(shop, f"/b/{shop.slug}/book", {**form, "card": GOOD})
    assert again.status_code == 303, again.text
    assert again.headers["location"] == first.headers["location"]
    assert deposits(shop) == ["held"]


def test_a_declined_card_then_a_good_one_on_the_same_form_books_once(
    shop: Salon,  # noqa: F811
) -> None:
    form = review_form(shop, shop.at(shop.day(3), "11:00"))
    declined = post(shop, f"/b/{shop.slug}/book", {**form, "card": "4000000000000002"})
    assert declined.status_code == 402
    booked = post(shop, f"/b/{shop.slug}/book", {**form, "card": GOOD})
    assert booked.status_code == 303, booked.text
    assert deposits(shop) == ["held"]


def test_two_review_pages_are_two_bookings(shop: Salon) -> None:  # noqa: F811
    shop.staff("Joana")
    for _ in range(2):
        form = review_form(shop, shop.at(shop.day(3), "12:00"))
        assert post(shop, f"/b/{shop.slug}/book", {**form, "card": GOOD}).status_code == 303
    assert deposits(shop) == ["held", "held"]

"""The booking's own page (``/b/{slug}/bookings/{token}``) says a refusal in
the form it came from, beside what was chosen, as the booking page does: a
refused move by its times (the time chosen still checked, the times still
free offered), a refused cancellation by its button; never at the page's top,
away from the form."""

from __future__ import annotations

import re

from tests.integration.test_availability_api import Salon
from tests.integration.test_pages_booking import GUARD, book, get, post, shop

__all__ = ["shop"]

TOP_ALERT = 'class="flash flash-error" role="alert" id="error"'


def _section(page: str, section_id: str) -> str:
    found = re.search(rf'<section[^>]*id="{section_id}".*?</section>', page, re.S)
    assert found, page
    return found.group(0)


def _guard(shop: Salon, token: str) -> str:
    found = GUARD.search(get(shop, f"/b/{shop.slug}/bookings/{token}").text)
    assert found
    return found.group(1)


def test_a_move_to_a_taken_time_is_refused_beside_the_times(shop: Salon) -> None:
    mine = book(shop, shop.at(shop.day(3), "10:00"))
    book(shop, shop.at(shop.day(4), "10:00"), email="ana@example.com")
    refused = post(
        shop,
        f"/b/{shop.slug}/bookings/{mine}/move",
        {"csrf_token": _guard(shop, mine), "starts_at": shop.at(shop.day(4), "10:00")},
    )
    assert refused.status_code == 409
    assert TOP_ALERT not in refused.text
    move = _section(refused.text, "move")
    assert 'id="starts_at-error"' in move and "someone booked that time a moment ago" in move
    assert 'aria-describedby="starts_at-error"' in move
    # The times still free are offered as choices of the same form.
    assert move.count('data-testid="next-slot"') == 3
    assert 'type="radio" name="starts_at"' in move


def test_a_refused_move_keeps_the_time_chosen(shop: Salon) -> None:
    mine = book(shop, shop.at(shop.day(3), "10:00"))
    chosen = shop.at(shop.day(5), "15:00")
    refused = post(
        shop,
        f"/b/{shop.slug}/bookings/{mine}/move",
        {"csrf_token": "stale-and-not-the-cookie-value", "starts_at": chosen},
    )
    assert refused.status_code == 422
    assert TOP_ALERT not in refused.text
    move = _section(refused.text, "move")
    assert 'id="starts_at-error"' in move and "This form expired." in move
    kept = re.search(
        rf'<input type="radio" name="starts_at" value="{re.escape(chosen)}"[^>]*>', move
    )
    assert kept, move
    assert " checked" in kept.group(0) and 'aria-invalid="true"' in kept.group(0)
    assert shop.booked()[0]["starts_at"].startswith(shop.day(3).isoformat())


def test_a_refused_cancellation_is_said_by_its_button_in_portuguese(shop: Salon) -> None:
    mine = book(shop, shop.at(shop.day(3), "10:00"))
    refused = shop.merchant.client.post(
        f"/b/{shop.slug}/bookings/{mine}/cancel",
        data={"csrf_token": "x" * 30},
        headers={"Accept-Language": "pt-PT,pt;q=0.9"},
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert TOP_ALERT not in refused.text
    policy = _section(refused.text, "policy")
    error = re.search(
        r'<p class="field-error" role="alert" id="cancel-error"[^>]*>([^<]+)</p>', policy
    )
    assert error, policy
    assert "formulário" in error.group(1).lower()
    assert 'aria-describedby="cancel-error"' in policy
    assert shop.booked()[0]["status"] == "confirmed"


def test_a_refusal_of_a_booking_closed_meanwhile_is_said_at_the_top(shop: Salon) -> None:
    mine = book(shop, shop.at(shop.day(3), "10:00"))
    guard = _guard(shop, mine)
    assert (
        post(shop, f"/b/{shop.slug}/bookings/{mine}/cancel", {"csrf_token": guard}).status_code
        == 303
    )
    refused = post(
        shop,
        f"/b/{shop.slug}/bookings/{mine}/move",
        {"csrf_token": guard, "starts_at": shop.at(shop.day(5), "15:00")},
    )
    assert refused.status_code == 409
    assert TOP_ALERT in refused.text and 'id="starts_at-error"' not in refused.text

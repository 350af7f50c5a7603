"""The online booking pages, driven like a browser without JavaScript: choose a
service, a day and a time, give a name and an e-mail, see the deposit and why,
confirm; then the booking's own page to move or cancel it."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from tests.conftest import Merchant, TestClock
from tests.integration.test_availability_api import Salon
from tests.integration.test_bookings_api import GOOD, salon

GUARD = re.compile(r'name="csrf_token" value="([^"]+)"')
MANAGE = re.compile(r"/b/[^/]+/bookings/([^?]+)\?flash=booked")


@pytest.fixture
def shop(merchant: Merchant, clock: TestClock) -> Salon:
    shop = Salon(merchant, clock)
    salon(merchant)  # new customers leave a deposit
    return shop


def get(shop: Salon, path: str, **kwargs: Any) -> Any:
    return shop.merchant.client.get(path, **kwargs)


def guard(shop: Salon) -> str:
    page = get(shop, f"/b/{shop.slug}")
    found = GUARD.search(page.text) or GUARD.search(
        get(shop, f"/b/{shop.slug}", params={"service": shop.cut["id"]}).text
    )
    assert found, page.text
    return found.group(1)


def details(shop: Salon, when: str, **fields: str) -> dict[str, str]:
    return {
        "csrf_token": guard(shop),
        "service": shop.cut["id"],
        "staff": "",
        "starts_at": when,
        "name": "Rita Lopes",
        "email": "rita@example.com",
        "phone": "+351 912 345 678",
        **fields,
    }


def post(shop: Salon, path: str, data: dict[str, str]) -> Any:
    return shop.merchant.client.post(path, data=data, follow_redirects=False)


def book(shop: Salon, starts_at: str, **fields: str) -> str:
    """Book through the pages as a new customer; the manage page's token."""
    done = post(
        shop, f"/b/{shop.slug}/book", details(shop, starts_at, confirm="1", card=GOOD, **fields)
    )
    assert done.status_code == 303, done.text
    found = MANAGE.search(done.headers["location"])
    assert found
    return found.group(1)


def test_the_page_shows_each_service_with_price_length_and_what_to_expect(
    merchant: Merchant, clock: TestClock
) -> None:
    shop = Salon(merchant, clock)
    page = get(shop, f"/b/{shop.slug}")
    assert page.status_code == 200
    assert "Cut and blow-dry" in page.text and "€40.00" in page.text and "45 minutes" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "sf_booking_form" in page.headers["set-cookie"]


def test_a_service_s_promises_and_limits_read_as_on_the_tab_page_in_either_language(
    shop: Salon,
) -> None:
    en = get(shop, f"/b/{shop.slug}", headers={"Accept-Language": "en-GB"}).text
    assert "What you can expect" in en and "Limits" in en
    assert "Latte art not guaranteed" in en.split("Limits")[1]
    pt = get(shop, f"/b/{shop.slug}", headers={"Accept-Language": "pt-PT"}).text
    assert "O que pode esperar" in pt and "Limites" in pt
    # A limit is not always something left out ("results vary..."): never called so.
    assert "Not included" not in en and "Não incluído" not in pt


def test_choosing_a_service_shows_fourteen_days_and_the_times_of_one(shop: Salon) -> None:
    page = get(shop, f"/b/{shop.slug}", params={"service": shop.cut["id"]})
    assert page.status_code == 200
    assert page.text.count('aria-current="date"') == 1
    assert page.text.count("<li>") >= 14
    assert 'name="starts_at"' in page.text and "Maria" in page.text
    later = get(
        shop,
        f"/b/{shop.slug}",
        params={"service": shop.cut["id"], "start": shop.day(14).isoformat()},
    )
    assert later.status_code == 200 and 'rel="prev"' in later.text


def test_continuing_shows_the_deposit_and_why_before_anything_is_booked(shop: Salon) -> None:
    starts_at = shop.at(shop.day(3), "10:00")
    review = post(shop, f"/b/{shop.slug}/book", details(shop, starts_at))
    assert review.status_code == 200, review.text
    assert "A deposit of €6.00 is needed" in review.text
    assert "New customer: a small deposit holds the slot." in review.text
    assert 'name="card"' in review.text and 'value="Rita Lopes"' in review.text
    assert shop.booked() == []


def test_confirming_books_and_lands_on_the_booking_with_its_calendar_file(shop: Salon) -> None:
    token = book(shop, shop.at(shop.day(3), "10:00"))
    page = get(shop, f"/b/{shop.slug}/bookings/{token}?flash=booked")
    assert page.status_code == 200
    assert "You are booked" in page.text and "€6.00" in page.text
    assert f"/v1/public/bookings/{token}.ics" in page.text
    ics = get(shop, f"/v1/public/bookings/{token}.ics")
    assert ics.status_code == 200 and "BEGIN:VEVENT" in ics.text
    [booked] = shop.booked()
    assert booked["deposit"]["status"] == "held"


def test_the_deposit_without_a_card_gives_the_review_back(shop: Salon) -> None:
    refused = post(
        shop, f"/b/{shop.slug}/book", details(shop, shop.at(shop.day(3), "10:00"), confirm="1")
    )
    assert refused.status_code == 402
    assert "needs a deposit" in refused.text and 'value="Rita Lopes"' in refused.text
    assert shop.booked() == []


def test_a_declined_card_says_so_and_books_nothing(shop: Salon) -> None:
    refused = post(
        shop,
        f"/b/{shop.slug}/book",
        details(shop, shop.at(shop.day(3), "10:00"), confirm="1", card="4000000000000002"),
    )
    assert refused.status_code == 402
    assert "Your card was not accepted" in refused.text
    assert shop.booked() == []


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"name": "  "}, "Please give your name."),
        ({"email": "rita-at-example"}, "Please give an e-mail address like name@example.com."),
        ({"phone": "call me"}, "Please give a phone number in digits, like +351 912 345 678"),
        ({"phone": "---"}, "Please give a phone number in digits, like +351 912 345 678"),
        ({"starts_at": ""}, "Choose a time."),
        ({"csrf_token": "stale-and-not-the-cookie-value"}, "This form expired."),
    ],
)
def test_bad_input_gives_the_form_back_with_the_entry_kept(
    shop: Salon, fields: dict[str, str], words: str
) -> None:
    sent = details(shop, shop.at(shop.day(3), "10:00"), **fields)
    refused = post(shop, f"/b/{shop.slug}/book", {**sent, "confirm": "1", "card": GOOD})
    assert refused.status_code == 422, refused.text
    assert words in refused.text
    assert f'value="{sent["phone"]}"' in refused.text
    assert shop.booked() == []


def test_a_time_in_the_past_is_refused_in_words(shop: Salon) -> None:
    past = shop.at(shop.day(-1), "10:00")
    refused = post(shop, f"/b/{shop.slug}/book", details(shop, past, confirm="1", card=GOOD))
    assert refused.status_code == 422
    assert "That time has passed." in refused.text and 'value="Rita Lopes"' in refused.text
    assert shop.booked() == []


def test_a_slot_taken_meanwhile_says_so_and_offers_the_next_free_times(shop: Salon) -> None:
    starts_at = shop.at(shop.day(3), "10:00")
    book(shop, starts_at)
    refused = post(
        shop,
        f"/b/{shop.slug}/book",
        details(shop, starts_at, confirm="1", card=GOOD, email="ana@example.com", name="Ana"),
    )
    assert refused.status_code == 409
    assert "someone booked that time a moment ago" in refused.text
    assert refused.text.count('data-testid="next-slot"') == 3
    assert 'value="Ana"' in refused.text
    assert len(shop.booked()) == 1


def test_a_customer_moves_the_booking_free_well_ahead(shop: Salon) -> None:
    token = book(shop, shop.at(shop.day(3), "10:00"))
    page = get(shop, f"/b/{shop.slug}/bookings/{token}")
    assert "Moving or cancelling now is free." in page.text
    new_time = shop.at(shop.day(4), "15:00")
    moved = post(
        shop,
        f"/b/{shop.slug}/bookings/{token}/move",
        {"csrf_token": GUARD.search(page.text).group(1), "starts_at": new_time},  # type: ignore[union-attr]
    )
    assert moved.status_code == 303, moved.text
    [booked] = shop.booked()
    assert booked["starts_at"].startswith(shop.day(4).isoformat())


def test_moving_to_a_taken_time_offers_the_next_free_ones(shop: Salon) -> None:
    first = book(shop, shop.at(shop.day(3), "10:00"))
    book(shop, shop.at(shop.day(4), "10:00"), email="ana@example.com")
    refused = post(
        shop,
        f"/b/{shop.slug}/bookings/{first}/move",
        {"csrf_token": guard(shop), "starts_at": shop.at(shop.day(4), "10:00")},
    )
    assert refused.status_code == 409
    assert 'data-testid="next-slot"' in refused.text


def test_a_late_cancellation_shows_its_fee_before_confirming(shop: Salon, clock: TestClock) -> None:
    starts_at = shop.at(shop.day(2), "15:00")
    token = book(shop, starts_at)
    clock.advance(
        seconds=(datetime.fromisoformat(starts_at) - clock.now()).total_seconds() - 6 * 3600
    )
    page = get(shop, f"/b/{shop.slug}/bookings/{token}", params={"cancel": "1"})
    assert "kept from your deposit" in page.text and "Yes, cancel the booking" in page.text
    done = post(shop, f"/b/{shop.slug}/bookings/{token}/cancel", {"csrf_token": guard(shop)})
    assert done.status_code == 303
    [booked] = shop.booked()
    assert booked["status"] == "cancelled"
    after = get(shop, f"/b/{shop.slug}/bookings/{token}?flash=cancelled")
    assert "Your booking was cancelled." in after.text and "Move to another time" not in after.text


def test_a_cancellation_with_a_stale_form_cancels_nothing(shop: Salon) -> None:
    token = book(shop, shop.at(shop.day(3), "10:00"))
    refused = post(shop, f"/b/{shop.slug}/bookings/{token}/cancel", {"csrf_token": "x" * 30})
    assert refused.status_code == 422 and "This form expired." in refused.text
    assert shop.booked()[0]["status"] == "confirmed"


def test_the_pages_speak_the_browsers_language_else_the_merchants(shop: Salon) -> None:
    pt = get(shop, f"/b/{shop.slug}", headers={"Accept-Language": "pt-PT,pt;q=0.9"})
    assert "Escolha um serviço" in pt.text and 'lang="pt"' in pt.text
    shop.merchant.post("/v1/merchant", {"locale": "pt_PT"})
    unsaid = get(shop, f"/b/{shop.slug}", headers={"Accept-Language": "de"})
    assert 'lang="pt"' in unsaid.text
    en = get(shop, f"/b/{shop.slug}", headers={"Accept-Language": "en-GB"})
    assert 'lang="en"' in en.text


def test_the_days_are_named_as_each_language_writes_them(shop: Salon) -> None:
    """Fourteen days hold every weekday: 'Saturday 05/12' in English, and in
    Portugal lower-case, 'sábado 05/12', as Portuguese writes a weekday."""
    chosen = {"service": shop.cut["id"]}
    en = get(shop, f"/b/{shop.slug}", params=chosen, headers={"Accept-Language": "en-GB"}).text
    pt = get(shop, f"/b/{shop.slug}", params=chosen, headers={"Accept-Language": "pt-PT"}).text
    for english, portuguese in (("Saturday", "sábado"), ("Monday", "segunda-feira")):
        assert re.search(rf"\b{english} \d\d/\d\d\b", en), english
        assert re.search(rf"\b{portuguese} \d\d/\d\d\b", pt), portuguese
        assert portuguese.capitalize() not in pt


def test_prices_are_written_the_business_s_way_in_either_language(shop: Salon) -> None:
    """A Lisbon salon's page says '40,00 €' to Portuguese readers, as its tab pages do."""
    shop.merchant.post("/v1/merchant", {"locale": "pt_PT"})
    pt = get(shop, f"/b/{shop.slug}", headers={"Accept-Language": "pt-PT"})
    assert "40,00\xa0€" in pt.text and "€40.00" not in pt.text
    assert "Saltar para o conteúdo" in pt.text and "Skip to content" not in pt.text


def test_an_unknown_business_or_booking_is_a_plain_404(shop: Salon) -> None:
    assert get(shop, "/b/nobody-here").status_code == 404
    assert get(shop, f"/b/{shop.slug}/bookings/mer_zzzzzzzz.abc").status_code == 404


def test_a_time_gone_before_the_review_is_refused_there(shop: Salon) -> None:
    starts_at = shop.at(shop.day(3), "10:00")
    book(shop, starts_at)
    taken = post(shop, f"/b/{shop.slug}/book", details(shop, starts_at, email="ana@example.com"))
    assert taken.status_code == 409 and 'data-testid="next-slot"' in taken.text
    past = post(shop, f"/b/{shop.slug}/book", details(shop, shop.at(shop.day(-1), "10:00")))
    assert past.status_code == 422 and "That time has passed." in past.text
    assert len(shop.booked()) == 1


def test_a_late_cancellation_says_what_of_the_deposit_was_kept_and_what_went_back(
    shop: Salon, clock: TestClock
) -> None:
    """The customer paid the whole deposit: once the booking is cancelled, the
    page said only "Deposit: €6.00" with why it was asked."""
    starts_at = shop.at(shop.day(2), "15:00")
    token = book(shop, starts_at)
    clock.advance(
        seconds=(datetime.fromisoformat(starts_at) - clock.now()).total_seconds() - 6 * 3600
    )
    done = post(shop, f"/b/{shop.slug}/bookings/{token}/cancel", {"csrf_token": guard(shop)})
    assert done.status_code == 303
    [booked] = shop.booked()
    fee, back = booked["deposit"]["fee"], booked["deposit"]["refund"]
    assert fee and back and fee + back == booked["deposit"]["amount"]

    def money(minor: int) -> str:
        return f"€{minor // 100}.{minor % 100:02d}"

    after = get(shop, f"/b/{shop.slug}/bookings/{token}").text.replace("\xa0", " ")
    deposit = re.search(r'data-testid="deposit">(.*?)</p>', after, re.S).group(1)  # type: ignore[union-attr]
    assert f"{money(fee)} kept by the business" in deposit, deposit
    assert f"{money(back)} back to your card" in deposit, deposit
    assert "your link to move or cancel" not in after
    portuguese = get(
        shop, f"/b/{shop.slug}/bookings/{token}", headers={"Accept-Language": "pt-PT"}
    ).text
    assert "o negócio fica com" in portuguese and "devolução ao seu cartão:" in portuguese


def test_an_expired_confirmation_comes_back_as_typed_in_portuguese(shop: Salon) -> None:
    """The review page left open past its form's life: confirming gives the
    form back with every entry and the chosen time, said in the reader's words."""
    starts_at = shop.at(shop.day(3), "10:00")
    sent = details(shop, starts_at, csrf_token="expired-long-ago", confirm="1", card=GOOD)
    refused = shop.merchant.client.post(
        f"/b/{shop.slug}/book", data=sent, headers={"Accept-Language": "pt-PT"}
    )
    assert refused.status_code == 422, refused.text
    assert "Este formulário expirou. O que escreveu foi guardado" in refused.text
    for field in ("name", "email", "phone"):
        assert f'value="{sent[field]}"' in refused.text
    assert f'value="{starts_at}" checked' in refused.text
    assert shop.booked() == []

"""Why a booking's deposit was or was not asked reads in the page's language:
the console's booking rows and the customer's booking pages say the rules'
and the no-show model's reasons in Portuguese; the API keeps them as written."""

from __future__ import annotations

from typing import Any

from tests.conftest import Merchant, TestClock
from tests.integration import test_pages_staff_bookings as console
from tests.integration.test_availability_api import Salon
from tests.integration.test_booking_cancelled_emails import staff_booking
from tests.integration.test_bookings_api import salon
from tests.integration.test_pages_booking import details, post

counter = console.counter  # signed-in staff (a fixture)


def test_the_console_says_why_a_deposit_was_asked_in_its_language(
    merchant: Merchant, clock: TestClock, counter: Any
) -> None:
    shop = Salon(merchant, clock)
    salon(merchant)  # new customers always leave one here
    booking = staff_booking(shop, "lia.porque@example.com", "Lia Matos")
    assert booking["deposit"]["reason"] == "New customer: a small deposit holds the slot."
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    page = counter(merchant).get("/staff")
    row = console.row_of(console.section(page.text, "upcoming"), booking["id"])
    assert "Cliente novo: um pequeno sinal reserva a marcação." in row, row
    assert "New customer" not in row
    # The API gives the reason as the rules wrote it.
    assert merchant.get(f"/v1/bookings/{booking['id']}").json()["deposit"]["reason"] == (
        "New customer: a small deposit holds the slot."
    )


def test_the_booking_page_says_the_no_show_model_s_reason_in_portuguese(
    merchant: Merchant, clock: TestClock
) -> None:
    shop = Salon(merchant, clock)
    # The salon's policy without tiers always asked: the no-show model decides.
    answer = merchant.post("/v1/merchant/deposit-policy", {"deposit_policy": "salon"})
    assert answer.status_code == 200, answer.text
    when = shop.at(shop.day(20), "10:00")
    form = details(shop, when)
    pt = shop.merchant.client.post(
        f"/b/{shop.slug}/book", data=form, headers={"Accept-Language": "pt-PT"}
    )
    assert pt.status_code == 200, pt.text
    assert "de probabilidade de falta" in pt.text, pt.text
    assert "chance of a no-show" not in pt.text
    assert "20 dias de antecedência" in pt.text  # booked 20 days ahead, as the model says
    en = post(shop, f"/b/{shop.slug}/book", details(shop, when))
    assert "chance of a no-show" in en.text and "20 days ahead" in en.text

"""On the booking page a refused time (taken meanwhile, off the calendar,
outside hours, between the offered ones) or person is said beside where it is
chosen again, in the reader's language, with what was typed kept."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Merchant, TestClock
from tests.integration.test_availability_api import Salon
from tests.integration.test_bookings_api import GOOD
from tests.integration.test_pages_booking import book, details

PT = {"Accept-Language": "pt-PT"}
EN = {"Accept-Language": "en-GB"}
#: The refusal said above the page, far from the form.
ABOVE = 'class="flash flash-error"'


@pytest.fixture
def shop(merchant: Merchant, clock: TestClock) -> Salon:
    return Salon(merchant, clock)  # 09:00-13:00 and 14:00-18:00, every 15 minutes


def send(shop: Salon, when: str, headers: dict[str, str], **fields: str) -> tuple[int, str]:
    sent = shop.merchant.client.post(
        f"/b/{shop.slug}/book",
        data=details(shop, when, confirm="1", card=GOOD, **fields),
        headers=headers,
        follow_redirects=False,
    )
    return sent.status_code, sent.text


def said_beside_the_time(page: str) -> str:
    found = re.search(
        r'<p class="field-error" role="alert" id="starts_at-error"[^>]*>([^<]*)<', page
    )
    assert found, page
    assert ABOVE not in page  # said once, where the time is chosen again
    assert 'aria-describedby="starts_at-error"' in page
    return found.group(1)


def test_the_page_refuses_a_time_between_the_offered_ones_beside_the_times(shop: Salon) -> None:
    status, page = send(shop, shop.at(shop.day(3), "09:31"), PT, name="Rita Lopes")
    assert status == 422
    assert said_beside_the_time(page) == (
        "As marcações começam de 15 em 15 minutos a partir das 09:00, por isso não é possível"
        " marcar às 09:31. Escolha uma das horas apresentadas."
    )
    assert 'value="Rita Lopes"' in page and 'value="rita@example.com"' in page
    status, page = send(shop, shop.at(shop.day(3), "09:31"), EN)
    assert said_beside_the_time(page).startswith("Bookings start every 15 minutes from 09:00")
    assert shop.booked() == []


@pytest.mark.parametrize(
    ("at", "english", "portuguese"),
    [
        ("20:00", "That time is not offered.", "Essa hora não está disponível."),
        ("taken", "someone booked that time a moment ago", "alguém marcou essa hora"),
    ],
)
def test_a_refused_time_is_said_beside_the_times_in_either_language(
    shop: Salon, at: str, english: str, portuguese: str
) -> None:
    when = shop.at(shop.day(3), "10:00" if at == "taken" else at)
    if at == "taken":
        book(shop, when)
    for headers, words in ((EN, english), (PT, portuguese)):
        status, page = send(shop, when, headers, name="Ana Silva", email="ana@example.com")
        assert status in (409, 422)
        assert words in said_beside_the_time(page)
        assert 'value="Ana Silva"' in page and 'value="ana@example.com"' in page


def test_a_time_off_the_calendar_is_said_beside_the_times(shop: Salon) -> None:
    status, page = send(shop, "9999-12-31T10:00:00+00:00", PT, name="Ana Silva")
    assert status == 422
    assert "demasiado distante" in said_beside_the_time(page)
    assert 'value="Ana Silva"' in page


def test_the_times_still_free_follow_the_refusal_beside_them(shop: Salon) -> None:
    when = shop.at(shop.day(3), "10:00")
    book(shop, when)
    _status, page = send(shop, when, EN, email="ana@example.com")
    said = page.index('id="starts_at-error"')
    assert said < page.index('data-testid="next-slot"') < page.index('id="name"')


def test_the_page_says_an_unknown_person_beside_with_whom(shop: Salon) -> None:
    status, page = send(shop, shop.at(shop.day(3), "10:00"), PT, staff="stf_nobodyhere")
    assert status == 404
    found = re.search(r'<p class="field-error" role="alert" id="staff-error">([^<]*)<', page)
    assert found, page
    assert found.group(1) == (
        "Não encontrámos essa pessoa aqui. Escolha alguém da lista, ou qualquer pessoa."
    )
    assert ABOVE not in page and 'aria-describedby="staff-error"' in page
    assert 'value="Rita Lopes"' in page
    assert shop.booked() == []

"""A time no booking page offers, sent by hand (the year 9999, the year 1 at
+14:00), is refused in words like a time too far ahead or past, on the
booking form and on the move form, in the reader's language: never a 500, and
nothing booked or moved."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from servefirst.availability.online import check_time
from servefirst.kit.errors import InvalidRequest
from servefirst.runtime import Runtime
from tests.integration.test_bookings_api import GOOD
from tests.integration.test_pages_booking import Salon, book, details, guard, post, shop

__all__ = ["shop"]  # the booking pages' fixture

FAR = {
    "en": "That time is too far ahead. Choose an earlier time.",
    "pt-PT": "Essa hora é demasiado distante. Escolha uma hora mais próxima.",
}
PAST = {
    "en": "That time has passed. Choose another time.",
    "pt-PT": "Essa hora já passou. Escolha outra hora.",
}
OFF_THE_CALENDAR = [
    ("9999-12-31T23:59:59+00:00", FAR),
    ("9999-12-31T23:59:59-12:00", FAR),
    ("2101-01-01T00:00:00+00:00", FAR),
    ("0001-01-01T00:00:00+14:00", PAST),
    ("1999-12-31T23:00:00+00:00", PAST),
]


@pytest.mark.parametrize("step", ["continue", "confirm"])
@pytest.mark.parametrize(("starts_at", "said"), OFF_THE_CALENDAR)
def test_a_time_off_the_calendar_is_refused_in_words_when_booking(
    shop: Salon, step: str, starts_at: str, said: dict[str, str]
) -> None:
    sent = details(shop, starts_at)
    if step == "confirm":
        sent = {**sent, "confirm": "1", "card": GOOD}
    for language, words in said.items():
        refused = shop.merchant.client.post(
            f"/b/{shop.slug}/book",
            data=sent,
            headers={"Accept-Language": language},
            follow_redirects=False,
        )
        assert refused.status_code == 422, refused.text[:300]
        assert refused.headers["content-type"].startswith("text/html")
        assert words in refused.text
        assert 'value="Rita Lopes"' in refused.text  # the entry is kept
    assert shop.booked() == []


@pytest.mark.parametrize(("starts_at", "said"), OFF_THE_CALENDAR)
def test_a_booking_is_not_moved_to_a_time_off_the_calendar(
    shop: Salon, starts_at: str, said: dict[str, str]
) -> None:
    token = book(shop, shop.at(shop.day(3), "10:00"))
    [before] = shop.booked()
    moved = post(
        shop,
        f"/b/{shop.slug}/bookings/{token}/move",
        {"csrf_token": guard(shop), "starts_at": starts_at},
    )
    assert moved.status_code == 422, moved.text[:300]
    assert said["en"] in moved.text
    assert shop.booked() == [before]


def test_a_time_years_ahead_is_too_far_before_any_sum_on_it(runtime: Runtime, shop: Salon) -> None:
    """The last moment Python's calendar holds: checked against the days
    booked online before a service's length is added to it (an overflow)."""
    last = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    with (
        runtime.uow(shop.merchant.id, write=False) as uow,
        pytest.raises(InvalidRequest) as refused,
    ):
        check_time(uow, service_id=shop.cut["id"], starts_at=last, staff_id=None)
    assert refused.value.code == "slot_too_far_ahead"

"""A name, an e-mail or a phone longer than the booking keeps (200, 320 and 40
characters, as the customers API takes them) is refused beside its field, in
the reader's language, with what was typed kept: never booked cut short."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_bookings_api import GOOD
from tests.integration.test_pages_booking import Salon, details, post, shop

__all__ = ["shop"]  # the booking pages' fixture

EMAIL_321 = "r" * 309 + "@example.com"
PHONE_41 = "+351 " + "9" * 36


def sent_in(shop: Salon, data: dict[str, str], language: str) -> Any:
    return shop.merchant.client.post(
        f"/b/{shop.slug}/book",
        data=data,
        headers={"Accept-Language": language},
        follow_redirects=False,
    )


@pytest.mark.parametrize("step", ["continue", "confirm"])
@pytest.mark.parametrize(
    ("field", "typed", "said", "said_pt"),
    [
        (
            "name",
            "Rita " + "L" * 196,
            "Please give your name in at most 200 characters; this has 201.",
            "Indique o seu nome em no máximo 200 caracteres; este tem 201.",
        ),
        (
            "email",
            EMAIL_321,
            "Please give an e-mail address of at most 320 characters; this has 321.",
            "Indique um endereço de e-mail com no máximo 320 caracteres; este tem 321.",
        ),
        (
            "phone",
            PHONE_41,
            "Please give a phone number of at most 40 characters, or leave it out; this has 41.",
            "Indique um número de telefone com no máximo 40 caracteres, ou deixe-o em branco;"
            " este tem 41.",
        ),
        (
            "name",
            "9" * 4001,
            "Please give your name in at most 200 characters; this has 4,001.",
            "Indique o seu nome em no máximo 200 caracteres; este tem 4.001.",
        ),
    ],
    ids=["name", "email", "phone", "name far past"],
)
def test_a_detail_longer_than_the_booking_keeps_is_refused_beside_it_in_either_language(
    shop: Salon, step: str, field: str, typed: str, said: str, said_pt: str
) -> None:
    sent = details(shop, shop.at(shop.day(3), "10:00"), **{field: typed})
    if step == "confirm":
        sent = {**sent, "confirm": "1", "card": GOOD}
    for language, words in (("en", said), ("pt-PT,pt;q=0.9", said_pt)):
        refused = sent_in(shop, sent, language)
        assert refused.status_code == 422, refused.text[:300]
        assert refused.headers["content-type"].startswith("text/html")
        page = refused.text
        beside = f'<p class="field-error" role="alert" id="{field}-error">{words}</p>'
        assert beside in page
        label, input_at = page.index(f'<label for="{field}">'), page.index(f'id="{field}"')
        assert label < page.index(beside) < input_at  # read between its label and the field
        field_input = page[input_at : page.index(">", input_at)]
        assert f'aria-describedby="{field}-error"' in field_input
        assert "autofocus" in field_input and "maxlength" not in field_input
        assert f'value="{typed}"' in page  # kept to be shortened, not cut
        assert 'class="flash flash-error"' not in page  # said once, where it belongs
    assert shop.booked() == []


def test_details_at_their_most_are_booked_whole(shop: Salon) -> None:
    name = "Rita " + "L" * 195
    at_most = {"name": name, "email": EMAIL_321[1:], "phone": PHONE_41[:40]}
    sent = details(shop, shop.at(shop.day(3), "10:00"), **at_most)
    booked = post(shop, f"/b/{shop.slug}/book", {**sent, "confirm": "1", "card": GOOD})
    assert booked.status_code == 303, booked.text
    (booking,) = shop.booked()
    customer = shop.merchant.get(f"/v1/customers/{booking['customer_id']}").json()
    assert {k: customer[k] for k in at_most} == at_most

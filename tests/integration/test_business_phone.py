"""Café Azul gives its customers a number to call: the owner sets it through
``POST /v1/merchant`` or in the console's settings, by the customers' own
phone rule; a wrong number is refused in the contract's shape (API) or beside
the field, as typed, in the owner's language (console)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import Merchant
from tests.integration.test_pages_staff import Staff

CAFE_AZUL = "+351 210 000 000"


def test_cafe_azul_gives_its_phone_number_and_takes_it_off_again(merchant: Merchant) -> None:
    assert merchant.get("/v1/merchant").json()["phone"] is None
    given = merchant.post("/v1/merchant", {"phone": f"  {CAFE_AZUL} "})
    assert given.status_code == 200, given.text
    assert given.json()["phone"] == CAFE_AZUL
    assert merchant.get("/v1/merchant").json()["phone"] == CAFE_AZUL
    # Another setting changed leaves the number alone.
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).json()["phone"] == CAFE_AZUL
    assert merchant.post("/v1/merchant", {"phone": ""}).json()["phone"] is None


@pytest.mark.parametrize(
    "typed", ["call us", "+351 21O 000 000", "9" * 41, "+", "12", "---", "()", "+ ( ) - ."]
)
def test_cafe_azul_s_mistyped_number_is_refused_and_the_old_one_kept(
    merchant: Merchant, typed: str
) -> None:
    assert merchant.post("/v1/merchant", {"phone": CAFE_AZUL}).status_code == 200
    refused = merchant.post("/v1/merchant", {"phone": typed, "name": "Café Azul Baixa"})
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["param"]) == ("phone_invalid", "phone")
    assert "is not a phone number" in error["message"]
    after = merchant.get("/v1/merchant").json()
    # Nothing of the change is kept: not the name sent beside it either.
    assert (after["phone"], after["name"]) == (CAFE_AZUL, "Café Azul")


def test_a_customer_s_phone_follows_the_same_rule(merchant: Merchant) -> None:
    """One rule for both: what a customer may give, a business may."""
    assert merchant.customer("Rita", phone=CAFE_AZUL)["phone"] == CAFE_AZUL
    refused = merchant.post("/v1/customers", {"name": "Eva", "phone": "call us"})
    assert (refused.status_code, refused.json()["error"]["param"]) == (422, "phone")


PAGE = "/staff/settings"
WORDS = {
    "en_GB": (
        "Write the phone number in digits, such as +351 210 000 000: a + may come first, and"
        " spaces, brackets, dots or hyphens between; at most 40 characters. Or leave it empty."
    ),
    "pt_PT": (
        "Escreva o número de telefone em algarismos, como +351 210 000 000: pode começar por"
        " +, e levar espaços, parênteses, pontos ou hífenes pelo meio; no máximo 40"
        " caracteres. Ou deixe-o vazio."
    ),
}


def test_the_owner_of_cafe_azul_sets_the_number_in_the_console(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, access="owner")
    page = owner.get(PAGE).text
    assert 'id="phone" name="phone" autocomplete="tel"' in page
    saved = owner.post(f"{PAGE}/phone", {"phone": CAFE_AZUL}, follow_redirects=True)
    assert saved.status_code == 200, saved.text
    assert "Saved: customers are given this number to call." in saved.text
    assert f'value="{CAFE_AZUL}"' in saved.text
    assert merchant.get("/v1/merchant").json()["phone"] == CAFE_AZUL
    owner.post(f"{PAGE}/phone", {"phone": ""}, follow_redirects=True)
    assert merchant.get("/v1/merchant").json()["phone"] is None


@pytest.mark.parametrize("locale", ["en_GB", "pt_PT"])
def test_a_mistyped_number_is_said_beside_the_field_as_typed(
    merchant: Merchant, signed_in: Callable[..., Staff], locale: str
) -> None:
    assert merchant.post("/v1/merchant", {"locale": locale}).status_code == 200
    owner = signed_in(merchant, access="owner")
    refused = owner.post(f"{PAGE}/phone", {"phone": "21 000 0000 ext. 5"})
    assert refused.status_code == 422
    page = refused.text
    assert f'<p class="field-error" id="phone-error" role="alert">{WORDS[locale]}</p>' in page
    assert 'value="21 000 0000 ext. 5"' in page
    assert 'aria-describedby="phone-hint phone-error" aria-invalid="true"' in page
    assert merchant.get("/v1/merchant").json()["phone"] is None


def test_only_the_owner_sets_the_business_s_number(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, access="manager")
    assert 'name="phone"' not in manager.get(PAGE).text
    refused = manager.post(f"{PAGE}/phone", {"phone": CAFE_AZUL})
    assert refused.status_code == 403
    assert merchant.get("/v1/merchant").json()["phone"] is None

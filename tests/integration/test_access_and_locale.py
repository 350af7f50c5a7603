"""Access levels beside the job title, and a merchant's time zone and locale."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Merchant


def test_a_member_has_a_free_text_title_and_an_access_level(merchant: Merchant) -> None:
    made = merchant.post(
        "/v1/staff", {"name": "Inês Lopes", "role": "head barista", "access": "manager"}
    )
    assert made.status_code == 201, made.text
    member = made.json()
    assert (member["role"], member["access"]) == ("head barista", "manager")
    changed = merchant.post(f"/v1/staff/{member['id']}", {"access": "staff"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["role"], changed.json()["access"]) == ("head barista", "staff")
    assert merchant.get(f"/v1/staff/{member['id']}").json()["access"] == "staff"


@pytest.mark.parametrize(("role", "access"), [("owner", "owner"), ("staff", "staff")])
def test_without_an_access_level_an_owner_title_owns(
    merchant: Merchant, role: str, access: str
) -> None:
    made = merchant.post("/v1/staff", {"name": "Rui Pinto", "role": role})
    assert made.status_code == 201, made.text
    assert made.json()["access"] == access


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"name": "Rui", "access": "boss"}, "access"),
        ({"name": "Rui", "role": ""}, "role"),
        ({"name": "Rui", "role": "x" * 41}, "role"),
    ],
)
def test_a_wrong_access_or_title_is_refused_naming_it(
    merchant: Merchant, body: dict[str, Any], param: str
) -> None:
    refused = merchant.post("/v1/staff", body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["param"] == param
    assert merchant.get("/v1/staff").json()["data"] == []


def test_a_merchant_starts_in_utc_and_english_and_sets_its_own(merchant: Merchant) -> None:
    before = merchant.get("/v1/merchant").json()
    assert (before["timezone"], before["locale"]) == ("UTC", "en")
    changed = merchant.post("/v1/merchant", {"timezone": "Europe/Lisbon", "locale": "pt-PT"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["timezone"], changed.json()["locale"]) == ("Europe/Lisbon", "pt_PT")
    after = merchant.get("/v1/merchant").json()
    assert (after["timezone"], after["locale"], after["name"]) == (
        "Europe/Lisbon",
        "pt_PT",
        "Café Azul",
    )


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "../zoneinfo/UTC"}, "timezone"),
        ({"timezone": ""}, "timezone"),
        ({"locale": "xx_YY"}, "locale"),
        ({"locale": "not a locale"}, "locale"),
        ({"name": "   "}, "name"),
        ({"name": "Café Novo", "timezone": "Nowhere/City"}, "timezone"),
    ],
)
def test_a_wrong_zone_or_locale_is_refused_and_nothing_changes(
    merchant: Merchant, body: dict[str, Any], param: str
) -> None:
    refused = merchant.post("/v1/merchant", body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["param"] == param
    after = merchant.get("/v1/merchant").json()
    assert (after["name"], after["timezone"], after["locale"]) == ("Café Azul", "UTC", "en")

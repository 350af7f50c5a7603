"""The console's own words: one h1 on every page, a card payment named by its last four."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from servefirst.runtime import Runtime
from servefirst.staff import service as staff
from tests.conftest import Merchant
from tests.integration.test_pages_staff import PASSWORD, Staff


@pytest.fixture
def at_till(runtime: Runtime, app: Any, merchant: Merchant) -> Iterator[Staff]:
    email = f"rui.{secrets.token_hex(4)}@azul.example"
    with runtime.uow(merchant.id) as uow:
        staff.create_staff(uow, email=email, password=PASSWORD, name="Rui Pinto", role="owner")
        uow.commit()
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    with TestClient(
        app, base_url="https://testserver", raise_server_exceptions=False, client=(address, 5)
    ) as client:
        person = Staff(client, merchant, email)
        assert person.sign_in().status_code == 200
        yield person


def test_the_counter_and_today_have_their_headings(at_till: Staff) -> None:
    html = at_till.get("/staff").text
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", html) == ["Counter"]
    html = at_till.get("/staff/today").text
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", html) == ["Today at Café Azul"]


def test_a_card_payment_is_named_by_its_last_four(at_till: Staff, merchant: Merchant) -> None:
    tab = merchant.served_tab(900)
    card = merchant.post(
        f"/v1/tabs/{tab['id']}/payments",
        {"method": "card", "amount": 500, "card": "4242424242424242"},
    )
    assert card.status_code == 201, card.text
    cash = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 400})
    assert cash.status_code == 201, cash.text
    html = at_till.get(f"/staff/tabs/{tab['id']}").text
    assert "<span>Card ending in 4242</span>" in html
    assert "<span>Cash</span>" in html
    assert "•" not in html

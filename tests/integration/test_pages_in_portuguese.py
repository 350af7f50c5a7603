"""Pages in the reader's language and the merchant's conventions: the customer's
page follows the browser, the console the member's own choice (``/staff/settings``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import Merchant
from tests.integration.test_pages_staff import Staff, https_client, new_staff  # noqa: F401

PORTUGUESE = {"Accept-Language": "pt-PT,pt;q=0.9,en;q=0.5"}


def lisbon(merchant: Merchant) -> None:
    changed = merchant.post("/v1/merchant", {"timezone": "Europe/Lisbon", "locale": "pt_PT"})
    assert changed.status_code == 200, changed.text


def test_a_portuguese_browser_reads_the_tab_in_portuguese(merchant: Merchant) -> None:
    lisbon(merchant)
    tab = merchant.served_tab(450)
    page = merchant.client.get(f"/t/{tab['token']}", headers=PORTUGUESE)
    assert page.status_code == 200
    assert '<html lang="pt">' in page.text
    assert "A sua conta" in page.text and "Avalie o serviço" in page.text
    assert "4,50\xa0€" in page.text
    english = merchant.client.get(f"/t/{tab['token']}", headers={"Accept-Language": "en-GB"})
    assert "Rate the service" in english.text and "4,50\xa0€" in english.text


def test_a_receipt_shows_the_time_on_the_merchants_clock(merchant: Merchant) -> None:
    assert merchant.post("/v1/merchant", {"timezone": "Asia/Tokyo"}).status_code == 200
    tab = merchant.served_tab(450)
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 450})
    assert paid.status_code == 201
    receipt = merchant.client.get(f"/t/{tab['token']}/receipt").text
    shown = re.search(r"· (\d+ \w+ \d{4}, \d\d:\d\d)</span>", receipt)
    assert shown, receipt
    # The API keeps ISO 8601 with its offset; the page shows Tokyo's clock.
    local = datetime.fromisoformat(tab["opened_at"]).astimezone(ZoneInfo("Asia/Tokyo"))
    assert shown.group(1).endswith(local.strftime("%H:%M"))
    assert "UTC" not in receipt


def test_a_member_chooses_the_consoles_language(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    person = new_staff(merchant)
    assert person.sign_in().status_code == 200
    page = person.get("/staff/settings")
    assert page.status_code == 200 and "Language of the console" in page.text
    assert 'aria-current="page">Settings</a>' in page.text
    chosen = person.post("/staff/settings/language", {"language": "pt"})
    assert chosen.status_code == 200
    assert '<html lang="pt">' in chosen.text and "Idioma da consola" in chosen.text
    counter = person.get("/staff").text
    assert "Procurar cliente" in counter and "Sair" in counter
    back = person.post("/staff/settings/language", {"language": ""})
    assert back.status_code == 200 and "Language of the console" in back.text


def test_the_console_speaks_the_merchants_language_until_a_member_chooses(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    lisbon(merchant)
    person = new_staff(merchant, access="owner")
    assert person.sign_in().status_code == 200
    assert "Hoje — Café Azul" in person.get("/staff/today").text
    assert person.post("/staff/settings/language", {"language": "en"}).status_code == 200
    today = person.get("/staff/today").text
    assert "Today at Café Azul" in today and "Europe/Lisbon" in today


@pytest.mark.parametrize("language", ["fr", "klingon", "x" * 16])
def test_a_language_not_offered_gives_the_form_back_saying_why(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
    language: str,
) -> None:
    person = new_staff(merchant)
    assert person.sign_in().status_code == 200
    refused = person.post("/staff/settings/language", {"language": language})
    assert refused.status_code == 422
    assert "Choose one of the languages offered." in refused.text
    assert 'name="language" value="" checked' not in refused.text  # the entry is kept
    assert person.get("/staff/settings").text.count(" checked") == 1


def test_a_stale_form_changes_no_language(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    person = new_staff(merchant)
    assert person.sign_in().status_code == 200
    stale = person.client.post(
        "/staff/settings/language", data={"language": "pt", "csrf_token": "stale"}
    )
    assert stale.status_code == 403 and "This form has expired" in stale.text
    assert "Language of the console" in person.get("/staff/settings").text


def test_an_owner_in_portuguese_reads_policies_debtors_and_the_day_close_in_portuguese(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    lisbon(merchant)
    merchant.served_tab(360)  # owed: on the debtors list
    owner = new_staff(merchant, access="owner")
    assert owner.sign_in().status_code == 200
    assert owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    policies = owner.get("/staff/policies").text
    for label in ("Sinal (% do preço)", "Descontado de imediato, sem revisão (% da conta)"):
        assert label in policies
    assert "% of the" not in policies
    debtors = owner.get("/staff/debtors").text
    assert ">servida</span>" in debtors and ">served<" not in debtors
    close = owner.get("/staff/close-day").text
    assert not re.search(r"\d{4}-\d\d-\d\d, gorjetas", close), "the day is written as ISO"

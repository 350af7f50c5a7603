"""Taxes on the pages: the customer's tab and receipt and the console's tab show
net, tax per rate and gross (in English and Portuguese) when something is
taxed, nothing when nothing is; an owner adds a rate on the services page and
gives a service its rate; a bad rate comes back in words, nothing saved."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from typing import Any

from servefirst.kit.formats import format_datetime, use_place
from tests.conftest import Merchant, TestClock
from tests.integration.test_pages_staff import Staff

PORTUGUESE = {"Accept-Language": "pt-PT,pt;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Language": "en-GB"}


def taxed_tab(merchant: Merchant) -> dict[str, Any]:
    rate = merchant.post("/v1/tax-rates", {"name": "IVA 23%", "percent": "23"}).json()
    lunch = merchant.service("Lunch", price=1230, tax_rate_id=rate["id"])
    tab = merchant.tab()
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": lunch["id"]})
    return tab


def test_the_customer_sees_net_tax_and_gross_in_their_language(merchant: Merchant) -> None:
    tab = taxed_tab(merchant)
    english = merchant.client.get(f"/t/{tab['token']}", headers=ENGLISH)
    assert english.status_code == 200
    assert 'data-testid="taxes"' in english.text
    assert "Tax at 23%" in english.text and "Net" in english.text and "Gross" in english.text
    assert "€10.00" in english.text and "€2.30" in english.text
    portuguese = merchant.client.get(f"/t/{tab['token']}", headers=PORTUGUESE)
    assert "Imposto a 23%" in portuguese.text and "Total com imposto" in portuguese.text


def test_a_paid_receipt_carries_the_tax_per_rate(merchant: Merchant) -> None:
    tab = taxed_tab(merchant)
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 1230})
    receipt = merchant.client.get(f"/t/{tab['token']}/receipt", headers=ENGLISH)
    assert receipt.status_code == 200
    assert "Tax at 23%" in receipt.text and "€2.30" in receipt.text


def test_the_receipt_page_is_dated_when_the_tab_was_paid_as_its_pdf_is(
    merchant: Merchant, clock: TestClock
) -> None:
    tab = merchant.served_tab(380)
    clock.advance(minutes=50)  # a long lunch: paid well after it was opened
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"})
    assert paid.status_code == 201
    closed = merchant.get(f"/v1/tabs/{tab['id']}").json()
    receipt = merchant.client.get(f"/t/{tab['token']}/receipt", headers=ENGLISH).text
    shop = merchant.get("/v1/merchant").json()
    with use_place(shop["locale"], shop["timezone"]):
        paid_at = format_datetime(datetime.fromisoformat(closed["closed_at"]))
        opened_at = format_datetime(datetime.fromisoformat(closed["opened_at"]))
    assert paid_at != opened_at
    assert paid_at in html.unescape(receipt) and opened_at not in html.unescape(receipt)


def test_an_untaxed_tab_shows_no_tax(merchant: Merchant) -> None:
    tab = merchant.served_tab(380)
    page = merchant.client.get(f"/t/{tab['token']}", headers=ENGLISH)
    assert page.status_code == 200 and 'data-testid="taxes"' not in page.text


def test_the_console_tab_shows_the_tax(merchant: Merchant, signed_in: Callable[..., Staff]) -> None:
    tab = taxed_tab(merchant)
    staff = signed_in(merchant, "staff")
    page = staff.get(f"/staff/tabs/{tab['id']}", headers=ENGLISH)
    assert page.status_code == 200, page.text
    assert "Tax at 23%" in page.text and "€2.30" in page.text


def test_an_owner_adds_a_rate_and_gives_a_service_its_rate(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    added = owner.post(
        "/staff/tax-rates", {"name": "IVA 6%", "percent": "6"}, follow_redirects=False
    )
    assert added.status_code == 303, added.text
    [rate] = merchant.get("/v1/tax-rates").json()["data"]
    assert (rate["name"], rate["percent"]) == ("IVA 6%", "6")
    page = owner.get("/staff/services", headers=ENGLISH)
    assert "Tax rate added." in owner.get(added.headers["location"], headers=ENGLISH).text
    assert f'<option value="{rate["id"]}">IVA 6%</option>' in page.text  # its percent once
    assert "IVA 6% (6%)" not in page.text
    saved = owner.post(
        "/staff/services",
        {
            "name": "Bread",
            "price": "1.06",
            "duration_minutes": "1",
            "expected_results": "Fresh",
            "limits": "",
            "tax_rate_id": rate["id"],
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    [bread] = merchant.get("/v1/services").json()["data"]
    assert bread["tax_rate_id"] == rate["id"]
    edit = owner.get(f"/staff/services/{bread['id']}")
    assert f'<option value="{rate["id"]}" selected>' in edit.text


def test_a_rate_of_150_percent_comes_back_in_words_with_nothing_saved(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    refused = owner.post("/staff/tax-rates", {"name": "Wrong", "percent": "150"})
    assert refused.status_code == 422
    assert "between 0 and 100" in refused.text
    assert merchant.get("/v1/tax-rates").json()["data"] == []


def test_a_manager_cannot_add_a_rate(merchant: Merchant, signed_in: Callable[..., Staff]) -> None:
    manager = signed_in(merchant, "manager")
    refused = manager.post("/staff/tax-rates", {"name": "IVA 23%", "percent": "23"})
    assert refused.status_code == 403
    assert merchant.get("/v1/tax-rates").json()["data"] == []


def test_a_bad_rate_reads_in_portuguese_in_a_portuguese_console(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    assert owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    said = {
        ("", "6"): "O nome não pode ficar vazio.",
        ("IVA 6%", "abc"): "'abc' não é uma percentagem; escreva-a como 23 ou 5,5.",
        ("IVA 6%", "-6"): "A percentagem tem de estar entre 0 e 100.",
        ("IVA 6%", "6.123456"): "Uma percentagem tem no máximo 4 casas decimais.",
    }
    for (name, percent), words in said.items():
        refused = owner.post("/staff/tax-rates", {"name": name, "percent": percent})
        assert refused.status_code == 422
        assert words in html.unescape(refused.text), (name, percent)
    assert owner.post("/staff/tax-rates", {"name": "IVA 6%", "percent": "6,0"}).status_code == 200
    twice = owner.post("/staff/tax-rates", {"name": "IVA 6%", "percent": "6"})
    assert twice.status_code == 409
    assert "Já existe uma taxa de imposto chamada 'IVA 6%'." in html.unescape(twice.text)
    assert len(merchant.get("/v1/tax-rates").json()["data"]) == 1

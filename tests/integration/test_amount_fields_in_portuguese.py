"""An amount a form offers is written as the business writes it: a Lisbon
console's cash field said "29.75" beside "29,75 €" on the bill (and the
service's price field "4.50"); it now says "29,75", and taking it as offered
records 29,75 €. A London console keeps "29.75"."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Merchant
from tests.integration.test_pages_staff import Staff


def _cash_offered(page: str) -> str:
    form = page.split('action="/staff/tabs/')[-1]
    start = form.index('name="amount" value="') + len('name="amount" value="')
    return form[start : form.index('"', start)]


def test_a_lisbon_till_offers_what_is_due_with_a_decimal_comma_and_takes_it(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    owner = signed_in(merchant, "owner")
    tab = merchant.served_tab(2975)
    page = owner.get(f"/staff/tabs/{tab['id']}").text
    assert "29,75\xa0€" in page
    offered = _cash_offered(page)
    assert offered == "29,75"
    paid = owner.post(f"/staff/tabs/{tab['id']}/cash", {"amount": offered, "tip": ""})
    assert paid.status_code == 200, paid.text
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["status"] == "paid"
    service = merchant.service("Fringe trim", price=450)
    assert 'value="4,50"' in owner.get(f"/staff/services/{service['id']}").text
    # The empty fields' examples are written the same way.
    assert 'name="tip" value="" inputmode="decimal" placeholder="0,00"' in page
    assert 'placeholder="4,50"' in owner.get("/staff/services").text


def test_a_london_till_keeps_the_decimal_point(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    tab = merchant.served_tab(2975)
    page = owner.get(f"/staff/tabs/{tab['id']}").text
    assert _cash_offered(page) == "29.75"
    assert 'placeholder="0.00"' in page

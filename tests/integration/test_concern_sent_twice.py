"""A customer's concern form sent twice (a double tap, the back button) raises
one concern and takes one discount off the bill; the second send is told the
concern is already there, in the customer's language. The API, which sends
no count, raises each concern it is asked for."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import Merchant

SEEN = re.compile(r'name="concerns_seen" value="(\d+)"')


def concern_form(merchant: Merchant, token: str, **typed: str) -> dict[str, str]:
    page = merchant.client.get(f"/t/{token}", headers={"Accept-Language": "pt-PT"})
    found = SEEN.search(page.text)
    assert found, page.text
    return {"concerns_seen": found.group(1), **typed}


def concerns(merchant: Merchant, tab: dict[str, Any]) -> list[tuple[str, int]]:
    listed = merchant.get(f"/v1/tabs/{tab['id']}/concerns").json()["data"]
    return [(c["status"], c["approved_amount"]) for c in listed]


def test_a_partial_concern_sent_twice_takes_one_discount(merchant: Merchant) -> None:
    tab = merchant.served_tab(450, 450)
    form = concern_form(merchant, tab["token"], reason="Frio", remedy="partial", amount="1,00")
    for expected in (303, 409):
        sent = merchant.client.post(
            f"/t/{tab['token']}/concern",
            data=form,
            headers={"Accept-Language": "pt-PT"},
            follow_redirects=False,
        )
        assert sent.status_code == expected, sent.text
    assert "A sua reclamação já foi enviada: está indicada nesta página." in sent.text
    assert concerns(merchant, tab) == [("approved", 100)]
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["amount_due"] == 800


def test_a_second_concern_from_a_fresh_page_is_raised(merchant: Merchant) -> None:
    tab = merchant.served_tab(450, 450)
    for _ in range(2):
        form = concern_form(merchant, tab["token"], reason="Frio", remedy="waive")
        sent = merchant.client.post(f"/t/{tab['token']}/concern", data=form, follow_redirects=False)
        assert sent.status_code == 303, sent.text
    assert [status for status, _ in concerns(merchant, tab)] == ["pending", "pending"]

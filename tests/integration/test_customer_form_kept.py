"""The new-customer form sent after it expired (the owner signed in again on
another device, so the page's form token is stale) comes back as typed, with
the trouble said in the member's language: nothing is added, nothing has to be
typed again, and the form sent again adds its customer once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import Merchant
from tests.integration.test_customer_form_sent_twice import form_key, names
from tests.integration.test_pages_staff import CSRF, Staff

EXPIRED = {
    "en": "This form had expired, so nothing was saved. Check it and send it again.",
    "pt": "Este formulário tinha expirado, por isso nada foi guardado. Verifique-o e envie-o",
}
JOANA = {"name": "Joana Reis", "email": "joana.reis@example.com", "phone": "+351 912 345 678"}


@pytest.mark.parametrize("language", ["en", "pt"])
@pytest.mark.parametrize("page", ["/staff/customers", "/staff"])
def test_an_expired_new_customer_form_comes_back_as_typed(
    merchant: Merchant, signed_in: Callable[..., Staff], language: str, page: str
) -> None:
    owner = signed_in(merchant, "owner")
    if language == "pt":
        assert owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    key = form_key(owner.get(page).text)  # the counter's form and the book's alike
    typed = {**JOANA, "attempt": key}
    stale = owner.post("/staff/customers", {**typed, "csrf_token": "from-an-earlier-sign-in"})
    assert stale.status_code == 403, stale.text
    assert EXPIRED[language] in stale.text
    for value in JOANA.values():
        assert f'value="{value}"' in stale.text
    assert form_key(stale.text) == key  # the same form, so sent twice it still adds once
    assert names(merchant) == []

    fresh = CSRF.search(stale.text)
    assert fresh and fresh.group(1) == owner.csrf  # the page carries the live token
    again = {**typed, "csrf_token": fresh.group(1)}
    first = owner.client.post("/staff/customers", data=again, follow_redirects=False)
    second = owner.client.post("/staff/customers", data=again, follow_redirects=False)
    assert first.status_code == second.status_code == 303, first.text
    assert second.headers["location"] == first.headers["location"]
    assert names(merchant) == ["Joana Reis"]

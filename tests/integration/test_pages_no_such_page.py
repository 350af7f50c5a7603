"""A mistyped link or a form's address opened in the address bar gets a page
in the reader's language, never the API's JSON: a refused form stays at its
own address (``/staff/sign-in``, ``/t/{token}/pay``), so Enter in the address
bar asks for it again with GET. The API keeps its contract's answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Merchant
from tests.integration.test_pages_nul import Cafe, cafe, https_client, new_staff

__all__ = ["cafe", "https_client", "new_staff"]  # the pages' fixtures

PORTUGUESE = {"Accept-Language": "pt-PT,pt;q=0.9"}


def a_page(response: Any, status: int) -> str:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("text/html"), response.text[:300]
    return str(response.text)


def test_a_console_address_no_page_has_is_a_console_page_saying_so(
    cafe: Cafe, https_client: Callable[[], TestClient]
) -> None:
    page = a_page(cafe.owner.get("/staff/no-such-page"), 404)
    assert "There is no page at this address" in page
    assert "Back to the console" in page
    # Signed out, the browser's language.
    pt = a_page(https_client().get("/staff/no-such-page", headers=PORTUGUESE), 404)
    assert "Não há nenhuma página neste endereço" in pt


def test_a_console_address_no_page_has_speaks_the_members_language(cafe: Cafe) -> None:
    # Signed in, the member's choice, as every console page: not the browser's.
    assert cafe.owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    pt = a_page(cafe.owner.get("/staff/no-such-page"), 404)
    assert '<html lang="pt">' in pt
    assert "Não há nenhuma página neste endereço" in pt
    english_browser = {"Accept-Language": "en-GB,en;q=0.9"}
    assert "Não há nenhuma página" in cafe.owner.get("/staff/nope", headers=english_browser).text


def test_the_sign_in_address_opened_as_a_page_says_to_send_the_form_from_its_page(
    client: TestClient,
) -> None:
    answer = client.get("/staff/sign-in")
    page = a_page(answer, 405)
    assert "only takes a form sent from its page" in page
    assert answer.headers["allow"] == "POST"
    pt = a_page(client.get("/staff/sign-in", headers=PORTUGUESE), 405)
    assert "só recebe um formulário" in pt


def test_a_customers_form_address_opened_as_a_page_is_a_page(merchant: Merchant) -> None:
    tab = merchant.tab()
    page = a_page(merchant.client.get(f"/t/{tab['token']}/pay"), 405)
    assert "only takes a form sent from its page" in page
    assert a_page(merchant.client.get("/b/no-such-shop/nothing/here"), 404)


def test_the_api_keeps_its_contracts_answers(merchant: Merchant, client: TestClient) -> None:
    missing = merchant.get("/v1/no-such-route")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "resource_missing"
    wrong_method = merchant.client.put("/v1/tabs", headers=merchant.headers)
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/docs/no-such-page").headers["content-type"] == "application/json"

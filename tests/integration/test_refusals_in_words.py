"""A refusal in the staff member's language on the console, money written the
merchant's way; the API keeps its English words for integrators."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Merchant
from tests.integration.test_pages_staff import Staff


def _portuguese(merchant: Merchant) -> None:
    changed = merchant.post("/v1/merchant", {"timezone": "Europe/Lisbon", "locale": "pt_PT"})
    assert changed.status_code == 200, changed.text


def _read(text: str) -> str:
    return text.replace("\xa0", " ").replace("&nbsp;", " ")


def test_a_portuguese_member_reads_the_tab_limit_refusal_in_portuguese_at_the_counter(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    _portuguese(merchant)
    colour = merchant.service("Full colour", price=11250)  # past a new customer's 100.00
    tab = merchant.tab()
    desk = signed_in(merchant, "staff")
    refused = desk.post(
        f"/staff/tabs/{tab['id']}/counter/lines", {"service_id": colour["id"], "quantity": "1"}
    )
    assert refused.status_code == 402
    page = _read(refused.text)
    assert "Isto levaria o cliente além do limite da conta" in page
    assert "Ou receba 112,50 € antes de servir" in page
    assert "past their tab limit" not in page and "€112.50" not in page


def test_the_api_still_refuses_in_english(merchant: Merchant) -> None:
    _portuguese(merchant)
    colour = merchant.service("Full colour", price=11250)
    tab = merchant.tab()
    refused = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": colour["id"]})
    assert refused.status_code == 402
    error = refused.json()["error"]
    assert error["code"] == "tab_limit_exceeded"
    assert error["message"].startswith("This would take the customer past their tab limit")
    assert "Or take €112.50 before serving (a prepaid line)." in error["message"]
    assert "currency" not in error  # the page's figures stay out of the API's answer


def test_too_much_taken_at_the_counter_is_said_in_portuguese_with_the_amounts(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    _portuguese(merchant)
    tea = merchant.service("Tea", price=4000)
    tab = merchant.tab()
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": tea["id"]})
    desk = signed_in(merchant, "staff")
    refused = desk.post(
        f"/staff/tabs/{tab['id']}/counter/payment", {"amount": "50,00", "method": "cash"}
    )
    assert refused.status_code == 422, refused.text
    assert "50,00 € é mais do que os 40,00 € em dívida" in _read(refused.text)


def test_a_customer_asking_a_discount_above_the_bill_reads_it_in_money_in_their_language(
    merchant: Merchant,
) -> None:
    _portuguese(merchant)
    tab = merchant.served_tab(680)
    asked = {"reason": "Frio", "remedy": "partial", "amount": "100"}
    for language, words in [
        ("pt-PT", "Um desconto de 100,00 € é mais do que os 6,80 € ainda em dívida."),
        ("en-GB", "A discount of 100,00 € is more than the 6,80 € still owed."),
    ]:
        refused = merchant.client.post(
            f"/t/{tab['token']}/concern", data=asked, headers={"Accept-Language": language}
        )
        assert refused.status_code == 422
        assert words in _read(refused.text), language
        assert "10000" not in refused.text
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["amount_due"] == 680


def test_a_manager_granting_more_than_is_owed_reads_it_in_money(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    _portuguese(merchant)
    tab = merchant.served_tab(680)
    asked = {"reason": "Frio", "remedy": "waive"}
    sent = merchant.client.post(f"/t/{tab['token']}/concern", data=asked, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    [concern] = merchant.get(f"/v1/tabs/{tab['id']}/concerns").json()["data"]
    manager = signed_in(merchant, "manager")
    assert manager.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    refused = manager.post(
        f"/staff/tabs/{tab['id']}/concerns/{concern['id']}",
        {"decision": "approve", "amount": "9,00"},
    )
    assert refused.status_code == 422
    assert "Um desconto de 9,00 € é mais do que os 6,80 € ainda em dívida." in _read(refused.text)


def test_letters_in_a_whole_number_field_are_refused_in_portuguese(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    assert manager.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    typed = {
        "name": "Corte",
        "price": "20,00",
        "duration_minutes": "meia hora",
        "expected_results": "Cabelo cortado",
        "limits": "",
    }
    refused = manager.post("/staff/services", typed)
    assert refused.status_code == 422
    assert "Escolha um número inteiro de 1 a 10.080." in _read(refused.text)
    assert merchant.get("/v1/services").json()["data"] == []


def test_a_quantity_out_of_range_on_the_tab_page_is_refused_in_portuguese(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    coffee = merchant.service("Espresso", price=120)
    tab = merchant.tab()
    desk = signed_in(merchant, "staff")
    assert desk.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    for typed in ("0", "-3", "5000"):
        refused = desk.post(
            f"/staff/tabs/{tab['id']}/lines", {"service_id": coffee["id"], "quantity": typed}
        )
        assert refused.status_code == 422, typed
        assert "Escolha um número inteiro de 1 a 1.000." in _read(refused.text), typed
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"] == []

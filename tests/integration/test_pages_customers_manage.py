"""The console's customers: found however they were typed, a warning before a
likely duplicate is added, and merging two into one (managers, confirmed)."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Merchant
from tests.integration.test_pages_staff import Staff


def names(merchant: Merchant) -> list[str]:
    return sorted(c["name"] for c in merchant.get("/v1/customers").json()["data"])


def test_the_console_search_ignores_accents_and_spacing(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    merchant.customer("Inês Conceição", phone="+351 912 345 678")
    desk = signed_in(merchant, "staff")
    for typed in ("ines conceicao", "912345678"):
        page = desk.get("/staff/customers", params={"q": typed})
        assert page.status_code == 200 and "Inês Conceição" in page.text, typed


def test_a_likely_duplicate_is_shown_before_it_is_added_and_can_be_added_anyway(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    merchant.customer("Ana Costa", phone="+351 912 345 678")
    desk = signed_in(merchant, "staff")
    typed = {"name": "Ana C.", "email": "", "phone": "912 345 678"}
    warned = desk.post("/staff/customers", typed)
    assert warned.status_code == 409
    assert "Ana Costa" in warned.text and "the same phone number" in warned.text
    assert 'value="Ana C."' in warned.text and 'name="anyway" value="yes"' in warned.text
    assert names(merchant) == ["Ana Costa"]  # nothing added yet
    added = desk.post("/staff/customers", {**typed, "anyway": "yes"}, follow_redirects=False)
    assert added.status_code == 303
    assert names(merchant) == ["Ana C.", "Ana Costa"]


def test_a_manager_merges_two_customers_after_confirming(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    kept = merchant.customer("Ana Costa", email="ana@example.com")
    twin = merchant.customer("Ana C.", phone="+351 912 345 678")
    tab = merchant.tab(twin["id"])
    manager = signed_in(merchant, "manager")
    page = manager.get(f"/staff/customers/{twin['id']}/merge", params={"q": "ana costa"})
    assert page.status_code == 200 and "Ana Costa" in page.text
    unconfirmed = manager.post(
        f"/staff/customers/{twin['id']}/merge", {"into": kept["id"], "q": "ana costa"}
    )
    assert unconfirmed.status_code == 422 and "Tick the box" in unconfirmed.text
    assert merchant.get(f"/v1/customers/{twin['id']}").status_code == 200
    merged = manager.post(
        f"/staff/customers/{twin['id']}/merge",
        {"into": kept["id"], "confirm": "yes"},
        follow_redirects=False,
    )
    assert merged.status_code == 303, merged.text
    assert merged.headers["location"].startswith(f"/staff/customers/{kept['id']}")
    assert "Customers merged" in manager.get(merged.headers["location"]).text
    assert merchant.get(f"/v1/customers/{twin['id']}").status_code == 404
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["customer_id"] == kept["id"]
    again = manager.post(
        f"/staff/customers/{twin['id']}/merge",
        {"into": kept["id"], "confirm": "yes"},
        follow_redirects=False,
    )
    assert again.status_code == 303  # the same merge twice: already done


def test_staff_below_manager_cannot_merge(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    kept = merchant.customer("Ana")
    twin = merchant.customer("Ana 2")
    desk = signed_in(merchant, "staff")
    assert desk.get(f"/staff/customers/{twin['id']}/merge").status_code == 403
    refused = desk.post(
        f"/staff/customers/{twin['id']}/merge", {"into": kept["id"], "confirm": "yes"}
    )
    assert refused.status_code == 403
    assert merchant.get(f"/v1/customers/{twin['id']}").status_code == 200


def test_a_stale_merge_form_comes_back_and_merges_nothing(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    kept = merchant.customer("Ana")
    twin = merchant.customer("Ana 2")
    manager = signed_in(merchant, "manager")
    stale = manager.post(
        f"/staff/customers/{twin['id']}/merge",
        {"into": kept["id"], "confirm": "yes", "q": "Ana", "csrf_token": "old"},
    )
    assert stale.status_code == 403 and "This form had expired" in stale.text
    assert 'value="Ana"' in stale.text
    assert merchant.get(f"/v1/customers/{twin['id']}").status_code == 200


def test_the_customers_page_lists_the_book_a_to_z_before_anything_is_typed(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    for name in ("Rui Pinto", "Ana Costa", "Marta Silva"):
        merchant.customer(name)
    desk = signed_in(merchant, "staff")
    page = desk.get("/staff/customers")
    assert page.status_code == 200
    assert "<h1" in page.text and ">Customers</h1>" in page.text
    listed = (
        page.text.index("Ana Costa"),
        page.text.index("Marta Silva"),
        page.text.index("Rui Pinto"),
    )
    assert list(listed) == sorted(listed)
    # As staff type, htmx asks this page's list again: a cleared search shows the book.
    typed = desk.get(
        "/staff/customers", params={"q": "mar", "book": "1"}, headers={"HX-Request": "true"}
    )
    assert "Marta Silva" in typed.text and "Rui Pinto" not in typed.text
    cleared = desk.get(
        "/staff/customers", params={"q": "", "book": "1"}, headers={"HX-Request": "true"}
    )
    assert "Rui Pinto" in cleared.text and "Ana Costa" in cleared.text
    # The counter's search stays a search: nothing typed, nothing listed.
    counter = desk.get("/staff/customers", params={"q": ""}, headers={"HX-Request": "true"})
    assert "Ana Costa" not in counter.text


def test_a_refused_new_customer_comes_back_on_the_customers_page_as_typed(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    desk = signed_in(merchant, "staff")
    refused = desk.post("/staff/customers", {"name": "Bea", "email": "not an e-mail", "phone": ""})
    assert refused.status_code == 422
    assert ">Customers</h1>" in refused.text
    assert 'value="not an e-mail"' in refused.text and "<details open" in refused.text
    assert names(merchant) == []


def test_with_no_customers_yet_the_page_says_so_in_portuguese(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    desk = signed_in(merchant, "staff")
    desk.post("/staff/settings/language", {"language": "pt"})
    page = desk.get("/staff/customers")
    assert "Ainda não há clientes. Acrescente o primeiro abaixo." in page.text


def test_a_new_customer_s_bad_entries_are_said_in_words_not_as_patterns(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    desk = signed_in(merchant, "staff")
    cases = [
        (
            {"name": "Bea", "email": "bea.example.com"},
            "Check e-mail: write it like name@example.com.",
        ),
        ({"name": "Bea", "phone": "ring me"}, "Check phone: write it in digits, like +351"),
        ({"name": "Bea", "phone": "- - -"}, "Check phone: write it in digits, like +351"),
        ({"name": "   "}, "Check name: it cannot be empty."),
        ({"name": "Bea", "phone": "9" * 41}, "Check phone: it takes at most 40 characters."),
    ]
    for typed, words in cases:
        refused = desk.post("/staff/customers", {"email": "", "phone": "", **typed})
        assert refused.status_code == 422, typed
        assert words in refused.text, typed
        assert "should match pattern" not in refused.text and "String should" not in refused.text
    desk.post("/staff/settings/language", {"language": "pt"})
    refused = desk.post("/staff/customers", {"name": "Bea", "email": "bea@", "phone": ""})
    assert "Verifique o e-mail: escreva-o como nome@exemplo.pt." in refused.text
    assert names(merchant) == []

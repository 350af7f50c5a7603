"""Services and prices in the console: added, edited with their terms as
lists, retired and offered again; every version a tab was given stays shown;
bad input comes back in words with nothing saved."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Merchant
from tests.integration.test_pages_staff import Staff

FORM = {
    "name": "Cut and blow-dry",
    "price": "40,00",
    "duration_minutes": "45",
    "expected_results": "A cut you chose\n\n  Hair dried and styled  ",
    "limits": "Colour not included",
}


def test_a_manager_adds_a_service_with_its_terms_as_lists(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    added = manager.post("/staff/services", FORM, follow_redirects=False)
    assert added.status_code == 303, added.text
    [service] = merchant.get("/v1/services").json()["data"]
    assert (service["name"], service["price"], service["duration_minutes"]) == (
        "Cut and blow-dry",
        4000,
        45,
    )
    assert service["expected_results"] == ["A cut you chose", "Hair dried and styled"]
    assert service["limits"] == ["Colour not included"]
    page = manager.get(added.headers["location"])
    assert page.status_code == 200 and "Service added." in page.text


def test_changed_terms_make_a_version_and_the_old_one_stays_visible(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    service = merchant.service(
        "Espresso", price=120, expected_results=["Short and strong"], limits=["No refills"]
    )
    tab = merchant.tab()
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"]})
    owner = signed_in(merchant, "owner")
    saved = owner.post(
        f"/staff/services/{service['id']}",
        {
            "name": "Espresso",
            "price": "1.30",
            "duration_minutes": "5",
            "expected_results": "Short and strong\nServed in a warm cup",
            "limits": "No refills",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    after = merchant.get(f"/v1/services/{service['id']}").json()
    assert (after["price"], after["terms_version"]) == (130, 2)
    page = owner.get(f"/staff/services/{service['id']}")
    assert "Version 2" in page.text and "Version 1" in page.text
    assert "Served in a warm cup" in page.text and "Short and strong" in page.text
    # The tab keeps the version it was given.
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"][0]["terms_version"] == 1


def test_a_retired_service_is_no_longer_offered_and_can_come_back(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    service = merchant.service("Tea", price=250)
    manager = signed_in(merchant, "manager")
    retired = manager.post(f"/staff/services/{service['id']}/retire", follow_redirects=False)
    assert retired.status_code == 303
    assert merchant.get(f"/v1/services/{service['id']}").json()["active"] is False
    tab = merchant.tab()
    refused = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"]})
    assert refused.status_code == 409
    manager.post(f"/staff/services/{service['id']}/restore")
    assert merchant.get(f"/v1/services/{service['id']}").json()["active"] is True


def test_bad_input_comes_back_in_words_with_nothing_saved(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    for field, typed, words in [
        ("price", "abc", "is not an amount"),
        ("price", "-3", "cannot be negative"),
        ("duration_minutes", "-5", "whole number"),
        ("duration_minutes", "ten", "whole number"),
        ("expected_results", "  \n ", "at least one thing"),
        ("name", "   ", "Check name"),
    ]:
        page = manager.post("/staff/services", {**FORM, field: typed})
        assert page.status_code == 422, (field, typed, page.text[-500:])
        assert words in page.text, (field, typed)
        assert "Colour not included" in page.text  # the rest of the entry is kept
    stale = manager.post("/staff/services", {**FORM, "csrf_token": "stale"})
    assert stale.status_code == 403 and "This form had expired" in stale.text
    assert 'value="40,00"' in stale.text
    assert merchant.get("/v1/services").json()["data"] == []


def test_staff_below_manager_cannot_change_services(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    desk = signed_in(merchant, "staff")
    assert desk.get("/staff/services").status_code == 403
    assert desk.post("/staff/services", FORM).status_code == 403
    assert merchant.get("/v1/services").json()["data"] == []


def test_a_name_or_terms_out_of_bounds_are_refused_in_the_reader_s_language(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    for field, typed, english in [
        ("name", "   ", "Check name: it cannot be empty."),
        ("name", "x" * 201, "Check name: it takes at most 200 characters."),
        (
            "expected_results",
            "Warm\n" + "y" * 4001,
            "Check what the customer can expect: it takes at most 4000 characters.",
        ),
    ]:
        page = manager.post("/staff/services", {**FORM, field: typed})
        assert page.status_code == 422, (field, page.text[-500:])
        assert english in page.text, field
        assert "String should" not in page.text
    assert manager.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    for field, typed, portuguese in [
        ("name", "", "Verifique o nome: não pode ficar vazio."),
        ("limits", "z" * 4001, "Verifique o que não promete: leva no máximo 4000 caracteres."),
    ]:
        page = manager.post("/staff/services", {**FORM, field: typed})
        assert page.status_code == 422, (field, page.text[-500:])
        assert portuguese in page.text, field
    assert merchant.get("/v1/services").json()["data"] == []


def test_a_page_pasted_into_the_price_is_refused_in_a_short_sentence(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    assert manager.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    page = manager.post("/staff/services", {**FORM, "price": "x" * 5000})
    assert page.status_code == 422
    assert "&#39;xxxxxxxxxxxxxxxxxxxx…&#39; não é um valor; escreva-o como 2,50." in page.text
    assert "x" * 21 not in page.text.replace('value="' + "x" * 5000, "")  # kept in the field only


def test_a_refused_service_field_is_marked_and_said_beside_it(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    # Six fields: the manager on a phone must see which one to fix, not a line at the top.
    manager = signed_in(merchant, "manager")
    service = merchant.service("Espresso", price=120)
    for field, typed, words in [
        ("price", "abc", "is not an amount"),
        ("duration_minutes", "-5", "whole number"),
        ("expected_results", "  \n ", "at least one thing"),
        ("name", "x" * 201, "Check name"),
        ("limits", "z" * 4001, "Check what it does not promise"),
    ]:
        for where in ("/staff/services", f"/staff/services/{service['id']}"):
            page = manager.post(where, {**FORM, field: typed})
            assert page.status_code == 422, (field, where, page.text[-500:])
            marked = f'aria-invalid="true" aria-describedby="service-{field}-error" autofocus'
            assert marked in page.text, (field, where)
            beside = f'<span class="field-error" role="alert" id="service-{field}-error">'
            assert beside in page.text and words in page.text.split(beside)[1].split("</span>")[0]
            assert page.text.count('aria-invalid="true"') == 1, (field, where)
            assert 'id="error"' not in page.text  # said once, beside its field
    assert [s["name"] for s in merchant.get("/v1/services").json()["data"]] == ["Espresso"]

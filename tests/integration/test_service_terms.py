"""A service's terms (``expected_results``, ``limits``) follow one rule: a
sentence (a string) or a list of statements (strings), kept and returned in
the form sent, trimmed. A blank sentence or an empty list says nothing; a
blank statement inside a list, a number, a nested list or anything else is
refused with 422 naming the field, and nothing is saved. The customer reads a
sentence as one statement, never letter by letter."""

from __future__ import annotations

import re
from typing import Any

import pytest

from servefirst.catalog.service import create_service
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration.test_availability_api import Salon


def service_with(merchant: Merchant, **terms: Any) -> Any:
    body = {
        "name": "Cut and blow-dry",
        "price": 4000,
        "duration_minutes": 45,
        "expected_results": ["A cut you chose"],
        "limits": ["Colour not included"],
        **terms,
    }
    return merchant.post("/v1/services", body)


def bullets(page: str, heading: str) -> list[str]:
    """The items of the list under ``heading`` on a page."""
    after = page.split(heading, 1)[1]
    items = after.split("<ul>", 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"\s+", " ", i).strip() for i in re.findall(r"<li>(.*?)</li>", items, re.S)]


def test_a_sentence_is_returned_as_the_sentence_sent(merchant: Merchant) -> None:
    made = service_with(merchant, expected_results="  Your hair cut as you chose it  ")
    assert made.status_code == 201, made.text
    assert made.json()["expected_results"] == "Your hair cut as you chose it"
    listed = merchant.get("/v1/services").json()["data"]
    assert listed[0]["expected_results"] == "Your hair cut as you chose it"


def test_a_list_is_returned_as_the_list_sent_each_statement_trimmed(merchant: Merchant) -> None:
    made = service_with(merchant, expected_results=["  A cut you chose ", "Hair dried"])
    assert made.status_code == 201, made.text
    assert made.json()["expected_results"] == ["A cut you chose", "Hair dried"]


@pytest.mark.parametrize("nothing", ["", "   ", []])
def test_a_blank_sentence_or_an_empty_list_promises_nothing_more(
    merchant: Merchant, nothing: Any
) -> None:
    made = service_with(merchant, limits=nothing)
    assert made.status_code == 201, made.text
    assert made.json()["limits"] in ("", [])


#: What is no sentence and no list of statements, and the words that say why.
REFUSED = [
    (5, "a sentence (a string) or a list of statements"),
    (4.5, "a sentence (a string) or a list of statements"),
    (True, "a sentence (a string) or a list of statements"),
    ({"en": "A cut"}, "a sentence (a string) or a list of statements"),
    ([5], "each statement is text"),
    ([["A cut"]], "each statement is text"),
    ([None], "each statement is text"),
    (["A cut", ""], "blank"),
    (["A cut", "   "], "blank"),
    (["z" * 4001], "at most 4000 characters"),
    (["A cut"] * 51, "at most 50"),
]


@pytest.mark.parametrize(("field", "terms", "said"), [
    (field, terms, said) for field in ("expected_results", "limits") for terms, said in REFUSED
])  # fmt: skip
def test_anything_else_is_refused_naming_the_field_and_nothing_is_saved(
    merchant: Merchant, field: str, terms: Any, said: str
) -> None:
    refused = service_with(merchant, **{field: terms})
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert (error["type"], error["code"]) == ("invalid_request_error", "parameter_invalid")
    assert error["param"].split(".")[0] == field, error
    assert said in error["message"], error["message"]
    assert merchant.get("/v1/services").json()["data"] == []


def test_a_blank_statement_names_its_place_in_the_list(merchant: Merchant) -> None:
    refused = service_with(merchant, expected_results=["A cut you chose", " ", "Hair dried"])
    assert refused.json()["error"]["param"] == "expected_results.1"


def test_new_terms_are_checked_as_the_first_ones_and_a_refusal_keeps_the_version(
    merchant: Merchant,
) -> None:
    service = service_with(merchant).json()
    refused = merchant.post(f"/v1/services/{service['id']}", {"limits": ["No colour", ""]})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["param"] == "limits.1"
    kept = merchant.get(f"/v1/services/{service['id']}").json()
    assert (kept["limits"], kept["terms_version"]) == (["Colour not included"], 1)
    moved_to_a_sentence = merchant.post(f"/v1/services/{service['id']}", {"limits": "No colour"})
    assert moved_to_a_sentence.json()["limits"] == "No colour"
    assert moved_to_a_sentence.json()["terms_version"] == 2


def test_terms_kept_before_the_rule_are_still_read(runtime: Runtime, merchant: Merchant) -> None:
    """A service saved with a blank statement before it was refused still
    lists, as it was kept: what a customer was shown is never rewritten."""
    with runtime.uow(merchant.id) as uow:
        create_service(
            uow,
            name="Espresso",
            price=120,
            duration_minutes=5,
            expected_results=["Short and strong", ""],
            limits="",
        )
        uow.commit()
    listed = merchant.get("/v1/services")
    assert listed.status_code == 200, listed.text
    assert listed.json()["data"][0]["expected_results"] == ["Short and strong", ""]


def test_the_customer_reads_a_sentence_as_one_statement(merchant: Merchant) -> None:
    service = service_with(
        merchant, expected_results="Your hair cut as you chose it", limits="Colour not included"
    ).json()
    tab = merchant.tab()
    added = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"]})
    assert added.status_code == 200, added.text
    public = merchant.client.get(f"/v1/public/tabs/{tab['token']}").json()
    assert public["lines"][0]["expected_results"] == "Your hair cut as you chose it"
    page = merchant.client.get(f"/t/{tab['token']}").text
    assert bullets(page, 'class="promise-label">What you can expect') == [
        "Your hair cut as you chose it"
    ]
    assert bullets(page, 'class="promise-label">Limits') == ["Colour not included"]


def test_the_booking_page_reads_a_sentence_as_one_statement(
    merchant: Merchant, clock: TestClock
) -> None:
    shop = Salon(merchant, clock)
    changed = merchant.post(
        f"/v1/services/{shop.cut['id']}",
        {"expected_results": "Your hair cut as you chose it", "limits": ["Colour not included"]},
    )
    assert changed.status_code == 200, changed.text
    page = merchant.client.get(f"/b/{shop.slug}", params={"service": shop.cut["id"]}).text
    found = re.findall(r"<li>([^<]*)</li>", page)
    assert "Your hair cut as you chose it" in found and "Y" not in found, found

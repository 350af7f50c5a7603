"""The console's new-customer form, sent twice (a double tap on "Add
customer", a slow connection), adds one customer: a walk-in with only a
name, whom the likely-duplicate warning cannot recognise, too.

The form carries a one-time key drawn with the page (``attempt``); the
customer's page is its answer, written in the customer's own transaction
(``staff.customer_once``), so the second send lands on the one customer made.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from servefirst.runtime import Runtime
from servefirst.staff import customer_book_pages, customer_once
from tests.conftest import Merchant
from tests.integration.test_pages_staff import Staff

ATTEMPT = re.compile(r'name="attempt" value="([^"]+)"')
BEING_ADDED = "This customer is being added already"
BEING_ADDED_PT = "Este cliente já está a ser adicionado"


def form_key(page: str) -> str:
    found = ATTEMPT.search(page)
    assert found, page
    return found.group(1)


def names(merchant: Merchant) -> list[str]:
    return sorted(c["name"] for c in merchant.get("/v1/customers").json()["data"])


def test_a_walk_in_added_with_a_double_tap_is_one_customer(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    desk = signed_in(merchant, "staff")
    key = form_key(desk.get("/staff/customers").text)
    form = {"name": "Walk-in Joana", "email": "", "phone": "", "attempt": key}
    first = desk.post("/staff/customers", form, follow_redirects=False)
    second = desk.post("/staff/customers", form, follow_redirects=False)
    assert first.status_code == second.status_code == 303, (first.text, second.text)
    assert second.headers["location"] == first.headers["location"]
    assert names(merchant) == ["Walk-in Joana"]
    landed = desk.get(second.headers["location"])
    assert landed.status_code == 200 and "Walk-in Joana" in landed.text


def test_each_page_draws_a_key_of_its_own(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    """Two people of the same name added one after the other are two customers."""
    desk = signed_in(merchant, "staff")
    for _ in range(2):
        key = form_key(desk.get("/staff").text)  # the counter page's form too
        added = desk.post("/staff/customers", {"name": "Ana", "attempt": key})
        assert added.status_code == 200, added.text
    assert names(merchant) == ["Ana", "Ana"]


def test_a_refused_form_keeps_its_key_and_adds_once_corrected(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    desk = signed_in(merchant, "staff")
    key = form_key(desk.get("/staff/customers").text)
    refused = desk.post("/staff/customers", {"name": "  ", "attempt": key})
    assert refused.status_code == 422, refused.text
    assert form_key(refused.text) == key  # the form given back is the same form
    corrected = {"name": "Rui", "attempt": key}
    first = desk.post("/staff/customers", corrected, follow_redirects=False)
    again = desk.post("/staff/customers", corrected, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert names(merchant) == ["Rui"]


def test_the_same_form_sent_back_with_another_name_adds_that_person(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    """The back button, another name typed over the first: someone else."""
    desk = signed_in(merchant, "staff")
    key = form_key(desk.get("/staff/customers").text)
    assert desk.post("/staff/customers", {"name": "Rui", "attempt": key}).status_code == 200
    assert desk.post("/staff/customers", {"name": "Rita", "attempt": key}).status_code == 200
    assert names(merchant) == ["Rita", "Rui"]


def test_add_anyway_tapped_twice_adds_the_likely_duplicate_once(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    merchant.customer("Rita Lopes", phone="+351912345678")
    desk = signed_in(merchant, "staff")
    key = form_key(desk.get("/staff/customers").text)
    typed = {"name": "Rita M. Lopes", "phone": "+351912345678", "attempt": key}
    warned = desk.post("/staff/customers", typed)
    assert warned.status_code == 409, warned.text
    assert form_key(warned.text) == key  # "add anyway" is the same form, said so
    anyway = {**typed, "anyway": "yes"}
    first = desk.post("/staff/customers", anyway, follow_redirects=False)
    second = desk.post("/staff/customers", anyway, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"] == first.headers["location"]
    assert names(merchant) == ["Rita Lopes", "Rita M. Lopes"]


@pytest.mark.parametrize(("language", "words"), [("en", BEING_ADDED), ("pt", BEING_ADDED_PT)])
def test_a_send_while_the_first_is_still_adding_is_told_to_wait(
    runtime: Runtime,
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    language: str,
    words: str,
) -> None:
    desk = signed_in(merchant, "staff")
    if language == "pt":
        assert desk.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    key = form_key(desk.get("/staff/customers").text)
    # The first send has claimed the key and not answered yet.
    claimed = customer_once.begin(runtime, merchant.id, key, ("Joana", "", ""))
    assert claimed.claim is not None
    busy = desk.post(
        "/staff/customers", {"name": "Joana", "email": "", "phone": "", "attempt": key}
    )
    assert busy.status_code == 409, busy.text
    assert words in busy.text
    assert 'value="Joana"' in busy.text  # the form as typed
    assert names(merchant) == []


def test_two_sends_at_the_same_moment_add_one_customer(
    merchant: Merchant, signed_in: Callable[..., Staff], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first send is held just after it adds the customer, before its
    commit, until the second has answered (or a pause passes: on SQLite the
    first holds the write lock, and the second waits for it)."""
    desk = signed_in(merchant, "staff")
    key = form_key(desk.get("/staff/customers").text)
    second_answered = threading.Event()
    held = threading.Event()
    adding = customer_book_pages.create_customer

    def held_back(*args: Any, **kwargs: Any) -> Any:
        made = adding(*args, **kwargs)
        if not held.is_set():
            held.set()
            second_answered.wait(timeout=2.0)
        return made

    monkeypatch.setattr(customer_book_pages, "create_customer", held_back)
    form = {"name": "Walk-in Joana", "attempt": key}

    def send() -> Any:
        return desk.post("/staff/customers", form, follow_redirects=False)

    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(send)
        assert held.wait(timeout=10)
        second = send()
        second_answered.set()
        first_answer = first.result(timeout=30)
    assert first_answer.status_code == 303, first_answer.text
    if second.status_code == 303:  # it waited for the first (SQLite's write lock)
        assert second.headers["location"] == first_answer.headers["location"]
    else:  # it came while the first was adding (PostgreSQL)
        assert second.status_code == 409 and BEING_ADDED in second.text, second.text
    assert names(merchant) == ["Walk-in Joana"]

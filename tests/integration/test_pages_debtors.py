"""Managers chase what customers owe: the debtors list by age, mark overdue,
and a write-off that needs a reason and a confirm."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.conftest import Merchant, TestClock
from tests.integration.test_pages_staff import (  # noqa: F401 - fixtures
    Staff,
    https_client,
    new_staff,
)


@pytest.fixture
def manager(merchant: Merchant, new_staff: Callable[..., Staff]) -> Iterator[Staff]:  # noqa: F811
    person = new_staff(merchant, role="shift lead", access="manager")
    assert person.sign_in().status_code == 200
    yield person


def test_debts_are_listed_by_age_and_chased(
    manager: Staff, merchant: Merchant, clock: TestClock
) -> None:
    clock.advance(days=-40)
    old = merchant.served_tab(2500)
    clock.advance(days=40)
    young = merchant.served_tab(700)
    page = manager.get("/staff/debtors")
    assert page.status_code == 200
    text = page.text
    assert "31-60 days" in text and "0-7 days" in text
    assert "€25.00" in text and "€7.00" in text

    marked = manager.post(f"/staff/debtors/{old['id']}/overdue", follow_redirects=False)
    assert marked.status_code == 303
    assert merchant.get(f"/v1/tabs/{old['id']}").json()["status"] == "overdue"

    written = manager.post(
        f"/staff/debtors/{old['id']}/write-off",
        {"reason": "Moved abroad", "confirm": "yes"},
        follow_redirects=False,
    )
    assert written.status_code == 303
    assert merchant.get(f"/v1/tabs/{old['id']}").json()["status"] == "written_off"
    assert merchant.balances()["write_offs"] == 2500
    assert young["id"] in manager.get("/staff/debtors").text
    assert old["id"] not in manager.get("/staff/debtors").text


def test_a_write_off_without_reason_or_confirm_is_given_back(
    manager: Staff, merchant: Merchant
) -> None:
    tab = merchant.served_tab(900)
    no_reason = manager.post(f"/staff/debtors/{tab['id']}/write-off", {"confirm": "yes"})
    assert no_reason.status_code == 422
    assert "Say why" in no_reason.text
    unconfirmed = manager.post(f"/staff/debtors/{tab['id']}/write-off", {"reason": "Gone"})
    assert unconfirmed.status_code == 422
    assert "Tick the box" in unconfirmed.text and 'value="Gone"' in unconfirmed.text
    manager.csrf = "stale"
    stale = manager.post(
        f"/staff/debtors/{tab['id']}/write-off", {"reason": "Gone", "confirm": "yes"}
    )
    assert stale.status_code == 403
    assert "nothing was saved" in stale.text and 'value="Gone"' in stale.text
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["status"] == "served"
    assert merchant.balances()["write_offs"] == 0


def test_an_illegal_transition_is_refused_in_words(manager: Staff, merchant: Merchant) -> None:
    tab = merchant.served_tab(500)
    assert merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"}).status_code == 201
    refused = manager.post(f"/staff/debtors/{tab['id']}/overdue")
    assert refused.status_code == 409


def test_staff_below_manager_may_not_see_debtors(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    barista = new_staff(merchant)
    assert barista.sign_in().status_code == 200
    assert barista.get("/staff/debtors").status_code == 403


def test_a_write_off_sent_twice_is_refused_in_the_manager_s_language(
    manager: Staff, merchant: Merchant
) -> None:
    tab = merchant.served_tab(900)
    entry = {"reason": "Mudou-se", "confirm": "yes"}
    first = manager.post(f"/staff/debtors/{tab['id']}/write-off", entry, follow_redirects=False)
    assert first.status_code == 303, first.text
    again = manager.post(f"/staff/debtors/{tab['id']}/write-off", entry)  # the back button
    assert again.status_code == 409
    assert "This tab is written off now, so this can no longer be done." in again.text
    assert manager.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    again = manager.post(f"/staff/debtors/{tab['id']}/write-off", entry)
    assert "Esta conta está dada como perdida, por isso isto já não pode ser feito." in again.text
    assert "written_off" not in again.text.replace("status-written_off", "")
    assert merchant.balances()["write_offs"] == 900

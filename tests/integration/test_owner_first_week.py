"""A new café owner's first week in the console, in English and in Portuguese:
the moments that tripped one up (words left in English, refusals far from their
field, dates written the machine's way, the framework's JSON on a page)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest

from servefirst.staff.rules import EMAIL_FAILURE_LIMIT
from tests.conftest import Merchant
from tests.integration.test_pages_staff import (  # noqa: F401 - fixtures
    Staff,
    https_client,
    new_staff,
)
from tests.integration.test_pages_staff_messages import SETTINGS_FORM

ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")


def in_lisbon(merchant: Merchant) -> None:
    changed = merchant.post("/v1/merchant", {"timezone": "Europe/Lisbon", "locale": "pt_PT"})
    assert changed.status_code == 200, changed.text


@pytest.fixture
def owner(merchant: Merchant, new_staff: Callable[..., Staff]) -> Iterator[Staff]:  # noqa: F811
    """The owner, signed in, reading the console in English."""
    person = new_staff(merchant, role="owner", access="owner")
    assert person.sign_in().status_code == 200
    yield person


def in_portuguese(person: Staff, language: str = "pt") -> Staff:
    assert person.post("/staff/settings/language", {"language": language}).status_code == 200
    return person


def field_error(page: str, field_id: str) -> str:
    """The refusal said beside the field ``field_id`` ('' if none)."""
    found = re.search(rf'<[a-z]+ class="field-error" role="alert" id="{field_id}">([^<]*)<', page)
    return found.group(1) if found else ""


def test_a_code_nobody_has_is_refused_in_the_counters_language(owner: Staff) -> None:
    english = owner.get("/staff/find", params={"code": "ZZZZZZ"})
    assert english.status_code == 404
    assert "No tab has the code &#39;ZZZZZZ&#39;." in english.text
    portuguese = in_portuguese(owner).get("/staff/find", params={"code": "ZZZZZZ"})
    assert "Nenhuma conta tem o código &#39;ZZZZZZ&#39;." in portuguese.text
    assert "No tab has" not in portuguese.text


def test_an_empty_code_box_asks_for_the_code_in_the_counters_language(owner: Staff) -> None:
    portuguese = in_portuguese(owner).get("/staff/find", params={"code": ""})
    assert portuguese.status_code == 422
    assert "Escreva o código da conta" in portuguese.text
    assert "Nenhuma conta tem o código" not in portuguese.text


def test_an_unknown_tab_or_customer_is_said_missing_in_portuguese(owner: Staff) -> None:
    in_portuguese(owner)
    tab = owner.get("/staff/tabs/tab_nope")
    assert tab.status_code == 404 and "Essa conta não existe." in tab.text
    customer = owner.get("/staff/customers/cus_nope")
    assert customer.status_code == 404 and "Esse cliente não existe." in customer.text
    assert "No such" not in tab.text + customer.text


def test_a_z_report_address_that_is_no_day_is_a_page_not_json(owner: Staff) -> None:
    page = owner.get("/staff/close-day/2026-13-01")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "This day has not been closed." in page.text
    assert '"error"' not in page.text


def test_debts_are_aged_in_the_readers_words(owner: Staff, merchant: Merchant) -> None:
    in_lisbon(merchant)
    merchant.served_tab(450)
    english = in_portuguese(owner, "en").get("/staff/debtors").text
    assert "0-7 days" in english and "0 days" in english
    in_portuguese(owner)
    debtors = owner.get("/staff/debtors").text
    assert "0 a 7 dias" in debtors and "61 dias ou mais" in debtors and "0 dias" in debtors
    cash_flow = owner.get("/staff/reports/cash-flow").text
    assert "8 a 30 dias" in cash_flow
    assert "0-7 days" not in debtors + cash_flow
    # The API keeps its labels as they were.
    ages = merchant.get("/v1/reports/cash-flow").json()["receivables"]["by_age"]
    assert [a["age"] for a in ages][0] == "0-7 days"


def test_the_owners_title_is_said_in_the_consoles_language(
    owner: Staff,
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    assert '<span class="muted staff-who">Ana Sousa · owner</span>' in owner.get("/staff").text
    counter = in_portuguese(owner).get("/staff").text
    assert '<span class="muted staff-who">Ana Sousa · titular</span>' in counter
    # A title of the owner's own choosing is shown as it was typed.
    barista = new_staff(merchant, role="barista")
    assert barista.sign_in().status_code == 200
    page = in_portuguese(barista).get("/staff").text
    assert '<span class="muted staff-who">Ana Sousa · barista</span>' in page


def test_closed_days_and_their_z_report_write_dates_as_the_language_does(
    owner: Staff, merchant: Merchant
) -> None:
    in_lisbon(merchant)
    in_portuguese(owner)
    sent = owner.post("/staff/close-day", {"opening_float": "0"}, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    day = sent.headers["location"].split("/")[-1].split("?")[0]
    y, m, d = day.split("-")
    listed = owner.get("/staff/close-day").text
    link = re.search(rf'<li class="row"><a href="/staff/close-day/{day}">([^<]*)</a>', listed)
    assert link and link.group(1) == f"{d}/{m}/{y}", link
    report = owner.get(f"/staff/close-day/{day}").text
    said = re.search(r"fechado por Ana Sousa às ([^<]*)</p>", report)
    assert said and not ISO_DAY.search(said.group(1)), said
    assert said.group(1).startswith(f"{d}/{m}/{y}, ")


def test_a_services_terms_are_dated_as_the_language_writes_dates(
    owner: Staff, merchant: Merchant
) -> None:
    service = merchant.service()
    page = owner.get(f"/staff/services/{service['id']}").text
    said = re.search(r"Version 1, from ([^<]*)<", page)
    assert said and not ISO_DAY.search(said.group(1)), said


def test_a_refused_new_customer_is_said_beside_the_field(owner: Staff) -> None:
    page = owner.post("/staff/customers", {"name": "", "email": "ana@example.com"})
    assert page.status_code == 422
    assert field_error(page.text, "new-name-error") == "Check name: it cannot be empty."
    assert 'aria-describedby="new-name-error"' in page.text
    assert 'class="flash flash-error"' not in page.text
    assert 'value="ana@example.com"' in page.text
    phone = in_portuguese(owner).post("/staff/customers", {"name": "Rui", "phone": "abc"})
    assert field_error(phone.text, "new-phone-error").startswith("Verifique o telefone")
    empty = owner.post("/staff/customers", {"name": ""})
    assert field_error(empty.text, "new-name-error") == "Verifique o nome: não pode ficar vazio."


def test_cash_that_is_no_amount_is_refused_beside_its_field(
    owner: Staff, merchant: Merchant
) -> None:
    tab = merchant.served_tab(450)
    page = owner.post(f"/staff/tabs/{tab['id']}/cash", {"amount": "abc", "tip": ""})
    assert page.status_code == 422
    assert "&#39;abc&#39; is not an amount" in field_error(page.text, "cash-amount-error")
    assert 'class="flash flash-error"' not in page.text
    tip = owner.post(f"/staff/tabs/{tab['id']}/cash", {"amount": "4.50", "tip": "-1"})
    assert field_error(tip.text, "cash-tip-error"), tip.text[-2000:]
    assert 'value="-1"' in tip.text
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["status"] == "served"


def test_an_opening_float_that_is_no_amount_is_refused_beside_it(owner: Staff) -> None:
    page = owner.post("/staff/close-day", {"opening_float": "abc"})
    assert page.status_code == 422
    assert "is not an amount" in field_error(page.text, "opening_float-error")
    assert 'class="flash flash-error"' not in page.text


def test_a_policy_field_refused_is_said_beside_it_in_portuguese(
    owner: Staff, merchant: Merchant
) -> None:
    in_portuguese(owner)
    deposit = {
        "enabled": "yes",
        "percent": "20",
        "minimum": "10",
        "maximum": "5",
        "fixed": "",
        "cancel_window_hours": "24",
        "preset": "moderate",
        "mode": "capture",
    }
    page = owner.post("/staff/policies/deposit", deposit)
    assert page.status_code == 422
    assert field_error(page.text, "deposit-maximum-error") == "O máximo é inferior ao mínimo."
    assert 'class="flash flash-error"' not in page.text
    percent = owner.post("/staff/policies/deposit", {**deposit, "maximum": "", "percent": "150"})
    assert field_error(percent.text, "deposit-percent-error")
    earnings = owner.post(
        "/staff/policies/earnings",
        {"bonus_min_reviews": "3", "bonus_min_average": "7", "bonus_percent": "5"},
    )
    assert field_error(earnings.text, "earnings-bonus_min_average-error")


def test_a_policys_decimals_are_shown_with_the_places_decimal_mark(
    owner: Staff, merchant: Merchant
) -> None:
    in_lisbon(merchant)
    saved = owner.post(
        "/staff/policies/earnings",
        {"bonus_min_reviews": "3", "bonus_min_average": "4,5", "bonus_percent": "2,5"},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    page = owner.get("/staff/policies").text
    assert 'name="bonus_min_average" inputmode="decimal" value="4,5"' in page
    assert 'name="bonus_percent" inputmode="decimal" value="2,5"' in page
    assert merchant.get("/v1/merchant/earnings-policy").json()["bonus_min_average"] == "4.5"


def test_the_trust_policys_numbers_now_in_force_read_as_the_place_writes_them(
    owner: Staff, merchant: Merchant
) -> None:
    in_lisbon(merchant)
    page = in_portuguese(owner).get("/staff/policies/trust").text
    assert "(agora 180)" in page and "(agora 0,85)" in page and "(agora 0,5)" in page
    assert "(agora 0.85)" not in page


def test_a_dispute_refused_is_said_once_in_the_consoles_language(owner: Staff) -> None:
    page = in_portuguese(owner).post("/staff/disputes/dsp_nope/lost")
    assert page.status_code == 404
    assert page.text.count("Essa disputa não existe.") == 1
    assert "No such dispute" not in page.text


def test_a_sender_address_too_long_to_send_from_is_refused(
    owner: Staff, merchant: Merchant
) -> None:
    long = "a" * 250 + "@azul.pt"
    page = owner.post("/staff/messages/settings", {**SETTINGS_FORM, "sender": long})
    assert page.status_code == 422
    assert "Write an e-mail address" in page.text and f'value="{long}"' in page.text
    assert merchant.get("/v1/merchant/messages").json()["sender"] is None


def test_a_failed_sign_in_is_refused_in_the_browsers_language(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    person = new_staff(merchant)
    person.client.headers["Accept-Language"] = "pt-PT,pt;q=0.9"
    refused = person.sign_in("not the password")
    assert refused.status_code == 401
    assert "Esse e-mail e essa palavra-passe não correspondem." in refused.text
    assert "do not match" not in refused.text


def test_a_sign_in_locked_out_is_said_in_the_browsers_language_with_its_minutes(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    person = new_staff(merchant)
    person.client.headers["Accept-Language"] = "pt-PT,pt;q=0.9"
    for attempt in range(EMAIL_FAILURE_LIMIT):
        assert person.sign_in(f"palpite {attempt}").status_code == 401
    refused = person.sign_in()  # the right password, but too late
    assert refused.status_code == 429
    said = re.search(
        r"Demasiadas entradas falhadas com este e-mail\. Aguarde (\d+) minutos", refused.text
    )
    assert said, refused.text
    assert int(said.group(1)) * 60 >= int(refused.headers["Retry-After"]) > 0
    assert "ou peça a quem é titular que reponha a palavra-passe." in refused.text
    assert "Too many" not in refused.text

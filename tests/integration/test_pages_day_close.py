"""A manager closes the day from the console: the count form, its refusals
given back as typed, and the printable Z report."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import Merchant
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


def paid_in_cash(merchant: Merchant, price: int) -> None:
    tab = merchant.served_tab(price)
    assert merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"}).status_code == 201


def test_a_manager_counts_the_drawer_and_prints_the_z_report(
    manager: Staff, merchant: Merchant
) -> None:
    paid_in_cash(merchant, 380)
    form = manager.get("/staff/close-day")
    assert form.status_code == 200
    assert 'name="count_5000"' in form.text and 'name="count_1"' in form.text
    sent = manager.post(
        "/staff/close-day",
        {"opening_float": "50.00", "count_5000": "1", "count_200": "1", "count_100": "1"},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    where = sent.headers["location"]
    report = manager.get(where)
    assert report.status_code == 200
    text = report.text
    assert "Z report" in text and "Short" in text
    assert "/static/print.css" in text and 'media="print"' in text
    assert "Ana Sousa" in text  # who closed
    day = where.split("/")[-1].split("?")[0]
    close = merchant.get(f"/v1/day-closes/{day}").json()
    assert (close["expected_cash"], close["counted_cash"], close["difference"]) == (
        5380,
        5300,
        -80,
    )
    assert close["closed_by"]["name"] == "Ana Sousa"


def test_a_count_left_blank_while_the_drawer_should_hold_money_closes_nothing(
    manager: Staff, merchant: Merchant
) -> None:
    # A tap too soon would close the day for good and post it all as short.
    paid_in_cash(merchant, 380)
    sent = manager.post("/staff/close-day", {"opening_float": "50.00"})
    assert sent.status_code == 422, sent.text
    assert "Nothing was counted, yet the drawer should hold €53.80" in sent.text
    assert 'value="50.00"' in sent.text
    assert merchant.balances()["cash_over_short"] == 0
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    said = manager.post("/staff/close-day", {"opening_float": "50,00"})
    assert "Nada foi contado, mas a gaveta deveria ter 53,80" in said.text
    # A drawer found empty is said with a 0, and closes (all of it short).
    empty = manager.post(
        "/staff/close-day", {"opening_float": "50,00", "count_100": "0"}, follow_redirects=False
    )
    assert empty.status_code == 303, empty.text
    assert merchant.balances()["cash_over_short"] == 5380


def test_a_day_with_no_cash_closes_without_a_count(manager: Staff, merchant: Merchant) -> None:
    sent = manager.post("/staff/close-day", {"opening_float": ""}, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    assert merchant.balances()["cash_over_short"] == 0


def test_a_negative_count_gives_the_form_back_as_typed(manager: Staff, merchant: Merchant) -> None:
    sent = manager.post(
        "/staff/close-day", {"opening_float": "20.00", "count_2000": "-3", "count_500": "4"}
    )
    assert sent.status_code == 422
    assert "A count cannot be negative." in sent.text
    assert 'value="-3"' in sent.text and 'value="4"' in sent.text and 'value="20.00"' in sent.text
    assert merchant.balances()["cash_over_short"] == 0


def test_words_where_a_number_belongs_are_refused_in_words(manager: Staff) -> None:
    sent = manager.post("/staff/close-day", {"opening_float": "abc", "count_100": "2"})
    assert sent.status_code == 422
    assert 'value="abc"' in sent.text and 'value="2"' in sent.text
    sent = manager.post("/staff/close-day", {"opening_float": "1", "count_100": "two"})
    assert sent.status_code == 422
    assert "whole number" in sent.text
    sent = manager.post("/staff/close-day", {"opening_float": "0", "count_10": "100001"})
    assert sent.status_code == 422
    assert "More than 100,000 pieces: check the count." in sent.text


def test_a_refused_count_is_said_beside_its_note_or_coin(
    manager: Staff, merchant: Merchant
) -> None:
    # Eighteen fields of counts: the refusal must point at the one to fix.
    for typed, words in (
        ("-3", "A count cannot be negative."),
        ("100001", "More than 100,000 pieces: check the count."),
        ("two", "Each count must be a whole number of pieces."),
    ):
        sent = manager.post(
            "/staff/close-day", {"opening_float": "20.00", "count_2000": typed, "count_500": "4"}
        )
        assert sent.status_code == 422, sent.text
        assert 'aria-invalid="true" aria-describedby="count_2000-error" autofocus>' in sent.text, (
            typed
        )
        assert f'<p class="field-error" role="alert" id="count_2000-error">{words}' in sent.text
        assert sent.text.count('aria-invalid="true"') == 1  # the 5.00 note was fine
        assert 'id="error"' not in sent.text  # said once, beside its count
    assert merchant.balances()["cash_over_short"] == 0


def test_a_stale_form_is_given_back_with_what_was_typed(manager: Staff, merchant: Merchant) -> None:
    manager.csrf = "stale-token-from-yesterday"
    sent = manager.post("/staff/close-day", {"opening_float": "30.00", "count_1000": "3"})
    assert sent.status_code == 403
    assert "nothing was saved" in sent.text
    assert 'value="30.00"' in sent.text and 'value="3"' in sent.text
    day = merchant.get("/v1/day-closes/2000-01-01")
    assert day.status_code == 404


def test_a_day_the_business_did_not_have_is_refused_beside_the_day(
    manager: Staff, merchant: Merchant
) -> None:
    for typed, words in (
        ("1999-12-04", "1999-12-04 is before"),
        ("2999-01-01", "A day cannot be closed before it has begun."),
    ):
        sent = manager.post(
            "/staff/close-day", {"date": typed, "opening_float": "100.00", "count_5000": "1"}
        )
        assert sent.status_code == 422, sent.text
        assert f'<p class="field-error" role="alert" id="date-error">{words}' in sent.text
        assert 'aria-describedby="date-hint date-error" aria-invalid="true"' in sent.text
        assert f'value="{typed}"' in sent.text and 'value="100.00"' in sent.text
        assert 'id="error"' not in sent.text  # said once, beside the day
    assert merchant.get("/v1/day-closes/1999-12-04").status_code == 404
    assert merchant.balances()["cash_over_short"] == 0
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    sent = manager.post("/staff/close-day", {"date": "1999-12-04", "opening_float": "0"})
    assert "1999-12-04 é anterior a" in sent.text
    assert "não há nada para fechar nesse dia." in sent.text


def test_closing_a_day_twice_is_refused_on_the_form(manager: Staff) -> None:
    first = manager.post("/staff/close-day", {"opening_float": "0"}, follow_redirects=False)
    assert first.status_code == 303
    again = manager.post("/staff/close-day", {"opening_float": "0"})
    assert again.status_code == 409
    assert "already closed" in again.text


def test_staff_below_manager_may_not_close_the_day(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    barista = new_staff(merchant)
    assert barista.sign_in().status_code == 200
    assert barista.get("/staff/close-day").status_code == 403
    refused: Any = barista.post("/staff/close-day", {"opening_float": "0"})
    assert refused.status_code == 403
    assert merchant.balances()["cash_over_short"] == 0


def test_a_portuguese_cafe_closes_its_day_in_portuguese(manager: Staff, merchant: Merchant) -> None:
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    form = manager.get("/staff/close-day")
    assert "Fechar o dia" in form.text and "Fundo de caixa inicial" in form.text
    refused = manager.post("/staff/close-day", {"opening_float": "0", "count_100": "-1"})
    assert "Uma contagem não pode ser negativa." in refused.text
    too_many = manager.post("/staff/close-day", {"opening_float": "0", "count_10": "100001"})
    assert too_many.status_code == 422
    # The limit written as Lisbon writes a count (a space between thousands).
    assert "Mais de 100\u00a0000 unidades: verifique a contagem." in too_many.text
    assert "check the count" not in too_many.text and 'value="100001"' in too_many.text
    closed = manager.post("/staff/close-day", {"opening_float": "0"}, follow_redirects=True)
    assert "Relatório Z" in closed.text and "Dia fechado." in closed.text
    # Sent again (the back button): refused in Portuguese, the form as typed.
    again = manager.post("/staff/close-day", {"opening_float": "12,50"})
    assert again.status_code == 409
    assert (
        '<p class="flash flash-error" role="alert" id="error">Este dia já está fechado.'
        in again.text
    )
    assert 'value="12,50"' in again.text

"""Receipt numbers, invoice due dates and tax ids: the pure rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servefirst.kit.errors import Conflict, InvalidRequest
from servefirst.kit.tax_ids import check_tax_id, country_of_locale
from servefirst.merchants.rules import check_seller
from servefirst.tabs.rules import (
    Bill,
    IllegalTransition,
    ensure_can_invoice,
    invoice_due_date,
    invoice_overdue,
    receipt_number_text,
)

TODAY = date(2026, 12, 4)


def test_a_receipt_number_is_the_year_and_six_digits_of_the_sequence() -> None:
    assert receipt_number_text(2026, 123) == "2026-000123"
    assert receipt_number_text(2027, 1) == "2027-000001"
    assert receipt_number_text(2026, 1_234_567) == "2026-1234567"  # grows, never wraps


@given(st.integers(min_value=1, max_value=365))
def test_net_days_count_from_the_merchant_s_today(days: int) -> None:
    assert invoice_due_date(TODAY, due_date=None, net_days=days) == TODAY + timedelta(days=days)


def test_a_due_date_is_kept_when_it_is_today_or_later() -> None:
    assert invoice_due_date(TODAY, due_date=TODAY, net_days=None) == TODAY
    assert invoice_due_date(TODAY, due_date=date(2026, 12, 31), net_days=None) == date(2026, 12, 31)


@pytest.mark.parametrize(
    ("due_date", "net_days", "code"),
    [
        (date(2026, 12, 3), None, "due_date_in_past"),
        (None, None, "due_date_or_net_days"),
        (date(2026, 12, 31), 30, "due_date_or_net_days"),
        (None, 0, "net_days_invalid"),
        (None, -7, "net_days_invalid"),
        (None, 366, "net_days_invalid"),
        (date(2028, 1, 1), None, "due_date_too_far"),
    ],
)
def test_bad_terms_are_refused_with_their_code(
    due_date: date | None, net_days: int | None, code: str
) -> None:
    with pytest.raises(InvalidRequest) as refused:
        invoice_due_date(TODAY, due_date=due_date, net_days=net_days)
    assert refused.value.code == code
    assert refused.value.status == 422


def test_only_a_served_tab_with_something_owed_is_invoiced() -> None:
    ensure_can_invoice("served", Bill(900))
    for status in ("open", "paid", "overdue", "void", "written_off"):
        with pytest.raises(IllegalTransition):
            ensure_can_invoice(status, Bill(900))
    with pytest.raises(Conflict):
        ensure_can_invoice("served", Bill(900, paid=900))


def test_an_invoice_is_overdue_from_the_day_after_its_due_date() -> None:
    assert not invoice_overdue(TODAY, TODAY)
    assert invoice_overdue(TODAY, TODAY + timedelta(days=1))
    assert not invoice_overdue(TODAY, TODAY - timedelta(days=1))


# --- tax ids ------------------------------------------------------------------


def test_a_portuguese_nif_is_checked_by_its_check_digit() -> None:
    assert check_tax_id("501 964 843", country="PT") == "501964843"
    with pytest.raises(InvalidRequest) as refused:
        check_tax_id("501964844", country="PT")
    assert refused.value.code == "tax_id_invalid"
    assert "check digit" in refused.value.message


def test_a_vat_number_is_checked_by_the_country_of_its_letters() -> None:
    assert check_tax_id("pt 501.964.843", country=None) == "PT501964843"
    assert check_tax_id("DE136695976", country="PT") == "DE136695976"
    with pytest.raises(InvalidRequest):
        check_tax_id("PT501964844", country="US")


def test_where_no_rules_are_known_a_conservative_shape_is_accepted() -> None:
    assert check_tax_id("12-3456789", country="US") == "123456789"
    assert check_tax_id("AB12CD34", country=None) == "AB12CD34"
    for bad in ("", "12", "hello!!", "ABCDEFG", "1" * 21, "<script>"):
        with pytest.raises(InvalidRequest):
            check_tax_id(bad, country=None)


def test_the_country_comes_from_the_locale_s_region() -> None:
    assert country_of_locale("pt_PT") == "PT"
    assert country_of_locale("en-GB") == "GB"
    assert country_of_locale("en") is None


def test_seller_details_are_trimmed_and_an_empty_one_taken_off() -> None:
    kept = check_seller(
        {
            "legal_name": "  Café Azul, Lda. ",
            "address": " Rua Augusta 10 \n\n 1100-053 Lisboa ",
            "tax_id": "",
        },
        country="PT",
    )
    assert kept == {
        "legal_name": "Café Azul, Lda.",
        "address": "Rua Augusta 10\n1100-053 Lisboa",
        "tax_id": None,
    }
    with pytest.raises(InvalidRequest):
        check_seller({"tax_id": "123456780"}, country="PT")

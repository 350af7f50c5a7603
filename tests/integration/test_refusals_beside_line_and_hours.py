"""The tab's add-line form and the working-hours form say a refused entry
beside the field that is wrong, marked for screen readers, with what was
typed kept and nothing saved; the top of the page carries no error then. A
refusal of the whole form (a tab paid since) stays above the page. In English
and in Portuguese."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest

from tests.conftest import Merchant
from tests.integration.test_pages_staff import Staff
from tests.integration.test_refund_pages import _cash, _portuguese

TOP_ERROR = 'class="flash flash-error"'
HOURS = "/staff/bookings/hours"


def said_beside(page: str, field_id: str) -> str:
    """The refusal said beside the field ``field_id`` (an input, a select or a
    text area), which is marked and points at it."""
    field = re.search(rf'<(?:input|select|textarea)[^>]*id="{re.escape(field_id)}"[^>]*>', page)
    assert field, page
    assert 'aria-invalid="true"' in field.group(0), field.group(0)
    assert f"{field_id}-error" in field.group(0), field.group(0)
    said = re.search(
        rf'class="field-error" role="alert" id="{re.escape(field_id)}-error">([^<]*)<', page
    )
    assert said, page
    assert TOP_ERROR not in page
    assert page.count('class="field-error"') == 1, page
    return html.unescape(said.group(1))


def typed_quantity(page: str) -> str:
    found = re.search(r'<input type="number" id="quantity" name="quantity" value="([^"]*)"', page)
    assert found, page
    return found.group(1)


@pytest.mark.parametrize(
    ("language", "quantity", "price", "words"),
    [
        ("en", "0", 450, "Choose a whole number from 1 to 1,000."),
        ("en", "2.5", 450, "Quantity must be a whole number."),
        ("en", "101", 100_000_000, "That line is larger than servefirst accepts."),
        ("pt", "1001", 450, "Escolha um número inteiro de 1 a 1\u00a0000."),
        ("pt", "2.5", 450, "A quantidade tem de ser um número inteiro."),
    ],
)
def test_a_wrong_quantity_is_refused_beside_the_quantity_with_the_line_as_typed(
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    language: str,
    quantity: str,
    price: int,
    words: str,
) -> None:
    waiter = signed_in(merchant, "staff")
    if language == "pt":
        _portuguese(merchant, waiter)
    merchant.service("Espresso", price=180)
    cake = merchant.service("Cake", price=price)
    tab = merchant.tab()
    refused = waiter.post(
        f"/staff/tabs/{tab['id']}/lines", {"service_id": cake["id"], "quantity": quantity}
    )
    assert refused.status_code == 422, refused.text
    assert said_beside(refused.text, "quantity") == words
    assert typed_quantity(refused.text) == quantity
    assert f'<option value="{cake["id"]}" selected>' in refused.text  # the service as chosen
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"] == []


def test_a_quantity_that_is_no_number_is_refused_beside_it_and_not_written_back(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    """A number field cannot hold "two" (a browser would not show it either):
    the field comes back empty, the refusal beside it."""
    waiter = signed_in(merchant, "staff")
    cake = merchant.service("Cake", price=450)
    tab = merchant.tab()
    refused = waiter.post(
        f"/staff/tabs/{tab['id']}/lines", {"service_id": cake["id"], "quantity": "two"}
    )
    assert refused.status_code == 422, refused.text
    assert said_beside(refused.text, "quantity") == "Quantity must be a whole number."
    assert typed_quantity(refused.text) == ""


def test_a_line_on_a_tab_paid_since_is_refused_above_the_page(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    waiter = signed_in(merchant, "staff")
    tab = merchant.served_tab(500)
    _cash(merchant, tab, 500)
    cake = merchant.service("Cake", price=450)
    refused = waiter.post(f"/staff/tabs/{tab['id']}/lines", {"service_id": cake["id"]})
    assert refused.status_code == 409, refused.text
    assert TOP_ERROR in refused.text and 'class="field-error"' not in refused.text


def _me(person: Staff) -> str:
    found = re.search(r'name="staff" value="([^"]+)"', person.get(HOURS).text)
    assert found
    return found.group(1)


@pytest.mark.parametrize(
    ("language", "typed", "field", "words"),
    [
        ("en", {"day.tue": "13:00-09:00"}, "day-tue", "Tuesday: write hours as 09:00-13:00"),
        ("en", {"day.wed": "9-1, 9-2"}, "day-wed", "Wednesday: write hours"),
        ("en", {"exceptions": "24/12/2026"}, "exceptions", "Days off and changed hours: one"),
        (
            "en",
            {"exceptions": "2026-12-24 09:00-12:00, 11:00-13:00"},
            "exceptions",
            "Days off and changed hours: two",
        ),
        ("pt", {"day.mon": "13:00-09:00"}, "day-mon", "Segunda-feira: escreva as horas"),
        ("pt", {"day.fri": "09:00-13:00, 12:00-14:00"}, "day-fri", "Sexta-feira: dois"),
    ],
)
def test_a_mistake_in_the_hours_is_refused_beside_its_line_with_everything_as_typed(
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    language: str,
    typed: dict[str, str],
    field: str,
    words: str,
) -> None:
    stylist = signed_in(merchant, "staff")
    if language == "pt":
        _portuguese(merchant, stylist)
    me = _me(stylist)
    sent = {"staff": me, "day.thu": "10:00-18:00", **typed}
    refused = stylist.post(HOURS, sent)
    assert refused.status_code == 422, refused.text
    assert said_beside(refused.text, field).startswith(words)
    page = html.unescape(refused.text)
    assert 'value="10:00-18:00"' in page  # the rest of the week as typed
    assert next(iter(typed.values())) in page
    assert merchant.get(f"/v1/staff/{me}/hours").json()["weekly"] == {}


def test_an_unknown_service_is_refused_beside_the_services(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    stylist = signed_in(merchant, "staff")
    me = _me(stylist)
    cut = merchant.service("Cut", price=2500)
    refused = stylist.post(HOURS, {"staff": me, "services": [cut["id"], "svc_gone"]})
    assert refused.status_code == 422, refused.text
    fieldset = re.search(r'<fieldset aria-describedby="services-error">', refused.text)
    assert fieldset, refused.text
    said = re.search(r'id="services-error">([^<]*)<', refused.text)
    assert said and "svc_gone" in said.group(1)
    assert TOP_ERROR not in refused.text
    assert f'value="{cut["id"]}" checked' in refused.text


def test_hours_not_ones_own_to_change_are_refused_above_the_form(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    stylist = signed_in(merchant, "staff")
    colleague = _me(signed_in(merchant, "staff"))
    refused = stylist.post(HOURS, {"staff": colleague, "day.mon": "09:00-10:00"})
    assert refused.status_code == 403
    assert TOP_ERROR in refused.text and 'class="field-error"' not in refused.text

"""A Portuguese owner types days as Portugal writes them (05/12/2026) in the
console's date fields, and a day the calendar does not have is refused beside
its field in words; ISO (what links and date pickers send) still reads."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from tests.conftest import Merchant, TestClock
from tests.integration.test_pages_staff import (  # noqa: F401 - fixtures
    Staff,
    https_client,
    new_staff,
)


@pytest.fixture
def portuguese_owner(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> Iterator[Staff]:
    person = new_staff(merchant, role="owner", access="owner")
    assert person.sign_in().status_code == 200
    assert person.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    yield person


def test_a_portuguese_owner_picks_a_report_period_day_first(portuguese_owner: Staff) -> None:
    page = portuguese_owner.get(
        "/staff/reports/sales", params={"from": "01/11/2026", "to": "5/12/2026"}
    )
    assert page.status_code == 200
    said = html.unescape(page.text)
    assert "dd/mm/aaaa, p. ex. 25/11/2026" in said  # the hint names the form
    assert 'href="/staff/reports/sales.csv?from=2026-11-01&amp;to=2026-12-05"' in page.text
    iso = portuguese_owner.get("/staff/reports/sales?from=2026-11-01&to=2026-12-05")
    assert iso.status_code == 200 and 'value="01/11/2026"' not in iso.text


def test_the_thirty_first_of_february_is_refused_beside_the_report_day(
    portuguese_owner: Staff,
) -> None:
    page = portuguese_owner.get("/staff/reports/sales", params={"from": "31/02/2026"})
    assert page.status_code == 422
    said = html.unescape(page.text)
    assert 'id="from-error">O dia 31/02/2026 não existe: fevereiro de 2026 tem 28 dias.' in said
    assert 'value="31/02/2026"' in page.text  # given back as typed


def test_the_accountants_files_take_a_portuguese_period(portuguese_owner: Staff) -> None:
    page = portuguese_owner.get(
        "/staff/reports/exports", params={"from": "01/11/2026", "to": "30/11/2026"}
    )
    assert page.status_code == 200
    assert "/staff/reports/exports/journal.csv?from=2026-11-01&amp;to=2026-11-30" in page.text
    slip = portuguese_owner.get(
        "/staff/reports/exports", params={"from": "01/13/2026", "to": "30/11/2026"}
    )
    assert slip.status_code == 422
    assert 'id="from-error">O dia 01/13/2026 não existe no calendário.' in html.unescape(slip.text)


def test_a_browser_without_a_date_picker_sends_the_day_as_typed(portuguese_owner: Staff) -> None:
    """``<input type="date">`` sends ISO; without a picker it is a text field."""
    typed = portuguese_owner.get("/staff/bookings/day", params={"date": "24/12/2026"})
    assert typed.status_code == 200
    assert 'value="2026-12-24"' in typed.text
    refused = portuguese_owner.get("/staff/bookings/day", params={"date": "24-12"})
    assert refused.status_code == 422
    assert "Escreva o dia como dd/mm/aaaa, p. ex. 25/11/2026." in html.unescape(refused.text)


def test_a_portuguese_owner_writes_days_off_day_first(
    portuguese_owner: Staff, merchant: Merchant
) -> None:
    page = portuguese_owner.get("/staff/bookings/hours")
    assert 'placeholder="24/12/2026\n31/12/2026 09:00-13:00"' in page.text
    me = re.search(r'name="staff" value="([^"]+)"', page.text)
    assert me is not None
    saved = portuguese_owner.post(
        "/staff/bookings/hours",
        {"staff": me.group(1), "exceptions": "24/12/2026\n31/12/2026 09:00-12:00"},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    hours = merchant.get(f"/v1/staff/{me.group(1)}/hours").json()
    assert hours["exceptions"] == [
        {"date": "2026-12-24", "hours": []},
        {"date": "2026-12-31", "hours": [["09:00", "12:00"]]},
    ]
    again = portuguese_owner.get(saved.headers["location"]).text
    assert "24/12/2026\n31/12/2026 09:00-12:00" in again
    refused = portuguese_owner.post(
        "/staff/bookings/hours",
        {"staff": me.group(1), "exceptions": "31/02/2026"},
    )
    assert refused.status_code == 422
    assert "a data (dd/mm/aaaa) e depois as horas, como 31/12/2026 09:00-13:00" in html.unescape(
        refused.text
    )


def test_a_portuguese_manager_closes_the_day_written_day_first(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    manager = new_staff(merchant, role="chefe de sala", access="manager")
    assert manager.sign_in().status_code == 200
    assert manager.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    tab = merchant.served_tab(380)
    assert merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"}).status_code == 201
    form = manager.get("/staff/close-day")
    shown = re.search(r'id="date" name="date" value="(\d\d)/(\d\d)/(\d{4})"', form.text)
    assert shown is not None, form.text  # today, as Portugal writes it
    day, month, year = shown.groups()
    assert "dd/mm/aaaa, p. ex. 25/11/2026, no fuso horário do negócio." in form.text
    impossible = manager.post(
        "/staff/close-day", {"date": f"31/02/{year}", "opening_float": "0", "count_200": "1"}
    )
    assert impossible.status_code == 422
    assert f'id="date-error">O dia 31/02/{year} não existe: fevereiro de {year} tem' in (
        html.unescape(impossible.text)
    )
    sent = manager.post(
        "/staff/close-day",
        {"date": f"{int(day)}/{month}/{year}", "opening_float": "0", "count_200": "1"},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"].startswith(f"/staff/close-day/{year}-{month}-{day}")
    assert merchant.get(f"/v1/day-closes/{year}-{month}-{day}").status_code == 200


def test_an_invoice_due_date_typed_without_a_picker_reads_day_first(
    clock: TestClock,
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    """``<input type="date">`` sends ISO; a browser without one sends 31/01/2027."""
    manager = new_staff(merchant, role="gerente", access="manager")
    assert manager.sign_in().status_code == 200
    assert manager.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    tab = merchant.served_tab(2500)
    due = clock.now().date() + timedelta(days=20)
    impossible = manager.post(
        f"/staff/tabs/{tab['id']}/invoice", {"terms": "date", "due_date": "30/02/2027"}
    )
    assert impossible.status_code == 422
    assert "O dia 30/02/2027 não existe: fevereiro de 2027 tem 28 dias." in html.unescape(
        impossible.text
    )
    issued = manager.post(
        f"/staff/tabs/{tab['id']}/invoice",
        {"terms": "date", "due_date": due.strftime("%d/%m/%Y")},
        follow_redirects=False,
    )
    assert issued.status_code == 303, issued.text
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["due_date"] == due.isoformat()

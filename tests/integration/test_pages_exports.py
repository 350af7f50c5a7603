"""The owner downloads the accountant's files from the console's reports;
others are refused, and a bad period is said on the page."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from beancount import loader

from tests.conftest import Merchant
from tests.integration.test_exports import today
from tests.integration.test_pages_staff import (  # noqa: F401 - fixtures
    Staff,
    https_client,
    new_staff,
)

FILES = [
    "journal.csv",
    "journal.beancount",
    "quickbooks.csv",
    "xero.csv",
    "xero-daily.csv",
    "z-reports.csv",
]


@pytest.fixture
def owner(merchant: Merchant, new_staff: Callable[..., Staff]) -> Iterator[Staff]:  # noqa: F811
    person = new_staff(merchant, role="owner", access="owner")
    assert person.sign_in().status_code == 200
    yield person


def test_the_owner_finds_every_file_beside_the_reports(
    owner: Staff, merchant: Merchant, clock: object
) -> None:
    tab = merchant.served_tab(380)
    assert merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"}).status_code == 201
    assert 'href="/staff/reports/exports?' in owner.get("/staff/reports/sales").text
    day = today(merchant, clock).isoformat()  # type: ignore[arg-type]
    page = owner.get(f"/staff/reports/exports?from={day}&to={day}")
    assert page.status_code == 200
    for name in FILES:
        link = f'href="/staff/reports/exports/{name}?from={day}&amp;to={day}"'
        assert link in page.text, name
        got = owner.get(f"/staff/reports/exports/{name}?from={day}&to={day}")
        assert got.status_code == 200, (name, got.text[:300])
        assert "attachment" in got.headers["content-disposition"]
    journal = owner.get(f"/staff/reports/exports/journal.csv?from={day}&to={day}").text
    assert "receivables" in journal and "3.80" in journal
    beancount = owner.get(f"/staff/reports/exports/journal.beancount?from={day}&to={day}").text
    assert loader.load_string(beancount)[1] == []


def test_a_bad_period_is_said_on_the_page(owner: Staff) -> None:
    page = owner.get("/staff/reports/exports?from=2026-03-10&to=2026-03-01")
    assert page.status_code == 422
    assert "comes after" in page.text and 'aria-invalid="true"' in page.text
    assert "/staff/reports/exports/journal.csv" not in page.text
    file = owner.get("/staff/reports/exports/journal.csv?from=soon&to=2026-03-01")
    assert file.status_code == 422
    assert (
        owner.get("/staff/reports/exports/ledger.xlsx?from=2026-03-01&to=2026-03-01").status_code
        == 404
    )


def test_the_files_are_for_owners(merchant: Merchant, new_staff: Callable[..., Staff]) -> None:  # noqa: F811
    manager = new_staff(merchant, role="shift lead", access="manager")
    assert manager.sign_in().status_code == 200
    for path in (
        "/staff/reports/exports",
        "/staff/reports/exports/journal.csv?from=2026-01-01&to=2026-01-02",
    ):
        assert manager.get(path).status_code == 403, path


def test_the_owner_sets_the_accountant_s_codes_once_and_the_files_use_them(
    owner: Staff, merchant: Merchant, clock: object
) -> None:
    rate = merchant.post("/v1/tax-rates", {"name": "IVA 23%", "percent": "23"}).json()
    page = owner.get("/staff/reports/exports")
    assert 'name="account.revenue"' in page.text and f'name="rate.{rate["id"]}"' in page.text
    saved = owner.post(
        "/staff/reports/exports/codes",
        {"account.revenue": " 4000 ", "account.cash": "1000", f"rate.{rate['id']}": "OUTPUT2"},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    mapping = merchant.get("/v1/merchant/account-mapping").json()
    assert mapping["accounts"] == {"revenue": "4000", "cash": "1000"}
    assert mapping["tax_rates"] == {rate["id"]: "OUTPUT2"}
    again = owner.get(saved.headers["location"])
    assert "codes are saved" in again.text and 'value="4000"' in again.text

    tab = merchant.served_tab(380)
    assert merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"}).status_code == 201
    day = today(merchant, clock).isoformat()  # type: ignore[arg-type]
    xero = owner.get(f"/staff/reports/exports/xero.csv?from={day}&to={day}").text
    assert ",1000," in xero and ",4000," in xero

    # Emptied, a field gives the account its servefirst code back.
    owner.post("/staff/reports/exports/codes", {"account.revenue": "4000"})
    assert merchant.get("/v1/merchant/account-mapping").json()["accounts"] == {"revenue": "4000"}


def test_a_bad_code_gives_the_form_back_as_typed_and_saves_nothing(owner: Staff) -> None:
    owner.post("/staff/reports/exports/codes", {"account.cash": "1000"})
    refused = owner.post(
        "/staff/reports/exports/codes", {"account.cash": "2000", "account.revenue": "4" * 101}
    )
    assert refused.status_code == 422
    assert "at most 100" in refused.text and 'value="2000"' in refused.text
    assert owner.get("/staff/reports/exports").text.count('value="1000"') == 1
    stale = owner.client.post(
        "/staff/reports/exports/codes", data={"account.cash": "3000", "csrf_token": "old"}
    )
    assert stale.status_code == 403 and 'value="3000"' in stale.text


def test_the_codes_are_said_in_portuguese(merchant: Merchant, owner: Staff) -> None:
    merchant.post("/v1/merchant", {"locale": "pt_PT"})
    page = owner.get("/staff/reports/exports", headers={"Accept-Language": "pt-PT"})
    assert "Os códigos do seu contabilista" in page.text
    assert "Gorjetas devidas à equipa" in page.text

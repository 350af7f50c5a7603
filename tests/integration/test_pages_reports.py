"""An owner reads the reports on screen: a chart drawn on the server beside a
table of the same figures, a period picker, a CSV; others are refused."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.conftest import Merchant
from tests.integration.test_pages_staff import (  # noqa: F401 - fixtures
    Staff,
    https_client,
    new_staff,
)

REPORTS = ["sales", "satisfaction", "trust", "cash-flow"]


@pytest.fixture
def owner(merchant: Merchant, new_staff: Callable[..., Staff]) -> Iterator[Staff]:  # noqa: F811
    person = new_staff(merchant, role="owner", access="owner")
    assert person.sign_in().status_code == 200
    yield person


def a_morning(merchant: Merchant) -> None:
    """Two coffees paid in cash, a cake left owing, one review."""
    for price in (380, 420):
        tab = merchant.served_tab(price)
        assert (
            merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"}).status_code == 201
        )
        review = merchant.post(f"/v1/public/tabs/{tab['token']}/review", {"rating": 5})
        assert review.status_code in (200, 201), review.text
    merchant.served_tab(650)


def test_every_report_is_a_page_with_charts_and_tables(owner: Staff, merchant: Merchant) -> None:
    a_morning(merchant)
    for key in REPORTS:
        page = owner.get(f"/staff/reports/{key}")
        assert page.status_code == 200, (key, page.text[:500])
        assert "<table" in page.text and "<caption>" in page.text
        assert f'href="/staff/reports/{key}.csv?' in page.text
    sales = owner.get("/staff/reports/sales").text
    assert "€14.50" in sales  # three lines sold, paid or not
    assert 'src="/staff/reports/sales/by-day.svg?' in sales
    chart = owner.get("/staff/reports/sales/by-day.svg")
    assert chart.status_code == 200
    assert chart.headers["content-type"].startswith("image/svg+xml")
    assert chart.text.lstrip().startswith("<svg")
    assert "script-src" not in chart.headers["content-security-policy"]
    cash = owner.get("/staff/reports/cash-flow").text
    assert "0-7 days" in cash and "61+ days" in cash and "€6.50" in cash


def test_a_report_downloads_as_csv(owner: Staff, merchant: Merchant) -> None:
    a_morning(merchant)
    csv = owner.get("/staff/reports/sales.csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    assert "Sales by service" in csv.text and "Flat white" in csv.text
    lines = csv.text.splitlines()
    # Every section names its columns before its rows, as the page's tables do.
    for section, columns in (
        ("Sales by day", "Day,Sales"),
        ("Sales by service", "Service,Quantity,Sales"),
    ):
        first = next(line for line in lines if line.startswith(f"{section},"))
        assert first == f"{section},{columns}"


def test_a_bad_period_is_given_back_with_the_error_in_words(owner: Staff) -> None:
    page = owner.get("/staff/reports/sales?from=yesterday&to=2026-01-01")
    assert page.status_code == 422
    assert 'value="yesterday"' in page.text and "YYYY-MM-DD" in page.text
    backwards = owner.get("/staff/reports/sales?from=2026-03-01&to=2026-02-01")
    assert backwards.status_code == 422
    assert "comes after" in backwards.text
    assert owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    too_long = owner.get("/staff/reports/sales?from=2020-01-01&to=2026-02-01")
    assert too_long.status_code == 422
    assert "Escolha no máximo 400 dias." in too_long.text


def test_a_signed_in_owner_following_a_report_link_gets_the_page(owner: Staff) -> None:
    followed = owner.get("/v1/reports/cash-flow", headers={"Accept": "text/html"})
    assert followed.status_code == 200
    assert "text/html" in followed.headers["content-type"]
    assert "Receivables by age" in followed.text
    api = owner.get("/v1/reports/cash-flow", headers={"Accept": "application/json"})
    assert api.status_code == 401  # no key: the API still answers as an API


def test_reports_are_for_owners(merchant: Merchant, new_staff: Callable[..., Staff]) -> None:  # noqa: F811
    manager = new_staff(merchant, role="shift lead", access="manager")
    assert manager.sign_in().status_code == 200
    for path in (
        "/staff/reports/sales",
        "/staff/reports/sales.csv",
        "/staff/reports/sales/by-day.svg",
    ):
        assert manager.get(path).status_code == 403, path


def test_a_portuguese_owner_reads_the_reports_in_portuguese(
    owner: Staff, merchant: Merchant
) -> None:
    a_morning(merchant)
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    page = owner.get("/staff/reports/sales").text
    assert "Vendas por dia" in page and "Descarregar CSV" in page
    assert "14,50\xa0€" in page  # the merchant's locale writes the money
    debtors = owner.get("/staff/debtors").text
    assert "Devedores" in debtors and "Abater" in debtors
    policy = owner.get("/staff/policies/trust").text
    assert "Política de confiança" in policy and "equilibrada" in policy


def test_a_lisbon_owner_reads_satisfaction_figures_with_a_decimal_comma(
    owner: Staff, merchant: Merchant
) -> None:
    """Three reviews, one of 3 stars: two thirds are happy (66.7%) and the
    NPS-style score is a third (+33.3). Lisbon writes "66,7" and "+33,3", on the
    page and in its CSV."""
    galao = merchant.service(name="Galão", price=180)
    for rating in (5, 5, 3):
        tab = merchant.tab()
        added = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": galao["id"]})
        assert added.status_code == 200, added.text
        assert merchant.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
        review = merchant.post(f"/v1/public/tabs/{tab['token']}/review", {"rating": rating})
        assert review.status_code in (200, 201), review.text
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    page = owner.get("/staff/reports/satisfaction").text
    assert "66,7%" in page and "+33,3" in page
    assert "66.7" not in page and "33.3" not in page
    csv = owner.get("/staff/reports/satisfaction.csv").text
    assert 'Galão,3,"66,7%"' in csv and "66.7" not in csv
    assert owner.post("/staff/settings/language", {"language": "en"}).status_code == 200
    assert merchant.post("/v1/merchant", {"locale": "en_GB"}).status_code == 200
    english = owner.get("/staff/reports/satisfaction").text
    assert "66.7%" in english and "+33.3" in english

"""The owner reads the tax report among the console's reports: net, tax and
gross per rate and for all rates, the same figures as ``GET /v1/reports/tax``
for the chosen days, in English and Portuguese; a bad period is said in words."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from servefirst.kit.money import Money
from tests.conftest import Merchant, TestClock
from tests.integration.test_exports import today
from tests.integration.test_pages_staff import (  # noqa: F401 - fixtures
    Staff,
    https_client,
    new_staff,
)
from tests.integration.test_tax_api import rate, taxed_service

ROW = re.compile(r'<tr><th scope="row">(.*?)</th>((?:<td>.*?</td>)*)</tr>')
CELL = re.compile(r"<td>(.*?)</td>")


@pytest.fixture
def owner(merchant: Merchant, new_staff: Callable[..., Staff]) -> Iterator[Staff]:  # noqa: F811
    person = new_staff(merchant, role="owner", access="owner")
    assert person.sign_in().status_code == 200
    yield person


def two_rates_sold(merchant: Merchant) -> None:
    """Coffee at 23 %, a pastry at 6 % twice and an untaxed tip jar sticker;
    a discount on the bill; paid in cash."""
    standard, reduced = rate(merchant, "IVA 23%", "23"), rate(merchant, "IVA 6%", "6")
    tab = merchant.tab()
    for price, rate_id, quantity in ((1230, standard["id"], 1), (530, reduced["id"], 2),
                                     (200, None, 1)):  # fmt: skip
        service = taxed_service(merchant, price, rate_id)
        added = merchant.post(
            f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"], "quantity": quantity}
        )
        assert added.status_code == 200, added.text
    assert merchant.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
    concern = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/concerns",
        json={"reason": "Cold", "remedy": "partial", "amount": 149},
    )
    assert concern.json()["status"] == "approved", concern.text
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 2341})
    assert paid.status_code == 201, paid.text


def table(page: str) -> list[list[str]]:
    return [
        [html.unescape(head), *(html.unescape(c) for c in CELL.findall(cells))]
        for head, cells in ROW.findall(page)
    ]


def api_report(merchant: Merchant, first: date, last: date) -> dict[str, Any]:
    """The API's report for the merchant's whole days ``first`` to ``last``."""
    zone = ZoneInfo(merchant.get("/v1/merchant").json()["timezone"])
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(last + timedelta(days=1), time(), zone)
    answer = merchant.get(
        "/v1/reports/tax", params={"from": start.isoformat(), "to": end.isoformat()}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(("locale", "words"), [("en", "All rates"), ("pt_PT", "Todas as taxas")])
def test_the_tax_page_shows_the_api_s_figures_per_rate_and_for_all(
    owner: Staff, merchant: Merchant, clock: TestClock, locale: str, words: str
) -> None:
    two_rates_sold(merchant)
    assert merchant.post("/v1/merchant", {"locale": locale}).status_code == 200
    day = today(merchant, clock)
    page = owner.get(f"/staff/reports/tax?from={day - timedelta(days=6)}&to={day}")
    assert page.status_code == 200, page.text[:500]
    report = api_report(merchant, day - timedelta(days=6), day)
    assert len(report["rates"]) == 2 and report["tax"] == report["ledger_tax_payable"] > 0

    def money(amount: int) -> str:
        return Money(amount, "EUR").format(locale)

    expected = [
        [r["name"], r["percent"], money(r["net"]), money(r["tax"]), money(r["gross"])]
        for r in report["rates"]
    ]
    totals = [words, "", money(report["net"]), money(report["tax"]), money(report["gross"])]
    assert table(page.text) == [*expected, totals]
    assert 'src="/staff/reports/tax/by-rate.svg?' in page.text  # the chart beside the table
    if locale == "pt_PT":
        assert "Valor sem imposto, imposto e total por taxa" in page.text
        assert "Total com imposto" in page.text and "Imposto" in page.text


def test_a_rate_with_a_decimal_percent_is_written_in_the_reader_s_numbers(
    owner: Staff, merchant: Merchant
) -> None:
    reduced = rate(merchant, "Reduced", "5.5")
    tab = merchant.tab()
    service = taxed_service(merchant, 1055, reduced["id"])
    assert merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"]}).is_success
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    rows = table(owner.get("/staff/reports/tax").text)
    assert rows[0][:2] == ["Reduced", "5,5"]
    assert rows[0][2:] == ["10,00\xa0€", "0,55\xa0€", "10,55\xa0€"]


def test_the_tax_report_is_in_the_reports_navigation_and_downloads_as_csv(
    owner: Staff, merchant: Merchant
) -> None:
    two_rates_sold(merchant)
    for key in ("sales", "cash-flow", "exports"):
        assert 'href="/staff/reports/tax?' in owner.get(f"/staff/reports/{key}").text, key
    page = owner.get("/staff/reports/tax").text
    assert 'href="/staff/reports/tax?' in page and 'aria-current="page">Tax</a>' in page
    csv = owner.get("/staff/reports/tax.csv")
    assert csv.status_code == 200 and "IVA 23%" in csv.text and "All rates" in csv.text
    chart = owner.get("/staff/reports/tax/by-rate.svg")
    assert chart.status_code == 200 and chart.text.lstrip().startswith("<svg")


def test_a_period_with_no_tax_says_so(owner: Staff) -> None:
    page = owner.get("/staff/reports/tax")
    assert page.status_code == 200
    assert "Nothing in this period." in page.text and table(page.text) == []


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("from=2026-03-01&to=2026-02-01", "The first day comes after the last."),
        ("from=last+week&to=2026-02-01", "YYYY-MM-DD"),
    ],
)
def test_a_bad_period_is_said_on_the_page_in_words(owner: Staff, query: str, said: str) -> None:
    page = owner.get(f"/staff/reports/tax?{query}")
    assert page.status_code == 422
    assert said in page.text and 'aria-invalid="true"' in page.text


def test_a_browser_following_the_api_link_is_sent_to_the_page(owner: Staff) -> None:
    followed = owner.get("/v1/reports/tax", headers={"Accept": "text/html"})
    assert followed.status_code == 200
    assert "Net, tax and gross by rate" in followed.text


def test_the_tax_report_is_for_owners(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    manager = new_staff(merchant, role="shift lead", access="manager")
    assert manager.sign_in().status_code == 200
    for path in ("/staff/reports/tax", "/staff/reports/tax.csv", "/staff/reports/tax/by-rate.svg"):
        assert manager.get(path).status_code == 403, path

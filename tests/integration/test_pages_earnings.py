"""The staff earnings page (``/staff/reports/earnings``): the owner reads what
each person earned in a period, the same figures as ``GET
/v1/reports/earnings`` (commission, tips, the satisfaction bonus), downloads
the API's CSV for it, in English and in Portuguese; managers may not."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from servefirst.earnings.service import CSV_COLUMNS
from tests.conftest import Merchant, TestClock
from tests.integration.test_console_navigation import menu_of
from tests.integration.test_earnings_api import add, member, pay, review
from tests.integration.test_pages_staff import Staff
from tests.integration.test_refund_pages import _portuguese

PAGE = "/staff/reports/earnings"


def a_good_week(merchant: Merchant) -> dict[str, dict[str, Any]]:
    """Marta (10%) cuts for 25.00 with a 2.00 tip and five stars, which the
    policy rewards from one rating; Pedro (5%) makes a 4.00 coffee, rated 3."""
    policy = {"bonus_min_reviews": 1, "bonus_min_average": "4.5", "bonus_percent": "2"}
    assert merchant.post("/v1/merchant/earnings-policy", policy).status_code == 200
    marta = member(merchant, "Marta Silva", 1000)
    pedro = member(merchant, "Pedro Nunes", 500)
    cut = merchant.tab()
    add(merchant, cut, 2500, marta["id"])
    pay(merchant, cut, tip=200)
    review(merchant, cut, 5)
    coffee = merchant.tab()
    add(merchant, coffee, 400, pedro["id"])
    pay(merchant, coffee)
    review(merchant, coffee, 3)
    return {"marta": marta, "pedro": pedro}


def row_of(page: str, name: str) -> list[str]:
    found = re.search(rf'<tr><th scope="row">{name}</th>(.*?)</tr>', page, re.S)
    assert found, page
    return re.findall(r"<td>(.*?)</td>", found.group(1))


def api_row(merchant: Merchant, name: str, period: dict[str, str]) -> dict[str, Any]:
    report = merchant.get("/v1/reports/earnings", params=period).json()
    return next(r for r in report["staff"] if r["name"] == name)


def test_the_owner_reads_what_each_person_earned_as_the_api_reports_it(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    a_good_week(merchant)
    owner = signed_in(merchant, "owner")
    page = owner.get(PAGE)
    assert page.status_code == 200
    assert "<h1" in page.text and "Staff earnings" in page.text
    # rate, tabs, paid for their lines, commission, tips, ratings, average, bonus, total
    marta = row_of(page.text, "Marta Silva")
    assert marta == ["10%", "1", "€25.00", "€2.50", "€2.00", "1", "5", "€0.50", "€5.00"]
    pedro = row_of(page.text, "Pedro Nunes")
    assert pedro[3:] == ["€0.20", "€0.00", "1", "3", "€0.00", "€0.20"]  # no bonus for 3 stars
    assert row_of(page.text, "Everyone")[-1] == "€5.20"
    assert "a satisfaction bonus of 2% of what was paid for their lines" in page.text

    # The same figures as the API's report for the same days.
    found = re.search(
        r'href="/staff/reports/earnings\.csv\?from=([\d-]+)&amp;to=([\d-]+)"', page.text
    )
    assert found, page.text
    first, last = found.groups()
    figures = api_row(merchant, "Marta Silva", {"from": first, "to": last})
    assert (figures["commission"], figures["bonus"], figures["total"]) == (250, 50, 500)

    # The menu's "Staff earnings" is the current section, beside the team.
    links = menu_of(page.text)
    hrefs = [href for href, _, _ in links]
    assert hrefs.index(PAGE) == hrefs.index("/staff/team") + 1
    assert [href for href, current, _ in links if current] == [PAGE]


def test_the_csv_is_the_apis_file_for_the_pages_period(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    a_good_week(merchant)
    owner = signed_in(merchant, "owner")
    page = owner.get(PAGE).text
    found = re.search(r'href="(/staff/reports/earnings\.csv\?[^"]+)" download', page)
    assert found, page
    download = owner.get(found.group(1).replace("&amp;", "&"))
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert 'attachment; filename="earnings-' in download.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    marta = next(r for r in rows if r["name"] == "Marta Silva")
    assert (marta["commission"], marta["tips"], marta["bonus"], marta["total"]) == (
        "250",
        "200",
        "50",
        "500",
    )


def test_in_portuguese_money_and_dates_are_written_the_portuguese_way(
    merchant: Merchant, clock: TestClock, signed_in: Callable[..., Staff]
) -> None:
    a_good_week(merchant)
    owner = signed_in(merchant, "owner")
    _portuguese(merchant, owner)
    today = clock.now().date()
    first, last = today - timedelta(days=40), today + timedelta(days=1)
    page = owner.get(f"{PAGE}?from={first.isoformat()}&to={last.isoformat()}").text
    assert "Ganhos da equipa" in page and "Bónus de satisfação" in page
    # The period as Portugal writes dates: day first.
    assert f"{first:%d/%m/%Y} a {last:%d/%m/%Y}" in page
    marta = row_of(page, "Marta Silva")
    assert marta[2:5] == ["25,00\xa0€", "2,50\xa0€", "2,00\xa0€"]
    assert "um bónus de satisfação de 2% do que foi pago" in page
    assert "pelo menos 1 avaliação com média de 4,5 ou mais" in page


def test_a_period_typed_backwards_is_refused_in_words(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    refused = owner.get(f"{PAGE}?from=2026-03-02&to=2026-03-01")
    assert refused.status_code == 422
    assert "The first day comes after the last." in refused.text
    assert 'value="2026-03-02"' in refused.text


@pytest.mark.parametrize("path", [PAGE, f"{PAGE}.csv"])
def test_a_manager_may_not_read_staff_earnings(
    merchant: Merchant, signed_in: Callable[..., Staff], path: str
) -> None:
    a_good_week(merchant)
    manager = signed_in(merchant, "manager")
    refused = manager.get(path)
    assert refused.status_code == 403 and "Not allowed" in refused.text
    assert "Marta Silva" not in refused.text
    assert PAGE not in [href for href, _, _ in menu_of(manager.get("/staff/today").text)]


def test_a_browser_following_the_apis_earnings_link_gets_the_page(merchant: Merchant) -> None:
    followed = merchant.client.get(
        "/v1/reports/earnings?from=2026-03-01",
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    assert followed.status_code == 303
    assert followed.headers["location"] == f"{PAGE}?from=2026-03-01"

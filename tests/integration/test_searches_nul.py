"""A NUL character in a search or another GET form (a bot, a pasted binary, a
link typed by hand) gets its page back with the refusal in words, or simply
finds nothing: never the generic "cannot be kept" page, never JSON, never a
500. PostgreSQL cannot compare text holding a NUL, so a page must not ask it
to; on SQLite the same answer is given.

Every GET form of the console and of the public pages: the customer search
(the page and the list htmx asks for as it is typed, on the counter and the
customers page), the tab code, the merge search, whose working hours, the day
of the bookings, the day to close, the report and export periods, the deposit
simulator, the tab's counter; the booking page's choices and the booking's
own page."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from tests.conftest import Merchant
from tests.integration.test_pages_booking import Salon, book, get, shop
from tests.integration.test_pages_nul import NUL, SAID, SAID_PT, Cafe, cafe, https_client, new_staff

__all__ = ["cafe", "https_client", "new_staff", "shop"]  # the pages' fixtures

#: The generic page a value the database refused gives (``web.error_pages``).
FALLBACK = "cannot be kept (for example a NUL character)"


def a_page(response: Any) -> str:
    """A page of the app's own (HTML, not JSON), not the generic fallback, not a 500."""
    assert response.status_code < 500, response.text[:300]
    assert response.headers["content-type"].startswith("text/html"), response.text[:300]
    assert FALLBACK not in response.text, response.text[:300]
    assert NUL not in response.text
    return str(response.text)


def refused_beside_the_search(page: str) -> str:
    box = re.search(r'<input type="search" id="q"[^>]*>', page)
    assert box and 'aria-invalid="true"' in box.group(0), page
    assert 'aria-describedby="q-error"' in box.group(0)
    said = re.search(r'class="field-error" role="alert" id="q-error">([^<]*)<', page)
    assert said, page
    return html.unescape(said.group(1))


@pytest.mark.parametrize("path", ["/staff/customers", "/staff"])
def test_a_nul_in_the_customer_search_is_refused_beside_the_box_and_finds_no_one(
    cafe: Cafe, path: str
) -> None:
    assert cafe.customer  # Rita Lopes is a customer: a search for "Rita" would find her
    answer = cafe.owner.get(path, params={"q": f"Rita{NUL}"})
    page = a_page(answer)
    assert answer.status_code == 422
    assert refused_beside_the_search(page) == SAID
    assert 'id="q" name="q" value="Rita"' in page  # the rest of what was typed
    assert "Rita Lopes" not in page


def test_a_nul_in_the_search_as_it_is_typed_says_so_under_the_box(cafe: Cafe) -> None:
    """htmx puts only a 2xx answer into the page: the list comes back 200,
    saying the refusal where the customers found would be."""
    assert cafe.customer
    for whole_book in ("", "1"):
        answer = cafe.owner.get(
            "/staff/customers",
            params={"q": f"Rita{NUL}", **({"book": whole_book} if whole_book else {})},
            headers={"HX-Request": "true"},
        )
        page = a_page(answer)
        assert answer.status_code == 200
        said = re.search(r'class="field-error" role="alert" id="q-error">([^<]*)<', page)
        assert said and html.unescape(said.group(1)) == SAID
        assert "Rita Lopes" not in page


def test_a_nul_in_the_search_is_refused_in_the_members_portuguese(cafe: Cafe) -> None:
    assert cafe.owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    page = a_page(cafe.owner.get("/staff/customers", params={"q": f"Rita{NUL}"}))
    assert refused_beside_the_search(page) == SAID_PT


def test_a_nul_in_a_tab_code_finds_no_tab_and_says_why(cafe: Cafe) -> None:
    code = cafe.merchant.get(f"/v1/tabs/{cafe.open}").json()["short_code"]
    answer = cafe.owner.get("/staff/find", params={"code": f"{code}{NUL}"}, follow_redirects=False)
    page = a_page(answer)
    assert answer.status_code == 422 and SAID in page
    assert f'value="{code}"' in page


def test_a_nul_in_the_merge_search_finds_no_one_and_says_why(cafe: Cafe) -> None:
    assert cafe.other_customer
    answer = cafe.owner.get(f"/staff/customers/{cafe.customer}/merge", params={"q": f"Rita{NUL}"})
    page = a_page(answer)
    assert answer.status_code == 422 and SAID in page
    assert "Rita M. Lopes" not in page


def test_a_nul_in_whose_hours_gives_ones_own_hours_and_says_why(cafe: Cafe) -> None:
    answer = cafe.owner.get("/staff/bookings/hours", params={"staff": f"{cafe.member}{NUL}"})
    page = a_page(answer)
    assert answer.status_code == 422 and SAID in page
    assert "Sofia Marques" not in page.split("<h1", 1)[1].split("</h1>", 1)[0]


#: The console's other GET forms and links with a value typed or chosen: a
#: NUL is refused in words or finds nothing.
OTHER_CONSOLE_GETS = [
    ("/staff/bookings/day", {"date": f"2026-12-05{NUL}"}),
    ("/staff/close-day", {"date": f"2026-12-05{NUL}"}),
    ("/staff/reports/cash-flow", {"from": f"2026-12-01{NUL}", "to": ""}),
    ("/staff/reports/exports", {"from": f"2026-12-01{NUL}", "to": f"x{NUL}"}),
    ("/staff/deposits/simulate", {"loss_threshold": f"200{NUL}"}),
    ("/staff/deposits/simulate", {"loss_threshold": "lots"}),
    ("/staff/tabs/{open}/counter", {"quantity": f"2{NUL}"}),
    ("/staff", {"done": f"line{NUL}"}),
]


@pytest.mark.parametrize(("path", "params"), OTHER_CONSOLE_GETS, ids=repr)
def test_a_nul_in_any_other_console_get_form_is_a_page(
    cafe: Cafe, path: str, params: dict[str, str]
) -> None:
    a_page(cafe.owner.get(cafe.address(path), params=params))


def test_a_nul_in_the_booking_pages_choices_finds_nothing(shop: Salon) -> None:
    cut = shop.cut["id"]
    for params in (
        {"service": f"{cut}{NUL}"},
        {"service": cut, "staff": f"stf{NUL}"},
        {"service": cut, "start": f"2026-12-05{NUL}"},
        {"service": cut, "day": f"2026-12-05{NUL}"},
    ):
        a_page(get(shop, f"/b/{shop.slug}", params=params))
    token = book(shop, shop.at(shop.day(3), "10:00"))
    for params in ({"flash": f"moved{NUL}"}, {"start": f"2026{NUL}"}):
        a_page(get(shop, f"/b/{shop.slug}/bookings/{token}", params=params))


def test_the_search_without_a_nul_still_finds(cafe: Cafe, merchant: Merchant) -> None:
    assert cafe.customer
    page = a_page(cafe.owner.get("/staff/customers", params={"q": "Rita"}))
    assert "Rita Lopes" in page and 'id="q-error"' not in page


def test_the_api_refuses_a_nul_in_a_customer_search_alike_on_every_engine(
    merchant: Merchant,
) -> None:
    merchant.customer("Ana Costa")
    refused = merchant.get("/v1/customers", params={"q": f"Ana{NUL}"})
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert (error["type"], error["code"], error["param"]) == (
        "invalid_request_error",
        "nul_character",
        "q",
    )
    assert [c["name"] for c in merchant.get("/v1/customers", params={"q": "Ana"}).json()["data"]]

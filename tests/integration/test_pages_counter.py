"""The counter: one tap on a grid of services (most sold first), a refused
line kept and explained in words, and money taken before serving."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.conftest import Merchant
from tests.integration.test_pages_staff import Staff


def tiles(page: str) -> list[str]:
    """The grid's service names, in the order shown."""
    return re.findall(r'name="service_id" value="[^"]+"[^>]*>\s*<span>([^<]+)</span>', page)


def test_the_grid_shows_the_most_sold_first_and_one_tap_adds_a_quantity(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    tea = merchant.service("Tea", price=250)
    coffee = merchant.service("Espresso", price=120)
    merchant.service("Water", price=100)
    earlier = merchant.tab()
    for _ in range(3):
        merchant.post(f"/v1/tabs/{earlier['id']}/lines", {"service_id": coffee["id"]})
    merchant.post(f"/v1/tabs/{earlier['id']}/lines", {"service_id": tea["id"]})
    tab = merchant.tab()
    desk = signed_in(merchant, "staff")
    page = desk.get(f"/staff/tabs/{tab['id']}/counter")
    assert page.status_code == 200
    assert tiles(page.text) == ["Espresso", "Tea", "Water"]
    tapped = desk.post(
        f"/staff/tabs/{tab['id']}/counter/lines",
        {"service_id": coffee["id"], "quantity": "2"},
        follow_redirects=False,
    )
    assert tapped.status_code == 303, tapped.text
    lines = merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"]
    assert [(line["name"], line["quantity"]) for line in lines] == [("Espresso", 2)]


def test_bad_quantities_are_refused_in_words_with_the_choice_kept(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    coffee = merchant.service("Espresso", price=120)
    tab = merchant.tab()
    desk = signed_in(merchant, "staff")
    for typed in ("-2", "0", "abc", "1000"):
        page = desk.post(
            f"/staff/tabs/{tab['id']}/counter/lines",
            {"service_id": coffee["id"], "quantity": typed},
        )
        assert page.status_code == 422, typed
        assert "Choose a whole number from 1 to 99" in page.text
        assert f'value="{typed}"' in page.text
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"] == []


def test_a_line_past_the_limit_is_explained_and_can_be_paid_for_first(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    colour = merchant.service("Full colour", price=11250)  # past a new customer's 100.00
    tab = merchant.tab()
    desk = signed_in(merchant, "staff")
    refused = desk.post(
        f"/staff/tabs/{tab['id']}/counter/lines", {"service_id": colour["id"], "quantity": "1"}
    )
    assert refused.status_code == 402
    assert "tab limit" in refused.text and "tab_limit_exceeded" not in refused.text
    assert "Take €112.50 now and add it" in refused.text
    paid = desk.post(
        f"/staff/tabs/{tab['id']}/counter/prepaid",
        {"service_id": colour["id"], "quantity": "1", "method": "card_terminal"},
        follow_redirects=False,
    )
    assert paid.status_code == 303, paid.text
    after = merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert [line["name"] for line in after["lines"]] == ["Full colour"]
    assert after["amount_due"] == 0
    balances = merchant.balances()
    assert balances["card_terminal"] == 11250 and balances["receivables"] == 0


def test_a_prepayment_is_taken_on_the_open_tab_and_bad_amounts_are_refused(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    cut = merchant.service("Cut", price=4000)
    tab = merchant.tab()
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": cut["id"]})
    desk = signed_in(merchant, "staff")
    for typed, words in (("abc", "is not an amount"), ("-5", "cannot be negative")):
        page = desk.post(
            f"/staff/tabs/{tab['id']}/counter/payment", {"amount": typed, "method": "cash"}
        )
        assert page.status_code == 422 and words in page.text
        assert f'value="{typed}"' in page.text
    stale = desk.post(
        f"/staff/tabs/{tab['id']}/counter/payment",
        {"amount": "15.00", "method": "cash", "csrf_token": "old"},
    )
    assert stale.status_code == 403 and 'value="15.00"' in stale.text
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["amount_due"] == 4000
    taken = desk.post(
        f"/staff/tabs/{tab['id']}/counter/payment",
        {"amount": "15,00", "method": "cash"},
        follow_redirects=False,
    )
    assert taken.status_code == 303
    after = merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert (after["status"], after["amount_due"]) == ("open", 2500)


def _stepper(page: str) -> tuple[str, bool, bool]:
    """The quantity shown, and whether − and + can be pressed."""
    shown = re.search(r'id="quantity" name="quantity"[^>]*value="([^"]*)"', page)
    down = re.search(r'<button[^>]*value="down"[^>]*>', page)
    up = re.search(r'<button[^>]*value="up"[^>]*>', page)
    assert shown and down and up, page
    return shown.group(1), "disabled" not in down.group(0), "disabled" not in up.group(0)


def test_the_stepper_changes_the_quantity_without_javascript_between_1_and_99(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    coffee = merchant.service("Espresso", price=120)
    tab = merchant.tab()
    desk = signed_in(merchant, "staff")
    page = desk.get(f"/staff/tabs/{tab['id']}/counter").text
    assert _stepper(page) == ("1", False, True)  # − cannot go below 1
    assert 'aria-label="One fewer"' in page and 'aria-label="One more"' in page
    stepping = f"/staff/tabs/{tab['id']}/counter/quantity"
    for typed, step, after in [
        ("1", "up", "2"),
        ("2", "up", "3"),
        ("3", "down", "2"),
        ("1", "down", "1"),
        ("98", "up", "99"),
        ("99", "up", "99"),
        ("500", "down", "98"),
        ("abc", "up", "2"),
        ("-4", "down", "1"),
        ("7", "keep", "7"),
    ]:
        moved = desk.post(stepping, {"quantity": typed, "step": step}, follow_redirects=False)
        assert moved.status_code == 303, (typed, step)
        shown = desk.get(moved.headers["location"]).text
        assert _stepper(shown)[0] == after, (typed, step)
    top = desk.get(f"/staff/tabs/{tab['id']}/counter?quantity=99").text
    assert _stepper(top) == ("99", True, False)  # + cannot go above 99
    assert _stepper(desk.get(f"/staff/tabs/{tab['id']}/counter?quantity=junk").text)[0] == "1"
    # The stepped quantity is the one the next tap adds; stepping saved nothing.
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"] == []
    tapped = desk.post(
        f"/staff/tabs/{tab['id']}/counter/lines",
        {"service_id": coffee["id"], "quantity": "3"},
        follow_redirects=False,
    )
    assert tapped.status_code == 303
    lines = merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"]
    assert [(line["name"], line["quantity"]) for line in lines] == [("Espresso", 3)]

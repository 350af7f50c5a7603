"""A line added at the desk is credited to whoever did the service: the tab
page's "Done by" offers the booking's stylist after a check-in, else whoever
did the tab's last line, else the one signed in; the earnings follow it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Merchant, TestClock
from tests.integration.test_cheaper_service_swaps import CUT, colour_checked_in, void_colour
from tests.integration.test_deposit_refunds import RefundsAsked, refunds  # noqa: F401
from tests.integration.test_earnings_api import around_now, member
from tests.integration.test_pages_staff import (  # noqa: F401
    Staff,
    at_counter,
    https_client,
    new_staff,
)
from tests.integration.test_refund_pages import _portuguese

DONE_BY = re.compile(r'<select id="staff_id" name="staff_id"[^>]*>(.*?)</select>', re.S)


def offered(page: str) -> str:
    """The member "Done by" has chosen on the tab page."""
    field = DONE_BY.search(page)
    assert field, page
    chosen = re.findall(r'<option value="([^"]+)" selected>', field.group(1))
    assert len(chosen) == 1, field.group(1)
    return chosen[0]


def credited(merchant: Merchant, tab: dict[str, Any]) -> list[str | None]:
    """Who each of the tab's lines is credited to, as the API says."""
    return [line["staff_id"] for line in merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"]]


def me(person: Staff) -> str:
    staff = person.merchant.get("/v1/staff").json()["data"]
    return next(m["id"] for m in staff if m["email"] == person.email)


def test_the_owner_swapping_a_booked_colour_for_a_cut_credits_the_booked_stylist(
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,  # noqa: F811
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    marta = member(merchant, "Marta Silva", 1000)  # the stylist, on 10%, never signs in
    owner = new_staff(merchant, role="owner", access="owner")
    assert owner.sign_in().status_code == 200
    _, tab = colour_checked_in(merchant, clock, staff_id=marta["id"])
    page = owner.get(f"/staff/tabs/{tab['id']}")
    assert offered(page.text) == marta["id"]

    cut = merchant.service("Cut", price=CUT, duration_minutes=30)
    added = owner.post(
        f"/staff/tabs/{tab['id']}/lines", {"service_id": cut["id"], "staff_id": offered(page.text)}
    )
    assert added.status_code == 200 and "Line added." in added.text
    assert void_colour(merchant, tab).status_code == 200
    assert merchant.post(f"/v1/tabs/{tab['id']}/serve").json()["status"] == "paid"

    assert credited(merchant, tab) == [marta["id"], marta["id"]]
    report = merchant.get("/v1/reports/earnings", params=around_now(clock)).json()
    rows = {row["staff_id"]: row for row in report["staff"]}
    assert (rows[marta["id"]]["paid"], rows[marta["id"]]["commission"]) == (CUT, CUT // 10)
    assert rows[me(owner)]["paid"] == 0


def test_a_walk_in_s_tab_offers_the_one_signed_in_then_whoever_did_the_last_line(
    at_counter: Staff,  # noqa: F811
) -> None:
    shop = at_counter.merchant
    marta = member(shop, "Marta Silva", 1000)
    tab = shop.tab()
    assert offered(at_counter.get(f"/staff/tabs/{tab['id']}").text) == me(at_counter)

    wash = shop.service("Wash", price=800)
    added = shop.post(
        f"/v1/tabs/{tab['id']}/lines", {"service_id": wash["id"], "staff_id": marta["id"]}
    )
    assert added.status_code == 200, added.text
    assert offered(at_counter.get(f"/staff/tabs/{tab['id']}").text) == marta["id"]
    # A form without the field (sent before it existed) credits whom the page offered.
    assert (
        at_counter.post(f"/staff/tabs/{tab['id']}/lines", {"service_id": wash["id"]}).status_code
        == 200
    )
    assert credited(shop, tab) == [marta["id"], marta["id"]]


def test_the_receptionist_credits_the_line_to_the_stylist_she_chooses(
    at_counter: Staff,  # noqa: F811
) -> None:
    shop = at_counter.merchant
    marta = member(shop, "Marta Silva", 1000)
    tab = shop.tab()
    cut = shop.service("Cut", price=CUT)
    page = at_counter.get(f"/staff/tabs/{tab['id']}").text
    assert f'<option value="{marta["id"]}">Marta Silva</option>' in page  # offered, not chosen
    added = at_counter.post(
        f"/staff/tabs/{tab['id']}/lines", {"service_id": cut["id"], "staff_id": marta["id"]}
    )
    assert added.status_code == 200 and "Line added." in added.text
    assert credited(shop, tab) == [marta["id"]]


@pytest.mark.parametrize("who", ["stf_ghost", "another business's stylist"])
def test_someone_not_on_the_team_is_refused_beside_the_field_and_nothing_is_added(
    who: str,
    at_counter: Staff,  # noqa: F811
    new_merchant: Any,
) -> None:
    shop = at_counter.merchant
    if who != "stf_ghost":
        who = member(new_merchant(name="Other salon"), "Rita Lopes")["id"]
    tab = shop.tab()
    cut = shop.service("Cut", price=CUT)
    refused = at_counter.post(
        f"/staff/tabs/{tab['id']}/lines",
        {"service_id": cut["id"], "quantity": "2", "staff_id": who},
    )
    assert refused.status_code == 422, refused.text
    field = DONE_BY.search(refused.text)
    assert field and 'aria-invalid="true"' in refused.text
    beside = re.search(
        r'<p class="field-error" role="alert" id="staff_id-error">([^<]+)</p>', refused.text
    )
    assert beside and beside.group(1) == (
        "Choose who did it from the list: that person is not on the team."
    )
    assert offered(refused.text) == me(at_counter)  # offered again as before
    assert 'name="quantity" value="2"' in refused.text  # the rest as sent
    assert shop.get(f"/v1/tabs/{tab['id']}").json()["lines"] == []


def test_done_by_and_its_refusal_read_in_portuguese(at_counter: Staff) -> None:  # noqa: F811
    shop = at_counter.merchant
    _portuguese(shop, at_counter)
    tab = shop.tab()
    cut = shop.service("Cut", price=CUT)
    assert (
        '<label for="staff_id">Feito por</label>' in at_counter.get(f"/staff/tabs/{tab['id']}").text
    )
    refused = at_counter.post(
        f"/staff/tabs/{tab['id']}/lines", {"service_id": cut["id"], "staff_id": "stf_ghost"}
    )
    assert refused.status_code == 422
    assert "Escolha na lista quem o fez: essa pessoa não é da equipa." in refused.text
    assert shop.get(f"/v1/tabs/{tab['id']}").json()["lines"] == []

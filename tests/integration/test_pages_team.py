"""The team page (``/staff/team``): the owner marks a stylist as left, with a
tick to confirm; she is signed out at once, cannot sign in again, is no
longer offered at the desk, and comes back when brought back. Managers may
not; nobody marks themselves; refusals are said in words, in Portuguese too."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from servefirst.runtime import Runtime
from servefirst.staff import service as staff
from tests.conftest import Merchant, TestClock
from tests.integration.test_pages_staff import PASSWORD, Staff, https_client  # noqa: F401
from tests.integration.test_pages_staff_bookings import Salon, later_today
from tests.integration.test_refund_pages import _portuguese

PAGE = "/staff/team"


def stylist(runtime: Runtime, merchant: Merchant, browser: Callable[[], Any]) -> Staff:
    """Marta, a stylist with her own console login, signed in on her phone."""
    email = f"marta.{secrets.token_hex(4)}@lume.example"
    with runtime.uow(merchant.id) as uow:
        staff.create_staff(uow, email=email, password=PASSWORD, name="Marta Silva")
        uow.commit()
    person = Staff(browser(), merchant, email)
    assert person.sign_in().status_code == 200
    return person


def id_of(merchant: Merchant, name: str) -> str:
    everyone = merchant.get("/v1/staff", params={"include_inactive": "true"}).json()["data"]
    return next(m["id"] for m in everyone if m["name"] == name)


def own_id(person: Staff) -> str:
    everyone = person.merchant.get("/v1/staff").json()["data"]
    return next(m["id"] for m in everyone if m["email"] == person.email)


def active(merchant: Merchant, staff_id: str) -> bool:
    return bool(merchant.get(f"/v1/staff/{staff_id}").json()["active"])


def section(page: str, heading_id: str) -> str:
    found = re.search(rf'aria-labelledby="{heading_id}">(.*?)</section>', page, re.S)
    assert found, page
    return found.group(1)


def test_the_owner_marks_a_stylist_as_left_and_she_is_signed_out_for_good(
    runtime: Runtime,
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    https_client: Callable[[], Any],  # noqa: F811
) -> None:
    owner = signed_in(merchant, "owner")
    marta = stylist(runtime, merchant, https_client)
    marta_id = id_of(merchant, "Marta Silva")
    page = owner.get(PAGE)
    assert page.status_code == 200
    assert "Marta Silva" in section(page.text, "team-heading")
    assert f'action="/staff/team/{marta_id}/leave"' in page.text
    assert "Nobody has left." in page.text

    gone = owner.post(f"{PAGE}/{marta_id}/leave", {"confirm": "yes"}, follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"] == f"{PAGE}?done=left"
    after = owner.get(gone.headers["location"]).text
    assert "Marked as left" in after
    assert "Marta Silva" in section(after, "gone-heading")
    assert "Marta Silva" not in section(after, "team-heading")
    assert not active(merchant, marta_id)

    # Her open session has ended, and her password opens nothing any more.
    assert marta.get("/staff/today", follow_redirects=False).headers["location"] == "/staff"
    assert marta.sign_in().status_code == 401

    back = owner.post(f"{PAGE}/{marta_id}/return", {"confirm": "yes"}, follow_redirects=True)
    assert back.status_code == 200 and "Back on the team" in back.text
    assert active(merchant, marta_id)
    assert marta.sign_in().status_code == 200


def test_without_the_tick_nothing_changes_and_the_page_says_why(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    marta = merchant.post("/v1/staff", {"name": "Marta Silva"}).json()
    refused = owner.post(f"{PAGE}/{marta['id']}/leave", {})
    assert refused.status_code == 422
    assert "Tick the box to confirm." in refused.text
    assert "<details open>" in refused.text  # her form, opened again
    assert active(merchant, marta["id"])


def test_a_long_value_in_the_tick_is_no_tick_and_the_page_says_why(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    marta = merchant.post("/v1/staff", {"name": "Marta Silva"}).json()
    refused = owner.post(f"{PAGE}/{marta['id']}/leave", {"confirm": "yes" * 10})
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("text/html")
    assert "Tick the box to confirm." in refused.text
    assert active(merchant, marta["id"])


def test_a_language_not_offered_is_refused_on_the_settings_page(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    refused = owner.post("/staff/settings/language", {"language": "portuguese-please"})
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("text/html")
    assert "Choose one of the languages offered." in refused.text


def test_nobody_marks_themselves_as_left(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    signed_in(merchant, "owner")  # another owner: only the self rule refuses
    me = own_id(owner)
    page = owner.get(PAGE).text
    assert f"/staff/team/{me}/leave" not in page  # no button for oneself
    refused = owner.post(f"{PAGE}/{me}/leave", {"confirm": "yes"})
    assert refused.status_code == 409
    assert "You cannot mark yourself as having left; another owner can." in refused.text
    assert owner.get("/staff/today").status_code == 200  # still signed in


def test_a_manager_may_not_open_the_team_nor_mark_anyone_as_left(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    marta = merchant.post("/v1/staff", {"name": "Marta Silva"}).json()
    assert manager.get(PAGE).status_code == 403
    refused = manager.post(f"{PAGE}/{marta['id']}/leave", {"confirm": "yes"})
    assert refused.status_code == 403 and "Not allowed" in refused.text
    assert active(merchant, marta["id"])
    assert 'href="/staff/team"' not in manager.get("/staff/today").text  # not in the menu


def test_a_stale_form_changes_nothing(merchant: Merchant, signed_in: Callable[..., Staff]) -> None:
    owner = signed_in(merchant, "owner")
    marta = merchant.post("/v1/staff", {"name": "Marta Silva"}).json()
    owner.csrf = "stale"
    refused = owner.post(f"{PAGE}/{marta['id']}/leave", {"confirm": "yes"})
    assert refused.status_code == 403 and "This form had expired" in refused.text
    assert active(merchant, marta["id"])


def test_in_portuguese_the_page_and_its_refusals_speak_portuguese(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    _portuguese(merchant, owner)
    merchant.post("/v1/staff", {"name": "Marta Silva"})
    page = owner.get(PAGE).text
    for words in ("Equipa", "Registar saída", "Quem saiu", "Ninguém saiu."):
        assert words in page, words
    # Rita, the only other owner, may not go: the refusal in Portuguese.
    other = merchant.post("/v1/staff", {"name": "Sara Reis", "access": "owner"}).json()
    assert (
        owner.post(
            f"{PAGE}/{other['id']}/leave", {"confirm": "yes"}, follow_redirects=False
        ).status_code
        == 303
    )
    me = own_id(owner)
    refused = owner.post(f"{PAGE}/{me}/leave", {"confirm": "yes"})
    assert refused.status_code == 409
    assert "Não pode registar a sua própria saída" in refused.text
    back = owner.post(f"{PAGE}/{other['id']}/return", {"confirm": "yes"}, follow_redirects=True)
    assert "De volta à equipa" in back.text


def test_someone_who_left_is_not_offered_at_the_desk(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    marta = merchant.post("/v1/staff", {"name": "Marta Silva"}).json()
    joana = merchant.post("/v1/staff", {"name": "Joana Reis"}).json()
    assert (
        owner.post(
            f"{PAGE}/{marta['id']}/leave", {"confirm": "yes"}, follow_redirects=False
        ).status_code
        == 303
    )
    tab = merchant.tab()
    pickers = {
        "done by": owner.get(f"/staff/tabs/{tab['id']}").text,
        "bookings day": owner.get("/staff/bookings/day").text,
        "hours": owner.get("/staff/bookings/hours").text,
    }
    for where, page in pickers.items():
        assert f'value="{joana["id"]}"' in page, where
        assert f'value="{marta["id"]}"' not in page, where
    cut = merchant.service("Cut", price=2500)
    refused = owner.post(
        f"/staff/tabs/{tab['id']}/lines", {"service_id": cut["id"], "staff_id": marta["id"]}
    )
    assert refused.status_code == 422
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"] == []


def test_a_stylist_with_bookings_to_come_is_flagged_and_kept_until_they_are_moved(
    runtime: Runtime, merchant: Merchant, clock: TestClock, signed_in: Callable[..., Staff]
) -> None:
    salon = Salon(runtime, merchant)
    today = salon.book(later_today(clock))
    tomorrow = salon.book(later_today(clock) + timedelta(days=1), name="Rita Lopes")
    arrived = merchant.post(f"/v1/bookings/{today['id']}/check-in")
    assert arrived.status_code == 200, arrived.text  # today's is done: a tab, her work
    owner = signed_in(merchant, "owner")
    assert "1 booking to come" in section(owner.get(PAGE).text, "team-heading")
    refused = owner.post(f"{PAGE}/{salon.stylist_id}/leave", {"confirm": "yes"})
    assert refused.status_code == 409
    assert (
        "Sofia Marques still has 1 booking to come: move it to someone else or cancel it first."
        in refused.text
    )
    assert active(merchant, salon.stylist_id)
    cancelled = merchant.post(f"/v1/bookings/{tomorrow['id']}/cancel", {"by": "business"})
    assert cancelled.status_code == 200
    left = owner.post(f"{PAGE}/{salon.stylist_id}/leave", {"confirm": "yes"})
    assert left.status_code == 200 and "Marked as left" in left.text
    # Today's booking and its tab line still say who did it.
    assert "Sofia Marques" in owner.get("/staff/bookings/day").text
    tab = merchant.get(f"/v1/tabs/{arrived.json()['tab_id']}").json()
    assert tab["lines"][0]["staff_id"] == salon.stylist_id


def team_pages(merchant: Merchant, person: Staff, salon: Salon) -> dict[str, str]:
    """The team page for the HTML check: someone who left, and a refusal
    (the salon's stylist has bookings to come)."""
    gone = merchant.post("/v1/staff", {"name": "Joana Reis"}).json()
    assert merchant.post(f"/v1/staff/{gone['id']}", {"active": False}).status_code == 200
    refused = person.post(f"{PAGE}/{salon.stylist_id}/leave", {"confirm": "yes"})
    assert refused.status_code == 409, refused.text
    page = person.get(PAGE)
    assert page.status_code == 200
    return {"staff-team": page.text, "staff-team-refused": refused.text}


def test_a_title_that_is_the_access_itself_is_said_once(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    merchant.post("/v1/staff", {"name": "Pedro Nunes", "role": "staff"})
    merchant.post("/v1/staff", {"name": "Rita Lopes", "role": "stylist", "access": "staff"})
    team = section(owner.get(PAGE).text, "team-heading")
    pedro = team[team.index("Pedro Nunes") :].split("</li>")[0]
    rita = team[team.index("Rita Lopes") :].split("</li>")[0]
    assert "staff · staff" not in pedro and "staff" in pedro
    assert "stylist · staff" in rita

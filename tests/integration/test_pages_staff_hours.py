"""Working hours in the console: everyone sets their own week, days off and
services; managers anyone's; a mistake gives the form back as typed."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.conftest import Merchant
from tests.integration.test_pages_staff import (  # noqa: F401 - fixtures
    Staff,
    https_client,
    new_staff,
)

WHOSE = re.compile(r'name="staff" value="([^"]+)"')
PAGE = "/staff/bookings/hours"


def signed_in(new_staff: Callable[..., Staff], merchant: Merchant, **kw: Any) -> Staff:  # noqa: F811
    person = new_staff(merchant, **kw)
    assert person.sign_in().status_code == 200
    return person


def whose(page: Any) -> str:
    found = WHOSE.search(page.text)
    assert found, page.text
    return found.group(1)


def test_a_stylist_sets_the_week_a_day_off_and_services_online_booking_then_uses(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    cut = merchant.service("Cut and blow-dry", price=4000)
    stylist = signed_in(new_staff, merchant)
    page = stylist.get(PAGE)
    assert page.status_code == 200 and "Monday" in page.text
    me = whose(page)
    saved = stylist.post(
        PAGE,
        {
            "staff": me,
            "day.mon": "09:00-13:00, 14:00 - 18:00",
            "day.sat": "10:00-14:00",
            "exceptions": "2026-12-24\n2026-12-31 09:00-12:00",
            "services": cut["id"],
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    hours = merchant.get(f"/v1/staff/{me}/hours").json()
    assert hours["weekly"] == {
        "mon": [["09:00", "13:00"], ["14:00", "18:00"]],
        "sat": [["10:00", "14:00"]],
    }
    assert hours["exceptions"] == [
        {"date": "2026-12-24", "hours": []},
        {"date": "2026-12-31", "hours": [["09:00", "12:00"]]},
    ]
    assert hours["services"] == [cut["id"]]
    again = stylist.get(saved.headers["location"])
    assert "Saved" in again.text and 'value="09:00-13:00, 14:00-18:00"' in again.text
    assert "2026-12-31 09:00-12:00" in again.text
    assert 'href="/staff/bookings/hours"' in stylist.get("/staff/bookings/day").text


def test_a_mistake_names_the_day_keeps_what_was_typed_and_saves_nothing(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    stylist = signed_in(new_staff, merchant)
    me = whose(stylist.get(PAGE))
    stylist.post(PAGE, {"staff": me, "day.tue": "09:00-17:00"})
    for typed, said in (
        ({"day.tue": "13:00-09:00"}, "Tuesday: write hours as 09:00-13:00"),
        ({"day.tue": "09:00-13:00, 12:00-15:00"}, "Tuesday: two ranges overlap"),
        ({"day.wed": "mornings"}, "Wednesday: write hours"),
        ({"exceptions": "24/12/2026"}, "Days off and changed hours: one day a line"),
    ):
        refused = stylist.post(PAGE, {"staff": me, **typed})
        assert refused.status_code == 422, refused.text
        assert said in refused.text
        assert next(iter(typed.values())) in refused.text  # as typed
    assert merchant.get(f"/v1/staff/{me}/hours").json()["weekly"] == {"tue": [["09:00", "17:00"]]}


def test_staff_change_only_their_own_hours_managers_anyones(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    stylist = signed_in(new_staff, merchant)
    colleague = whose(signed_in(new_staff, merchant).get(PAGE))
    refused = stylist.post(PAGE, {"staff": colleague, "day.mon": "09:00-10:00"})
    assert refused.status_code == 403
    assert merchant.get(f"/v1/staff/{colleague}/hours").json()["weekly"] == {}
    assert stylist.get(f"{PAGE}?staff={colleague}").status_code == 403

    manager = signed_in(new_staff, merchant, role="manager", access="manager")
    page = manager.get(f"{PAGE}?staff={colleague}")
    assert page.status_code == 200 and f'value="{colleague}" selected' in page.text
    saved = manager.post(PAGE, {"staff": colleague, "day.fri": "12:00-20:00"})
    assert saved.status_code == 200  # followed to the page
    assert merchant.get(f"/v1/staff/{colleague}/hours").json()["weekly"] == {
        "fri": [["12:00", "20:00"]]
    }
    assert manager.get(f"{PAGE}?staff=stf_nobody").status_code == 404
    assert manager.post(PAGE, {"staff": "stf_nobody", "day.mon": "09:00-10:00"}).status_code == 404


def test_the_hours_page_speaks_portuguese(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    merchant.post("/v1/merchant", {"locale": "pt_PT"})
    stylist = signed_in(new_staff, merchant)
    page = stylist.get(PAGE)
    assert "Horário de trabalho" in page.text and "Segunda-feira" in page.text
    refused = stylist.post(PAGE, {"staff": whose(page), "day.mon": "13:00-09:00"})
    assert "Segunda-feira: escreva as horas" in refused.text


def test_clearing_every_day_of_someone_who_works_is_asked_about_first(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    stylist = signed_in(new_staff, merchant)
    me = whose(stylist.get(PAGE))
    assert stylist.post(PAGE, {"staff": me, "day.tue": "09:00-17:00"}).status_code == 200
    emptied = stylist.post(PAGE, {"staff": me, "exceptions": "2026-12-24"})
    assert emptied.status_code == 422
    assert "Every day is empty: online booking would offer no time with" in emptied.text
    assert 'name="no_week" value="yes"' in emptied.text
    assert "2026-12-24" in emptied.text  # what was typed is kept
    kept = merchant.get(f"/v1/staff/{me}/hours").json()
    assert kept["weekly"] == {"tue": [["09:00", "17:00"]]} and kept["exceptions"] == []
    confirmed = stylist.post(
        PAGE, {"staff": me, "exceptions": "2026-12-24", "no_week": "yes"}, follow_redirects=False
    )
    assert confirmed.status_code == 303, confirmed.text
    assert merchant.get(f"/v1/staff/{me}/hours").json()["weekly"] == {}


def test_an_empty_week_for_someone_with_no_hours_yet_is_saved_without_a_question(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    stylist = signed_in(new_staff, merchant)
    me = whose(stylist.get(PAGE))
    saved = stylist.post(PAGE, {"staff": me, "exceptions": "2026-12-24"}, follow_redirects=False)
    assert saved.status_code == 303, saved.text


def test_the_empty_week_question_is_asked_in_portuguese(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    stylist = signed_in(new_staff, merchant)
    assert stylist.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    me = whose(stylist.get(PAGE))
    stylist.post(PAGE, {"staff": me, "day.tue": "09:00-17:00"})
    emptied = stylist.post(PAGE, {"staff": me})
    assert emptied.status_code == 422
    assert "Todos os dias estão vazios" in emptied.text
    assert "Sim: sem marcação online com" in emptied.text
    assert "Every day is empty" not in emptied.text

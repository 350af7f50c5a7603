"""The console's bookings: today's list, the week ahead, and check-in / cancel / no-show
as CSRF-protected forms, each read back from the bookings service."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from servefirst.bookings.models import Booking
from servefirst.bookings.service import get_booking
from servefirst.kit import formats
from servefirst.runtime import Runtime
from servefirst.staff import service as staff
from tests.conftest import Merchant, TestClock
from tests.integration.test_bookings_api import ALWAYS_ASKED, SALON
from tests.integration.test_pages_staff import PASSWORD, Staff

GOOD_CARD = "4242424242424242"
PRICE = 4000  # salon preset: 15% deposit = 600; late cancel 10% = 400; no-show 30% = 1200


@pytest.fixture
def counter(runtime: Runtime, app: Any) -> Iterator[Callable[[Merchant], Staff]]:
    """Signed-in staff of a merchant, each from its own address (own sign-in limit)."""
    opened: list[TestClient] = []

    def sign_in(who: Merchant) -> Staff:
        email = f"tiago.{secrets.token_hex(4)}@lume.example"
        with runtime.uow(who.id) as uow:
            staff.create_staff(uow, email=email, password=PASSWORD, name="Tiago Lopes")
            uow.commit()
        address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
        client = TestClient(
            app, base_url="https://testserver", raise_server_exceptions=False, client=(address, 5)
        )
        opened.append(client)
        person = Staff(client, who, email)
        assert person.sign_in().status_code == 200
        assert person.csrf
        return person

    yield sign_in
    for client in opened:
        client.close()


def later_today(clock: TestClock, minutes: int = 30) -> datetime:
    """A start later today (UTC), with at least two hours of the day left after it."""
    now = clock.now()
    midnight = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
    if midnight - now < timedelta(hours=3):
        clock.advance(hours=4)  # into the next day: the test's "today" starts there
    return clock.now() + timedelta(minutes=minutes)


class Salon:
    """A merchant on the salon deposit preset, with a stylist and a cut."""

    def __init__(self, runtime: Runtime, merchant: Merchant) -> None:
        self.runtime = runtime
        self.merchant = merchant
        # New customers always leave a deposit here (the model decides by default).
        policy = merchant.post(
            "/v1/merchant/deposit-policy", {"deposit_policy": ALWAYS_ASKED | SALON}
        )
        assert policy.status_code == 200, policy.text
        self.service = merchant.service("Cut and blow-dry", price=PRICE, duration_minutes=45)
        with runtime.uow(merchant.id) as uow:
            self.stylist = staff.create_member(uow, name="Sofia Marques", commission_bps=4000)
            self.stylist_id = self.stylist.staff_id
            uow.commit()

    def book(self, starts_at: datetime, name: str = "Leonor Batista") -> dict[str, Any]:
        customer = self.merchant.customer(name)
        response = self.merchant.post(
            "/v1/bookings",
            {
                "customer_id": customer["id"],
                "service_id": self.service["id"],
                "starts_at": starts_at.isoformat(),
                "staff_id": self.stylist_id,
                "card": GOOD_CARD,
            },
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def booking(self, booking_id: str) -> Booking:
        with self.runtime.uow(self.merchant.id, write=False) as uow:
            found = get_booking(uow, booking_id)
            uow.session.expunge(found)
            return found


@pytest.fixture
def salon(runtime: Runtime, merchant: Merchant) -> Salon:
    return Salon(runtime, merchant)


def section(page: str, section_id: str) -> str:
    """The HTML of one ``<section id=...>`` of the console."""
    found = re.search(rf'<section class="card" id="{section_id}".*?</section>', page, re.S)
    assert found, page
    return found.group(0)


def row_of(page: str, booking_id: str) -> str:
    found = re.search(rf'<li class="row booking" id="booking-{booking_id}">.*?</li>', page, re.S)
    assert found, page
    return found.group(0)


def status_in(page: str, booking_id: str) -> str:
    found = re.search(r"data-booking-status>([^<]+)<", row_of(page, booking_id))
    assert found
    return found.group(1)


# --- what the console shows ------------------------------------------------------


def test_console_lists_todays_bookings_with_deposit_and_the_week_ahead_read_only(
    salon: Salon, counter: Callable[[Merchant], Staff], clock: TestClock
) -> None:
    starts = later_today(clock)
    today = salon.book(starts)
    ahead = salon.book(starts + timedelta(days=3), name="Helena Sousa")
    person = counter(salon.merchant)

    page = person.get("/staff")
    assert page.status_code == 200
    assert "No bookings module yet" not in page.text
    todays = section(page.text, "bookings")
    row = row_of(todays, today["id"])
    assert starts.strftime("%H:%M") in row
    assert "Leonor Batista" in row and "Cut and blow-dry" in row and "with Sofia Marques" in row
    assert "Deposit €6.00 held" in row  # 15% of 40.00
    assert "New customer: a small deposit holds the slot." in row
    assert status_in(todays, today["id"]) == "confirmed"
    for action in ("check-in", "cancel", "no-show"):
        assert f'action="/staff/bookings/{today["id"]}/{action}"' in row
    assert f'name="csrf_token" value="{person.csrf}"' in row
    assert ahead["id"] not in todays

    week = section(page.text, "upcoming")
    upcoming = row_of(week, ahead["id"])
    assert "Helena Sousa" in upcoming
    ahead_at = starts + timedelta(days=3)
    with formats.use_place("en", "UTC"):  # the merchant's: British English, UTC
        shown = f"{formats.format_date(ahead_at, 'EEE d MMM')} {formats.format_time(ahead_at)}"
    assert shown in upcoming
    assert "/staff/bookings/" not in week  # read only: no buttons
    assert today["id"] not in week


def test_a_booking_eight_days_ahead_is_not_in_the_week(
    salon: Salon, counter: Callable[[Merchant], Staff], clock: TestClock
) -> None:
    far = salon.book(later_today(clock) + timedelta(days=8))
    page = counter(salon.merchant).get("/staff")
    assert far["id"] not in page.text
    assert "Nothing booked for the coming week." in section(page.text, "upcoming")


# --- check in, cancel, no-show ---------------------------------------------------------


def test_check_in_opens_the_tab_with_the_deposit_and_goes_to_it(
    salon: Salon, counter: Callable[[Merchant], Staff], clock: TestClock
) -> None:
    booking = salon.book(later_today(clock))
    person = counter(salon.merchant)

    done = person.post(f"/staff/bookings/{booking['id']}/check-in", follow_redirects=False)
    assert done.status_code == 303, done.text
    after = salon.booking(booking["id"])
    assert (after.status, after.deposit_status) == ("checked_in", "applied")
    assert after.tab_id
    assert done.headers["location"] == f"/staff/tabs/{after.tab_id}?done=checked_in"

    tab = person.get(done.headers["location"])
    assert tab.status_code == 200
    assert "Checked in: the booked service is on the tab." in tab.text
    assert "Cut and blow-dry" in tab.text
    api_tab = salon.merchant.get(f"/v1/tabs/{after.tab_id}").json()
    assert api_tab["status"] == "open"
    assert api_tab["total"] == PRICE
    assert api_tab["amount_due"] == PRICE - 600  # the deposit already counts

    console = person.get("/staff")
    row = row_of(section(console.text, "bookings"), booking["id"])
    assert status_in(row, booking["id"]) == "checked in"
    assert "Deposit €6.00 applied to the tab" in row
    assert f'href="/staff/tabs/{after.tab_id}"' in row
    assert "/check-in" not in row  # nothing left to do on it


def test_a_card_hold_checked_in_is_shown_securing_the_tab_not_as_money_applied(
    salon: Salon, counter: Callable[[Merchant], Staff], clock: TestClock
) -> None:
    """A hold is no money until the tab's payment captures it (what is due then,
    maybe less than the hold): the row must not say a deposit was applied."""
    policy = salon.merchant.post(
        "/v1/merchant/deposit-policy", {"deposit_policy": ALWAYS_ASKED | SALON | {"mode": "hold"}}
    )
    assert policy.status_code == 200, policy.text
    booking = salon.book(later_today(clock))
    assert booking["deposit"]["mode"] == "hold"
    person = counter(salon.merchant)

    done = person.post(f"/staff/bookings/{booking['id']}/check-in", follow_redirects=False)
    assert done.status_code == 303, done.text
    assert salon.booking(booking["id"]).deposit_status == "applied"

    row = row_of(section(person.get("/staff").text, "bookings"), booking["id"])
    assert "Card hold now secures the tab" in row
    assert "applied to the tab" not in row


def test_cancel_and_no_show_change_the_status_and_settle_the_deposit(
    salon: Salon, counter: Callable[[Merchant], Staff], clock: TestClock
) -> None:
    starts = later_today(clock)
    late = salon.book(starts)
    missed = salon.book(starts + timedelta(minutes=60), name="Tomás Ferreira")
    person = counter(salon.merchant)

    cancelled = person.post(f"/staff/bookings/{late['id']}/cancel", follow_redirects=False)
    assert (cancelled.status_code, cancelled.headers["location"]) == (303, "/staff?done=cancelled")
    after = salon.booking(late["id"])
    # Less than 24 h ahead: the fair preset keeps 10% of the price from the deposit.
    assert (after.status, after.deposit_status) == ("cancelled", "forfeited")
    assert (after.deposit_fee, after.deposit_refund) == (400, 200)

    early = person.post(f"/staff/bookings/{missed['id']}/no-show")
    assert early.status_code == 422  # not started yet: refused on the page
    assert "only after its start time" in early.text
    assert salon.booking(missed["id"]).status == "confirmed"

    clock.advance(minutes=95)  # past the second booking's start
    marked = person.post(f"/staff/bookings/{missed['id']}/no-show", follow_redirects=False)
    assert (marked.status_code, marked.headers["location"]) == (303, "/staff?done=no_show")
    gone = salon.booking(missed["id"])
    assert (gone.status, gone.deposit_status, gone.deposit_fee) == ("no_show", "forfeited", 600)

    page = person.get("/staff?done=no_show")
    assert "Marked as a no-show." in page.text
    todays = section(page.text, "bookings")
    assert status_in(todays, late["id"]) == "cancelled"
    assert status_in(todays, missed["id"]) == "no show"
    assert "Deposit: €6.00 kept" in row_of(todays, missed["id"])
    assert "Deposit: €4.00 kept, €2.00 refunded" in row_of(todays, late["id"])
    assert salon.merchant.balances()["no_show_fees"] == -1000  # 4.00 + 6.00 kept


def test_a_closed_booking_refuses_a_second_action_on_the_page(
    salon: Salon, counter: Callable[[Merchant], Staff], clock: TestClock
) -> None:
    booking = salon.book(later_today(clock))
    person = counter(salon.merchant)
    assert person.post(f"/staff/bookings/{booking['id']}/cancel").status_code == 200
    again = person.post(f"/staff/bookings/{booking['id']}/check-in")
    assert again.status_code == 409
    assert 'role="alert"' in again.text and "This booking is cancelled" in again.text
    assert "Today's bookings" in again.text  # the console, with the refusal on it
    assert salon.booking(booking["id"]).tab_id is None


def test_without_the_csrf_token_nothing_changes(
    salon: Salon, counter: Callable[[Merchant], Staff], clock: TestClock
) -> None:
    booking = salon.book(later_today(clock))
    person = counter(salon.merchant)
    for action in ("check-in", "cancel", "no-show"):
        refused = person.client.post(f"/staff/bookings/{booking['id']}/{action}", data={})
        assert refused.status_code == 403, action
        forged = person.client.post(
            f"/staff/bookings/{booking['id']}/{action}", data={"csrf_token": "x" * 43}
        )
        assert forged.status_code == 403, action
    after = salon.booking(booking["id"])
    assert (after.status, after.deposit_status, after.tab_id) == ("confirmed", "held", None)


def test_another_merchants_booking_is_not_found(
    salon: Salon,
    counter: Callable[[Merchant], Staff],
    new_merchant: Callable[..., Merchant],
    runtime: Runtime,
    clock: TestClock,
) -> None:
    theirs = salon.book(later_today(clock))
    outsider = counter(new_merchant("Barbearia Norte"))
    for action in ("check-in", "cancel", "no-show"):
        response = outsider.post(f"/staff/bookings/{theirs['id']}/{action}")
        assert response.status_code == 404, action
        assert "There is no such booking." in response.text
        assert theirs["id"] not in section(response.text, "bookings")
    assert salon.booking(theirs["id"]).status == "confirmed"


def test_signed_out_a_booking_action_asks_to_sign_in(
    salon: Salon, app: Any, clock: TestClock
) -> None:
    booking = salon.book(later_today(clock))
    with TestClient(app, base_url="https://testserver") as stranger:
        response = stranger.post(
            f"/staff/bookings/{booking['id']}/check-in", data={"csrf_token": "x"}
        )
    assert response.status_code == 401
    assert salon.booking(booking["id"]).status == "confirmed"


# --- the customer's trust history ---------------------------------------------------


def test_customer_page_shows_the_trust_history(
    salon: Salon, counter: Callable[[Merchant], Staff], clock: TestClock
) -> None:
    booking = salon.book(later_today(clock, minutes=5), name="Rui Matos")
    person = counter(salon.merchant)
    before = person.get(f"/staff/customers/{booking['customer_id']}")
    assert "Nothing recorded yet." in before.text
    clock.advance(minutes=10)
    assert person.post(f"/staff/bookings/{booking['id']}/no-show").status_code == 200
    page = person.get(f"/staff/customers/{booking['customer_id']}")
    assert page.status_code == 200
    history = re.search(r'<ul class="rows trust-history">(.*?)</ul>', page.text, re.S)
    assert history, page.text
    assert history.group(1).count('<li class="row">') == 1
    assert "no-show" in history.group(1)
    with formats.use_place("en", "UTC"):
        assert formats.format_date(clock.now()) in history.group(1)

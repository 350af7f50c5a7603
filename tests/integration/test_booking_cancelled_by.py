"""Who cancels decides the money: the business calling a booking off costs
its customer nothing (the whole deposit back, the whole hold let go, nothing
in their history), however late; the customer cancelling late, on their own
or by asking staff, pays the policy's fee as before. The API's ``by`` (the
customer by default), the console's two choices, and the e-mail's words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from servefirst.runtime import Runtime
from servefirst.trust.service import history
from tests import delivery_servers
from tests.conftest import Merchant, TestClock
from tests.delivery_servers import Mailbox
from tests.integration.test_availability_api import Salon as OnlineSalon
from tests.integration.test_booking_cancelled_emails import deliver, lines_of, staff_booking
from tests.integration.test_bookings_api import nonzero, salon
from tests.integration.test_html_valid import install_vnu, vnu_errors
from tests.integration.test_pages_staff import Staff
from tests.integration.test_pages_staff_bookings import (
    Salon,
    counter,
    later_today,
    row_of,
    section,
)

smtp_server = delivery_servers.smtp_server  # the session's SMTP server (a fixture)
__all__ = ["counter"]  # a fixture, used by name

FAIR = {"enabled": True, "percent": "15", "minimum": 200, "preset": "fair"}


def late_cancellations(runtime: Runtime, merchant: Merchant, customer_id: str) -> int:
    with runtime.uow(merchant.id, write=False) as uow:
        return sum(e.kind == "late_cancellations" for e in history(uow, customer_id))


def six_hours_before(clock: TestClock, booking: dict[str, Any]) -> None:
    from datetime import datetime

    starts = datetime.fromisoformat(booking["starts_at"])
    clock.advance(seconds=(starts - clock.now()).total_seconds() - 6 * 3600)


@pytest.mark.parametrize("mode", ["capture", "hold"])
def test_the_business_cancelling_late_gives_the_whole_deposit_back_and_says_so(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    smtp_server: tuple[str, Mailbox],
    mode: str,
) -> None:
    shop = OnlineSalon(merchant, clock)
    salon(merchant, **FAIR, mode=mode)  # fair: cancelling late costs 4.00 of the 6.00
    email = f"ines.business.{mode}@example.com"
    booking = staff_booking(shop, email, "Inês Rocha", days=2)
    six_hours_before(clock, booking)

    cancelled = merchant.post(f"/v1/bookings/{booking['id']}/cancel", {"by": "business"})
    assert cancelled.status_code == 200, cancelled.text
    deposit = cancelled.json()["deposit"]
    assert (deposit["mode"], deposit["status"]) == (mode, "refunded")
    assert (deposit["fee"], deposit["refund"]) == (0, 600)
    assert "by the business" in cancelled.json()["outcome_reason"]
    if mode == "hold":
        assert deposit["hold"]["status"] == "released"
    assert nonzero(merchant.balances()) == {}
    assert late_cancellations(runtime, merchant, booking["customer_id"]) == 0
    events = merchant.get("/v1/events").json()["data"]
    [told] = [e for e in events if e["type"] == "booking.cancelled"]
    assert told["data"] == {"fee": 0, "by": "business"}

    deliver(runtime, merchant, smtp_server[0])
    *_, mail = smtp_server[1].to(email)  # the confirmation only if it went first
    assert "cancel" in mail["Subject"]
    lines = lines_of(mail)
    assert "Café Azul cancelled your booking:" in lines
    if mode == "hold":
        assert "The €6.00 held on your card is released: nothing was charged." in lines
    else:
        assert "Your deposit of €6.00 is refunded in full." in lines
    assert not any("fee" in line for line in lines)


def test_the_customer_cancelling_late_through_the_api_pays_the_fee_as_before(
    runtime: Runtime, merchant: Merchant, clock: TestClock, smtp_server: tuple[str, Mailbox]
) -> None:
    """No body (the default) and ``{"by": "customer"}`` alike: the policy."""
    shop = OnlineSalon(merchant, clock)
    salon(merchant, **FAIR)
    for n, body in enumerate((None, {"by": "customer"})):
        email = f"joana.phoned.{n}@example.com"
        booking = staff_booking(shop, email, "Joana Pires", days=2 + n)
        six_hours_before(clock, booking)
        cancelled = merchant.post(f"/v1/bookings/{booking['id']}/cancel", body)
        assert cancelled.status_code == 200, cancelled.text
        deposit = cancelled.json()["deposit"]
        assert (deposit["status"], deposit["fee"], deposit["refund"]) == ("forfeited", 400, 200)
        assert late_cancellations(runtime, merchant, booking["customer_id"]) == 1
        deliver(runtime, merchant, smtp_server[0])
        *_, mail = smtp_server[1].to(email)  # the confirmation only if it went first
        assert "cancel" in mail["Subject"]
        lines = lines_of(mail)
        # Staff cancelled it on the customer's word: "as you asked", not "we cancelled".
        assert "Your booking at Café Azul is cancelled, as you asked:" in lines
        assert (
            "Of your deposit of €6.00, €4.00 is kept as the late-cancellation fee"
            " and €2.00 is refunded."
        ) in lines
    events = merchant.get("/v1/events").json()["data"]
    told = [e["data"] for e in events if e["type"] == "booking.cancelled"]
    assert told == [{"fee": 400, "by": "customer"}] * 2


@pytest.mark.parametrize("by", ["staff", "", None, 1, "BUSINESS"])
def test_a_bad_by_is_refused_and_changes_nothing(
    runtime: Runtime, merchant: Merchant, clock: TestClock, by: Any
) -> None:
    shop = OnlineSalon(merchant, clock)
    salon(merchant, **FAIR)
    booking = staff_booking(shop, f"rui.{by}@example.com", "Rui Alves", days=2)
    before = merchant.balances()
    refused = merchant.post(f"/v1/bookings/{booking['id']}/cancel", {"by": by})
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert (error["type"], error["code"], error["param"]) == (
        "invalid_request_error",
        "parameter_invalid",
        "by",
    )
    after = merchant.get(f"/v1/bookings/{booking['id']}").json()
    assert (after["status"], after["deposit"]["status"]) == ("confirmed", "held")
    assert merchant.balances() == before
    assert late_cancellations(runtime, merchant, booking["customer_id"]) == 0


def test_the_cancel_route_documents_by(merchant: Merchant) -> None:
    schema = merchant.client.get("/openapi.json").json()
    route = schema["paths"]["/v1/bookings/{booking_id}/cancel"]["post"]
    assert route["requestBody"].get("required", False) is False
    assert "business" in route["description"]
    ref = route["requestBody"]["content"]["application/json"]["schema"]
    name = (ref.get("$ref") or ref["anyOf"][0]["$ref"]).rsplit("/", 1)[1]
    by = schema["components"]["schemas"][name]["properties"]["by"]
    assert by["enum"] == ["customer", "business"] and by["default"] == "customer"


# --- the console ----------------------------------------------------------------


@pytest.mark.parametrize("locale", ["en", "pt_PT"])
def test_the_console_offers_both_cancellations_and_each_settles_its_way(
    runtime: Runtime,
    merchant: Merchant,
    counter: Callable[[Merchant], Staff],
    clock: TestClock,
    tmp_path: Path,
    locale: str,
) -> None:
    if locale != "en":
        assert merchant.post("/v1/merchant", {"locale": locale}).status_code == 200
    shop = Salon(runtime, merchant)
    starts = later_today(clock)
    phoned = shop.book(starts)
    ours = shop.book(starts + timedelta(minutes=60), name="Tomás Ferreira")
    person = counter(merchant)

    page = person.get("/staff")
    assert page.status_code == 200
    row = row_of(section(page.text, "bookings"), phoned["id"])
    words = {
        "en": ("The customer cancelled", "The policy keeps €4.00 of the deposit.", "We cancel"),
        "pt_PT": ("O cliente cancelou", "A política retém 4,00\xa0€ do sinal.", "Cancelamos"),
    }[locale]
    for said in words:
        assert said in row, row
    assert row.count('name="csrf_token"') == 4  # check in, two cancellations, no-show
    assert 'name="by" value="customer"' in row and 'name="by" value="business"' in row
    install_vnu()
    assert vnu_errors({f"console-cancel-{locale}": page.text}, tmp_path) == []

    by_customer = person.post(
        f"/staff/bookings/{phoned['id']}/cancel", {"by": "customer"}, follow_redirects=False
    )
    assert (by_customer.status_code, by_customer.headers["location"]) == (
        303,
        "/staff?done=cancelled",
    )
    kept = shop.booking(phoned["id"])
    assert (kept.deposit_status, kept.deposit_fee, kept.deposit_refund) == ("forfeited", 400, 200)
    assert kept.cancelled_by == "customer"
    assert late_cancellations(runtime, merchant, phoned["customer_id"]) == 1

    by_us = person.post(
        f"/staff/bookings/{ours['id']}/cancel", {"by": "business"}, follow_redirects=False
    )
    assert by_us.status_code == 303
    back = shop.booking(ours["id"])
    assert (back.deposit_status, back.deposit_fee, back.deposit_refund) == ("refunded", 0, 600)
    assert back.cancelled_by == "business"
    assert late_cancellations(runtime, merchant, ours["customer_id"]) == 0


def test_the_console_refuses_an_unknown_by_and_changes_nothing(
    runtime: Runtime, merchant: Merchant, counter: Callable[[Merchant], Staff], clock: TestClock
) -> None:
    shop = Salon(runtime, merchant)
    booking = shop.book(later_today(clock))
    person = counter(merchant)
    refused = person.post(f"/staff/bookings/{booking['id']}/cancel", {"by": "staff"})
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text and "Say who cancels" in refused.text
    assert shop.booking(booking["id"]).status == "confirmed"


def test_the_day_page_cancels_for_the_business_without_a_fee(
    runtime: Runtime,
    merchant: Merchant,
    counter: Callable[[Merchant], Staff],
    clock: TestClock,
    tmp_path: Path,
) -> None:
    shop = Salon(runtime, merchant)
    starts = later_today(clock)
    booking = shop.book(starts)
    person = counter(merchant)
    day = starts.date().isoformat()
    page = person.get(f"/staff/bookings/day?date={day}")
    assert page.status_code == 200
    assert "The policy keeps €4.00 of the deposit." in page.text
    assert "We cancel: no fee" in page.text
    install_vnu()
    assert vnu_errors({"day-cancel": page.text}, tmp_path) == []
    done = person.post(
        f"/staff/bookings/{booking['id']}/cancel-from-day",
        {"by": "business", "back": day},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    back = shop.booking(booking["id"])
    assert (back.deposit_status, back.deposit_fee, back.cancelled_by) == ("refunded", 0, "business")

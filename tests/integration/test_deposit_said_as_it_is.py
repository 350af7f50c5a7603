"""What servefirst says of a booking's deposit is what happened to the money.

A refund the card processor refused leaves the deposit held (the customer's
still): the console says so and what the owner can do, the customer's booking
page and cancellation e-mail say it did not reach the card, and the API's
``deposit.refund_status`` says ``failed`` beside the contract's fixed
``status``. A refund not answered yet is on its way, never "refunded". The
cancellation e-mail counts what a late move kept, and names it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from servefirst.payments.recovery import recover
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.delivery_servers import Mailbox
from tests.integration import test_booking_cancelled_emails as emails
from tests.integration import test_pages_staff_bookings as console
from tests.integration.test_availability_api import LISBON, Salon
from tests.integration.test_bookings_api import salon
from tests.integration.test_deposit_refunds import RefundsAsked

# The fixtures these tests share with the ones they grew from.
counter = console.counter
smtp_server = emails.smtp_server


@pytest.fixture
def refunds(
    runtime: Runtime, clock: TestClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RefundsAsked]:
    """The sandbox's refunds as asked (``test_deposit_refunds``). One left
    unanswered here is finished afterwards, as recovery would: a later test's
    recovery in this database must find only its own."""
    spy = RefundsAsked(runtime.gateways.sandbox)
    monkeypatch.setattr(runtime.gateways.sandbox, "refund", spy.refund)
    yield spy
    spy.down = False
    clock.advance(minutes=5)
    recover(runtime, grace_seconds=60)


def booked_with_deposit(shop: Salon, email: str = "lia.deposito@example.com") -> dict[str, Any]:
    """A new customer's booking in three days: 6.00 taken by card (salon, fair)."""
    salon(shop.merchant)
    booking = emails.staff_booking(shop, email, "Lia Matos")
    assert (booking["deposit"]["mode"], booking["deposit"]["amount"]) == ("capture", 600)
    return booking


def cancelled_by_the_business(merchant: Merchant, booking: dict[str, Any]) -> dict[str, Any]:
    answer = merchant.post(f"/v1/bookings/{booking['id']}/cancel", {"by": "business"})
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def manage_page(shop: Salon, booking: dict[str, Any], language: str) -> str:
    page = shop.merchant.client.get(
        f"/b/{shop.slug}/bookings/{booking['token']}", headers={"Accept-Language": language}
    )
    assert page.status_code == 200, page.text
    return page.text


def console_row(counter: Any, merchant: Merchant, booking: dict[str, Any]) -> str:
    page = counter(merchant).get("/staff")
    assert page.status_code == 200
    return console.row_of(console.section(page.text, "upcoming"), booking["id"])


# --- the API ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "status"), [("refused", "failed"), ("down", "pending"), ("made", "succeeded")]
)
def test_the_api_says_how_the_processor_answered_the_deposit_s_refund(
    merchant: Merchant, clock: TestClock, refunds: RefundsAsked, answer: str, status: str
) -> None:
    booking = booked_with_deposit(Salon(merchant, clock))
    refunds.refuse, refunds.down = answer == "refused", answer == "down"
    cancelled = cancelled_by_the_business(merchant, booking)
    deposit = cancelled["deposit"]
    # The contract's status stays what the cancellation decided; the new field
    # says where the money is.
    assert (deposit["status"], deposit["refund"]) == ("refunded", 600)
    assert deposit["refund_status"] == status
    again = merchant.get(f"/v1/bookings/{booking['id']}").json()["deposit"]
    assert again["refund_status"] == status
    listed = merchant.get("/v1/bookings", params={"from": "2000-01-01T00:00:00Z"}).json()
    [row] = [b for b in listed["data"] if b["id"] == booking["id"]]
    assert row["deposit"]["refund_status"] == status


def test_a_booking_with_no_refund_asked_has_no_refund_status(
    merchant: Merchant, clock: TestClock
) -> None:
    booking = booked_with_deposit(Salon(merchant, clock))
    assert booking["deposit"]["refund_status"] is None


# --- the console -----------------------------------------------------------------


def test_the_console_says_a_refused_refund_is_still_held_and_what_the_owner_can_do(
    merchant: Merchant, clock: TestClock, refunds: RefundsAsked, counter: Any
) -> None:
    booking = booked_with_deposit(Salon(merchant, clock))
    refunds.refuse = True
    cancelled_by_the_business(merchant, booking)
    row = console_row(counter, merchant, booking)
    assert "Deposit €6.00 refunded" not in row, row
    assert "€6.00 not refunded: the card processor refused it, the money is still held" in row
    assert "servefirst cannot ask again: give it back to the customer another way" in row

    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    row = console_row(counter, merchant, booking)
    assert "Sinal de 6,00\xa0€ devolvido" not in row, row
    assert "devolução de 6,00\xa0€ recusada pelo processador de cartões" in row
    assert "devolva-o ao cliente de outra forma" in row
    # How it ended, in the console's language too.
    assert "Cancelada pelo estabelecimento: o sinal é devolvido na totalidade." in row
    assert "Cancelled by the business" not in row


def test_the_console_says_a_refund_not_answered_yet_is_on_its_way(
    merchant: Merchant, clock: TestClock, refunds: RefundsAsked, counter: Any
) -> None:
    booking = booked_with_deposit(Salon(merchant, clock))
    refunds.down = True
    cancelled_by_the_business(merchant, booking)
    row = console_row(counter, merchant, booking)
    assert "Deposit €6.00 refunded" not in row, row
    assert "€6.00 on its way back to the card" in row


def test_a_refund_made_still_reads_refunded_in_the_console(
    merchant: Merchant, clock: TestClock, refunds: RefundsAsked, counter: Any
) -> None:
    booking = booked_with_deposit(Salon(merchant, clock))
    cancelled_by_the_business(merchant, booking)
    row = console_row(counter, merchant, booking)
    assert "Deposit €6.00 refunded" in row and "not refunded" not in row


# --- the customer's booking page ----------------------------------------------------


def test_the_booking_page_says_a_refused_refund_did_not_reach_the_card(
    merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    shop = Salon(merchant, clock)
    booking = booked_with_deposit(shop)
    refunds.refuse = True
    cancelled_by_the_business(merchant, booking)
    en = manage_page(shop, booking, "en-GB")
    assert "€6.00 back to your card" not in en
    assert (
        "€6.00 of your deposit could not go back to your card: the card processor refused"
        " the refund. The business still holds it and owes it to you."
    ) in en
    # The merchant's money format (en_GB), the reader's words.
    pt = manage_page(shop, booking, "pt-PT")
    assert "devolução ao seu cartão" not in pt
    assert "Não foi possível devolver €6.00 do seu sinal ao seu cartão" in pt


def test_the_booking_page_says_a_refund_not_answered_yet_is_on_its_way(
    merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    shop = Salon(merchant, clock)
    booking = booked_with_deposit(shop)
    refunds.down = True
    cancelled_by_the_business(merchant, booking)
    en = manage_page(shop, booking, "en-GB")
    assert "€6.00 back to your card" not in en
    assert "€6.00 on its way back to your card" in en
    assert "€6.00 a caminho do seu cartão" in manage_page(shop, booking, "pt-PT")


# --- the cancellation e-mail ---------------------------------------------------------


def test_the_cancellation_e_mail_says_a_refused_refund_is_still_held(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    smtp_server: tuple[str, Mailbox],
) -> None:
    shop = Salon(merchant, clock)
    email = "lia.recusado@example.com"
    booking = booked_with_deposit(shop, email)
    refunds.refuse = True
    cancelled_by_the_business(merchant, booking)
    emails.deliver(runtime, merchant, smtp_server[0])
    mail = smtp_server[1].to(email)[-1]
    lines = emails.lines_of(mail)
    assert "Your deposit of €6.00 is refunded in full." not in lines
    assert (
        "€6.00 could not go back to your card: the card processor refused the refund."
        " Café Azul still holds it and owes it to you."
    ) in lines, lines
    assert not any("card statement" in line for line in lines)
    assert "could not go back to your card" in emails.text_of(mail, "html")


def test_the_cancellation_e_mail_says_a_refund_not_answered_yet_is_on_its_way(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    smtp_server: tuple[str, Mailbox],
) -> None:
    shop = Salon(merchant, clock)
    email = "lia.a.caminho@example.com"
    booking = booked_with_deposit(shop, email)
    refunds.down = True
    cancelled_by_the_business(merchant, booking)
    emails.deliver(runtime, merchant, smtp_server[0])
    mail = smtp_server[1].to(email)[-1]
    lines = emails.lines_of(mail)
    assert "Your deposit of €6.00 is refunded in full." not in lines
    assert "€6.00 is on its way back to your card." in lines, lines


def moved_late_then_cancelled(shop: Salon, email: str, *, mode: str = "capture") -> None:
    """Booked in three days at 15:00, moved to 16:30 six hours before (fair:
    a late move keeps 10% of 40.00, 4.00 of the 6.00), then called off by the
    business: the other 2.00 goes back."""
    salon(shop.merchant, enabled=True, percent="15", minimum=200, preset="fair", mode=mode)
    booking = emails.staff_booking(shop, email, "Rui Vaz")
    starts = datetime.fromisoformat(booking["starts_at"])
    shop.clock.advance(seconds=(starts - shop.clock.now()).total_seconds() - 6 * 3600)
    later = (starts.astimezone(LISBON) + timedelta(minutes=90)).isoformat()
    moved = shop.merchant.post(f"/v1/bookings/{booking['id']}/reschedule", {"starts_at": later})
    assert moved.status_code == 200, moved.text
    deposit = moved.json()["deposit"]
    assert (deposit["amount"], deposit["move_fee"]) == (200, 400), deposit
    done = cancelled_by_the_business(shop.merchant, booking)["deposit"]
    assert (done["fee"], done["refund"]) == (0, 200)


def test_the_console_reads_a_late_moves_fee_as_money(
    merchant: Merchant, clock: TestClock, counter: Any
) -> None:
    shop = Salon(merchant, clock)
    salon(merchant, enabled=True, percent="15", minimum=200, preset="fair", mode="capture")
    booking = emails.staff_booking(shop, "rui.consola@example.com", "Rui Vaz")
    starts = datetime.fromisoformat(booking["starts_at"])
    clock.advance(seconds=(starts - clock.now()).total_seconds() - 6 * 3600)
    later = (starts.astimezone(LISBON) + timedelta(minutes=90)).isoformat()
    moved = merchant.post(f"/v1/bookings/{booking['id']}/reschedule", {"starts_at": later})
    assert moved.status_code == 200, moved.text
    page = counter(merchant).get("/staff")
    assert page.status_code == 200
    row = console.row_of(console.section(page.text, "bookings"), booking["id"])  # today's
    assert "the late-cancellation fee of €4.00 was kept from the deposit." in row, row
    assert "minor units" not in row


def test_the_console_says_a_card_hold_let_go_charged_nothing(
    merchant: Merchant, clock: TestClock, counter: Any
) -> None:
    shop = Salon(merchant, clock)
    salon(merchant, enabled=True, percent="15", minimum=200, preset="fair", mode="hold")
    booking = emails.staff_booking(shop, "rui.cativo.consola@example.com", "Rui Vaz")
    done = cancelled_by_the_business(merchant, booking)["deposit"]
    assert done["status"] == "refunded", done
    row = console_row(counter, merchant, booking)
    assert "Card hold of €6.00 released: nothing charged" in row, row
    assert "Deposit €6.00 refunded" not in row

    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    row = console_row(counter, merchant, booking)
    assert "Cativação de 6,00\xa0€ libertada: nada foi cobrado" in row, row


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        (
            "en_GB",
            [
                "Of your deposit of €6.00, €4.00 was kept as the late-move fee when the"
                " booking was moved.",
                "€2.00 is refunded to your card.",
            ],
        ),
        (
            "pt_PT",
            [
                "Do seu sinal de 6,00\xa0€, ficou retida a taxa de alteração tardia, de"
                " 4,00\xa0€, quando a marcação foi mudada.",
                "O seu cartão recebe o reembolso de 2,00\xa0€.",
            ],
        ),
    ],
)
def test_the_cancellation_e_mail_counts_and_names_what_a_late_move_kept(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    smtp_server: tuple[str, Mailbox],
    locale: str,
    said: list[str],
) -> None:
    shop = Salon(merchant, clock)
    assert merchant.post("/v1/merchant", {"locale": locale}).status_code == 200
    email = f"rui.mudou.{locale.lower()}@example.com"
    moved_late_then_cancelled(shop, email)
    emails.deliver(runtime, merchant, smtp_server[0])
    mail = smtp_server[1].to(email)[-1]
    lines = emails.lines_of(mail)
    for sentence in said:
        assert sentence in lines, lines
    # Never the deposit as what was left of it after the move.
    assert not any("€2.00 is refunded in full" in line for line in lines)
    assert not any("2,00\xa0€ é reembolsado na totalidade" in line for line in lines)


def test_the_console_says_what_a_late_move_charged_on_a_card_hold_let_go(
    merchant: Merchant, clock: TestClock, counter: Any
) -> None:
    shop = Salon(merchant, clock)
    booking_email = "rui.cativo.mudou@example.com"
    moved_late_then_cancelled(shop, booking_email, mode="hold")
    page = counter(merchant).get("/staff")
    assert page.status_code == 200
    assert "Card hold released; €4.00 charged for a late move" in page.text
    assert "nothing charged" not in page.text


def test_a_card_hold_moved_late_is_not_told_nothing_was_charged(
    runtime: Runtime, merchant: Merchant, clock: TestClock, smtp_server: tuple[str, Mailbox]
) -> None:
    shop = Salon(merchant, clock)
    email = "rui.cativo@example.com"
    moved_late_then_cancelled(shop, email, mode="hold")
    emails.deliver(runtime, merchant, smtp_server[0])
    lines = emails.lines_of(smtp_server[1].to(email)[-1])
    assert not any("nothing was charged" in line for line in lines), lines
    assert (
        "Of the €6.00 held on your card, €4.00 was charged as the late-move fee when the"
        " booking was moved."
    ) in lines
    assert "The other €2.00 is released: it was never taken." in lines


# --- the booking's calendar file -----------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (
            "refused",
            "Deposit: €6.00, not refunded: the card processor refused; the business still"
            " holds it and owes it to you.",
        ),
        ("down", "Deposit: €6.00, on its way back to your card."),
        ("made", "Deposit: €6.00, refunded."),
    ],
)
def test_the_calendar_file_says_where_the_deposit_is(
    merchant: Merchant, clock: TestClock, refunds: RefundsAsked, answer: str, said: str
) -> None:
    booking = booked_with_deposit(Salon(merchant, clock))
    refunds.refuse, refunds.down = answer == "refused", answer == "down"
    cancelled_by_the_business(merchant, booking)
    ics = merchant.client.get(f"/v1/public/bookings/{booking['token']}.ics")
    assert ics.status_code == 200, ics.text
    description = str(emails.event_of(Calendar.from_ical(ics.content))["DESCRIPTION"])
    assert said in description.splitlines(), description

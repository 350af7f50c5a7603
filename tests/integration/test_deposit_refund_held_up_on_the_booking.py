"""A booking's deposit refund held up because the card processor refused its
key (first used with other parameters) is said wherever the booking is, not
only on its tab page: the console's booking rows (the home page and the day
view) say the tab page's sentence beside "on its way back to the card"; the
customer's booking page says the refund is delayed and made within a day,
with nothing for them to do; and the API's ``deposit.refund_failure_code``
is ``processor_key_reused`` beside ``refund_status`` ``pending``. A refund
simply waiting for the processor says none of it, nor one made since.

The processor's refusal is the sandbox answering as Stripe then does
(``tests/integration/test_stripe_deposit_refunds_sent_again.py`` drives
Stripe's own through the test double)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from servefirst.kit.money import Money
from servefirst.payments.gateways import RefundResult, SandboxGateway
from servefirst.payments.recovery import recover
from servefirst.payments.refund_rules import KEY_REUSED
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration import test_deposit_said_as_it_is as said
from tests.integration import test_pages_staff_bookings as console
from tests.integration.test_availability_api import Salon
from tests.integration.test_deposit_refunds import Unreachable
from tests.integration.test_loyalty_disputes import in_words
from tests.integration.test_stripe_refund_held_up import HELD_UP

counter = console.counter

#: What the customer's booking page says of a held-up refund, by language.
DELAYED = {
    "en": "Your refund is delayed at the card processor: it will be sent within a day,"
    " with nothing for you to do.",
    "pt": "A sua devolução está atrasada no processador de cartões: será enviada dentro de"
    " um dia, sem que tenha de fazer nada.",
}


@dataclass
class Processor:
    """How the sandbox answers a deposit's refund: ``key_refused`` as Stripe
    answers one whose key it saw with other parameters, ``down`` not at all,
    else it makes it."""

    sandbox: SandboxGateway
    key_refused: bool = False
    down: bool = False

    def refund(
        self, charge_reference: str, amount: Money, *, idempotency_key: str, reason: str
    ) -> RefundResult:
        if self.down:
            raise Unreachable("The processor did not answer.")
        if self.key_refused:
            return RefundResult(reference="", status="pending", failure_code=KEY_REUSED)
        return SandboxGateway.refund(
            self.sandbox, charge_reference, amount, idempotency_key=idempotency_key, reason=reason
        )


@pytest.fixture
def processor(
    runtime: Runtime, clock: TestClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Processor]:
    """The sandbox as asked; a refund left pending is made afterwards, as
    recovery makes it once the key is forgotten, so a later test's recovery in
    this database finds only its own."""
    answers = Processor(runtime.gateways.sandbox)
    monkeypatch.setattr(runtime.gateways.sandbox, "refund", answers.refund)
    yield answers
    answers.key_refused = answers.down = False
    clock.advance(minutes=5)
    recover(runtime, grace_seconds=60)


def cancelled_held_up(shop: Salon, processor: Processor, email: str) -> dict[str, Any]:
    """Lia's 6.00 deposit, the booking called off by the business, its refund
    held up at the processor (its key refused)."""
    booking = said.booked_with_deposit(shop, email)
    processor.key_refused = True
    return said.cancelled_by_the_business(shop.merchant, booking)


def made_since(runtime: Runtime, clock: TestClock, processor: Processor) -> None:
    """A day later the processor has forgotten the key: recovery makes it."""
    processor.key_refused = False
    clock.advance(minutes=5)
    recover(runtime, grace_seconds=60)


# --- the API ---------------------------------------------------------------------


def test_the_api_names_why_a_held_up_deposit_refund_waits_until_it_is_made(
    runtime: Runtime, merchant: Merchant, clock: TestClock, processor: Processor
) -> None:
    booking = cancelled_held_up(Salon(merchant, clock), processor, "lia.api@example.com")
    deposit = booking["deposit"]
    assert (deposit["status"], deposit["refund_status"]) == ("refunded", "pending")
    assert deposit["refund_failure_code"] == "processor_key_reused"
    again = merchant.get(f"/v1/bookings/{booking['id']}").json()["deposit"]
    assert (again["refund_status"], again["refund_failure_code"]) == (
        "pending",
        "processor_key_reused",
    )
    listed = merchant.get("/v1/bookings", params={"from": "2000-01-01T00:00:00Z"}).json()
    [row] = [b for b in listed["data"] if b["id"] == booking["id"]]
    assert row["deposit"]["refund_failure_code"] == "processor_key_reused"

    made_since(runtime, clock, processor)
    done = merchant.get(f"/v1/bookings/{booking['id']}").json()["deposit"]
    assert (done["refund_status"], done["refund_failure_code"]) == ("succeeded", None)


def test_a_deposit_refund_simply_waiting_for_the_processor_names_no_reason(
    merchant: Merchant, clock: TestClock, processor: Processor
) -> None:
    booking = said.booked_with_deposit(Salon(merchant, clock), "lia.espera@example.com")
    assert booking["deposit"]["refund_failure_code"] is None  # nothing asked back
    processor.down = True
    deposit = said.cancelled_by_the_business(merchant, booking)["deposit"]
    assert (deposit["refund_status"], deposit["refund_failure_code"]) == ("pending", None)


def test_the_schema_documents_the_refund_s_failure_code(merchant: Merchant) -> None:
    schema = merchant.client.get("/openapi.json").json()
    field = schema["components"]["schemas"]["DepositOut"]["properties"]["refund_failure_code"]
    assert "processor_key_reused" in field["description"]


# --- the console -----------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "pt"])
def test_the_console_s_booking_row_says_a_deposit_refund_is_held_up_until_it_is_made(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    processor: Processor,
    counter: Any,
    language: str,
) -> None:
    if language == "pt":
        assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    booking = cancelled_held_up(Salon(merchant, clock), processor, "lia.consola@example.com")
    row = said.console_row(counter, merchant, booking)
    assert 'data-refund="pending"' in row, row
    assert HELD_UP[language] in in_words(row)
    assert "data-deposit-held-up" in row
    # The day view reads its rows from the same words.
    day = counter(merchant).get("/staff/bookings/day", params={"date": booking["starts_at"][:10]})
    assert HELD_UP[language] in in_words(day.text)

    made_since(runtime, clock, processor)
    row = said.console_row(counter, merchant, booking)
    assert 'data-refund="pending"' not in row
    assert HELD_UP[language] not in in_words(row)
    assert "data-deposit-held-up" not in row


def test_the_console_says_nothing_held_up_of_a_refund_simply_on_its_way(
    merchant: Merchant, clock: TestClock, processor: Processor, counter: Any
) -> None:
    booking = said.booked_with_deposit(Salon(merchant, clock), "lia.caminho@example.com")
    processor.down = True
    said.cancelled_by_the_business(merchant, booking)
    row = said.console_row(counter, merchant, booking)
    assert "€6.00 on its way back to the card" in row
    assert "data-deposit-held-up" not in row
    assert HELD_UP["en"] not in in_words(row)


# --- the customer's booking page ----------------------------------------------------


@pytest.mark.parametrize(("language", "accept"), [("en", "en-GB"), ("pt", "pt-PT")])
def test_the_booking_page_tells_the_customer_a_held_up_refund_is_delayed_not_what_staff_do(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    processor: Processor,
    language: str,
    accept: str,
) -> None:
    shop = Salon(merchant, clock)
    booking = cancelled_held_up(shop, processor, "lia.pagina@example.com")
    page = in_words(said.manage_page(shop, booking, accept))
    assert DELAYED[language] in page
    # Staff's sentence is not the customer's: nothing of keys, Stripe or refunding again.
    assert HELD_UP[language] not in page
    assert "Stripe" not in page

    made_since(runtime, clock, processor)
    page = in_words(said.manage_page(shop, booking, accept))
    assert DELAYED[language] not in page


def test_the_booking_page_says_nothing_delayed_of_a_refund_simply_on_its_way(
    merchant: Merchant, clock: TestClock, processor: Processor
) -> None:
    shop = Salon(merchant, clock)
    booking = said.booked_with_deposit(shop, "lia.sem.atraso@example.com")
    processor.down = True
    said.cancelled_by_the_business(merchant, booking)
    page = in_words(said.manage_page(shop, booking, "en-GB"))
    assert "€6.00 on its way back to your card" in page
    assert DELAYED["en"] not in page

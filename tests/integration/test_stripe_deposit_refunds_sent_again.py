"""A booking's deposit refund an earlier request left pending, at Stripe.

Sent again with the booking's next refunds (a line voided on its tab), it is
first looked for at Stripe under its key, as ``servefirst payments recover``
does: Stripe may have made it before the crash lost the answer, and forgets
the key after 24 hours (it would then make a second one). And while Stripe
refuses its key (first used with other parameters), it stays pending saying
so: ``failure_code`` ``processor_key_reused``, and the console's tab page
says beside "being refunded to the card" that nothing was refunded yet, that
it is asked again by itself and must not be refunded again meanwhile.

Against localstripe behind the test double (tests/stripe_double.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from servefirst.bookings import deposit_refunds
from servefirst.bookings.models import DepositRefund
from servefirst.ledger import service as ledger
from servefirst.payments.recovery import recover
from servefirst.runtime import Runtime
from tests import stripe_double as double
from tests.conftest import Merchant, TestClock
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration import test_stripe_refund_retried as retried
from tests.integration.test_bookings_api import at, salon
from tests.integration.test_deposit_refund_held_up_on_the_booking import DELAYED
from tests.integration.test_loyalty_disputes import in_words
from tests.integration.test_pages_staff import Staff
from tests.integration.test_refund_pages import _portuguese
from tests.integration.test_stripe_bookings import book
from tests.integration.test_stripe_deposit_refunds import deposit_intent
from tests.integration.test_stripe_refund_held_up import HELD_UP
from tests.stripe_double import StripeDouble

localstripe_port = double.localstripe_port
stripe_double = double.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe


@pytest.fixture
def app(stripe_client: Any) -> Any:
    """The console on the Stripe merchant's server, which can read its keys."""
    return stripe_client.app


def dies_once(monkeypatch: pytest.MonkeyPatch, phase: str) -> None:
    """The server dies once at ``phase`` of the deposit's refund (the refund
    already committed pending), then runs as it should."""
    retried.dies_once(monkeypatch, phase, deposit_refunds)


def checked_in_above_the_bill(
    cafe: Merchant, stripe_double: StripeDouble, clock: TestClock
) -> tuple[str, str]:
    """The 6.00 deposit of a cut lowered to 4.00, checked in: 2.00 of it to
    go back, the server dying on the way (``dies_once``). (booking, tab)."""
    salon(cafe)
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, hours=5))
    assert made.status_code == 201, made.text
    booking = made.json()
    assert cafe.post(f"/v1/services/{booking['service_id']}", {"price": 400}).status_code == 200
    checked = cafe.post(f"/v1/bookings/{booking['id']}/check-in")
    assert checked.status_code == 500  # the customer is in; the refund stays pending
    tab_id = cafe.get(f"/v1/bookings/{booking['id']}").json()["tab_id"]
    return booking["id"], tab_id


def deposit_refunds_of(runtime: Runtime, cafe: Merchant, booking_id: str) -> list[Any]:
    """(id, amount, status, failure_code) of each of the booking's refunds, by amount."""
    with runtime.uow(cafe.id, write=False) as uow:
        rows = uow.session.scalars(
            select(DepositRefund).where(
                DepositRefund.merchant_id == cafe.id, DepositRefund.booking_id == booking_id
            )
        )
        found = [(r.refund_id, r.amount, r.status, r.failure_code) for r in rows]
    return sorted(found, key=lambda row: row[1])


def made_at_stripe(stripe_double: StripeDouble, booking_id: str) -> list[int]:
    """The refunds Stripe made of the booking's deposit."""
    intent = deposit_intent(stripe_double, booking_id)
    listed = stripe_double.client().v1.refunds.list(params={"payment_intent": intent.id})
    return sorted(r.amount for r in listed.data)


def void_the_cut_for_a_trim(cafe: Merchant, tab_id: str) -> None:
    """A 1.00 fringe trim done instead of the cut: 3.00 more of the deposit goes back."""
    trim = cafe.service("Fringe trim", price=100, duration_minutes=15)
    assert cafe.post(f"/v1/tabs/{tab_id}/lines", {"service_id": trim["id"]}).status_code == 200
    voided = cafe.post(f"/v1/tabs/{tab_id}/lines/1/void", {"reason": "A fringe trim instead"})
    assert voided.status_code == 200, voided.text


def test_a_deposit_refund_stripe_made_before_a_crash_is_not_made_again_with_the_next_refund(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    clock: TestClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dies_once(monkeypatch, "finish_refund")  # Stripe made it; its answer was lost
    booking_id, tab_id = checked_in_above_the_bill(cafe, stripe_double, clock)
    [(first, _, status, _)] = deposit_refunds_of(stripe_runtime, cafe, booking_id)
    assert status == "pending"
    assert made_at_stripe(stripe_double, booking_id) == [200]

    stripe_double.forget_keys()  # the next day: Stripe forgot the first refund's key
    void_the_cut_for_a_trim(cafe, tab_id)  # sends the booking's refunds again
    assert made_at_stripe(stripe_double, booking_id) == [200, 300]  # not a second 2.00
    [(_, _, *done), (_, _, *then)] = deposit_refunds_of(stripe_runtime, cafe, booking_id)
    assert (done, then) == (["succeeded", None], ["succeeded", None])
    assert first in stripe_double.keys_sent("/v1/refunds")
    assert stripe_double.keys_sent("/v1/refunds").count(first) == 1  # the first call only
    assert "deposits_held" not in {k for k, v in cafe.balances().items() if v}
    with stripe_runtime.uow(cafe.id, write=False) as uow:
        assert ledger.audit(uow).ok


def test_a_deposit_refund_stripe_refused_the_key_of_says_why_it_is_pending_until_it_is_made(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    clock: TestClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dies_once(monkeypatch, "call_processor")  # pending, Stripe not asked
    booking_id, _ = checked_in_above_the_bill(cafe, stripe_double, clock)
    [(refund_id, _, _, _)] = deposit_refunds_of(stripe_runtime, cafe, booking_id)
    stripe_double.key_first_used_with_other_parameters(refund_id)

    assert refund_id in recover(stripe_runtime, grace_seconds=0).keys_refused
    held_up = [(refund_id, 200, "pending", "processor_key_reused")]
    assert deposit_refunds_of(stripe_runtime, cafe, booking_id) == held_up
    assert refund_id in recover(stripe_runtime, grace_seconds=0).keys_refused
    assert deposit_refunds_of(stripe_runtime, cafe, booking_id) == held_up

    stripe_double.forget_keys()  # 24 hours later: made under its key
    assert refund_id in recover(stripe_runtime, grace_seconds=0).deposit_refunds
    made = [(refund_id, 200, "succeeded", None)]
    assert deposit_refunds_of(stripe_runtime, cafe, booking_id) == made
    assert made_at_stripe(stripe_double, booking_id) == [200]


@pytest.mark.parametrize("language", ["en", "pt"])
def test_the_tab_page_says_a_deposit_refund_is_held_up_by_stripe_and_what_to_do(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    clock: TestClock,
    monkeypatch: pytest.MonkeyPatch,
    signed_in: Callable[..., Staff],
    language: str,
) -> None:
    manager = signed_in(cafe, "manager")
    if language == "pt":
        _portuguese(cafe, manager)
    dies_once(monkeypatch, "call_processor")
    booking_id, tab_id = checked_in_above_the_bill(cafe, stripe_double, clock)
    [(refund_id, _, _, _)] = deposit_refunds_of(stripe_runtime, cafe, booking_id)
    page = manager.get(f"/staff/tabs/{tab_id}").text
    assert 'data-deposit-back="pending"' in page
    assert HELD_UP[language] not in in_words(page)  # pending, not (yet) held up
    assert "data-deposit-held-up" not in page

    stripe_double.key_first_used_with_other_parameters(refund_id)
    recover(stripe_runtime, grace_seconds=0)
    page = manager.get(f"/staff/tabs/{tab_id}").text
    assert HELD_UP[language] in in_words(page)
    assert "data-deposit-held-up" in page

    stripe_double.forget_keys()
    recover(stripe_runtime, grace_seconds=0)
    page = manager.get(f"/staff/tabs/{tab_id}").text
    assert 'data-deposit-back="pending"' not in page
    assert HELD_UP[language] not in in_words(page)
    assert "data-deposit-held-up" not in page


@pytest.mark.parametrize(("language", "accept"), [("en", "en-GB"), ("pt", "pt-PT")])
def test_the_customer_s_tab_says_a_held_up_deposit_refund_is_delayed_with_nothing_to_do(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    clock: TestClock,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    accept: str,
) -> None:
    dies_once(monkeypatch, "call_processor")
    booking_id, tab_id = checked_in_above_the_bill(cafe, stripe_double, clock)
    [(refund_id, _, _, _)] = deposit_refunds_of(stripe_runtime, cafe, booking_id)
    token = cafe.get(f"/v1/tabs/{tab_id}").json()["token"]

    def customer_sees() -> tuple[bool, str]:
        public = cafe.client.get(f"/v1/public/tabs/{token}").json()
        page = cafe.client.get(f"/t/{token}", headers={"Accept-Language": accept}).text
        return public["deposit_refund_delayed"], in_words(page)

    delayed, page = customer_sees()
    assert delayed is False and DELAYED[language] not in page  # pending, not held up

    stripe_double.key_first_used_with_other_parameters(refund_id)
    recover(stripe_runtime, grace_seconds=0)
    delayed, page = customer_sees()
    assert delayed is True and DELAYED[language] in page
    assert HELD_UP[language] not in page and "Stripe" not in page  # staff's words, not theirs

    stripe_double.forget_keys()
    recover(stripe_runtime, grace_seconds=0)
    delayed, page = customer_sees()
    assert delayed is False and DELAYED[language] not in page

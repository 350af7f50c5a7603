"""A deposit Stripe took (a PaymentIntent charged at booking) is refunded at
Stripe when the booking is cancelled: against localstripe behind the double."""

from __future__ import annotations

from typing import Any

from servefirst.ledger import service as ledger
from servefirst.payments.recovery import recover
from servefirst.runtime import Runtime
from tests import stripe_double as double
from tests.conftest import Merchant, TestClock
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_bookings_api import at, nonzero, salon
from tests.integration.test_stripe_bookings import book
from tests.stripe_double import StripeDouble

localstripe_port = double.localstripe_port
stripe_double = double.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe


def deposit_intent(stripe_double: StripeDouble, booking_id: str) -> Any:
    """The PaymentIntent that took the booking's deposit (keyed by its id)."""
    listed = stripe_double.client().v1.payment_intents.list(params={"limit": 100})
    [intent] = [
        i
        for i in listed.auto_paging_iter()
        if i.to_dict().get("metadata", {}).get("servefirst_attempt") == booking_id
    ]
    return intent


def refunded_at_stripe(stripe_double: StripeDouble, intent: Any) -> int:
    ref = intent.latest_charge
    charge = stripe_double.client().v1.charges.retrieve(ref) if isinstance(ref, str) else ref
    return int(charge.amount_refunded or 0)


def test_a_cancelled_captured_deposit_is_refunded_at_stripe(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    salon(cafe)  # a captured deposit: 15% of 40.00
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, hours=5))
    assert made.status_code == 201, made.text
    intent = deposit_intent(stripe_double, made.json()["id"])
    assert (intent.status, intent.amount) == ("succeeded", 600)

    cancelled = cafe.post(f"/v1/bookings/{made.json()['id']}/cancel", {"by": "business"})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["deposit"]["refund"] == 600
    assert (
        refunded_at_stripe(stripe_double, deposit_intent(stripe_double, made.json()["id"])) == 600
    )
    assert nonzero(cafe.balances()) == {}


def test_a_late_cancellation_refunds_the_rest_at_stripe_and_keeps_the_fee(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    salon(cafe)
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, hours=5))
    assert made.status_code == 201, made.text
    cancelled = cafe.post(f"/v1/bookings/{made.json()['id']}/cancel")
    assert (cancelled.json()["deposit"]["fee"], cancelled.json()["deposit"]["refund"]) == (400, 200)
    assert (
        refunded_at_stripe(stripe_double, deposit_intent(stripe_double, made.json()["id"])) == 200
    )
    assert nonzero(cafe.balances()) == {"card_clearing": 400, "no_show_fees": -400}


# --- a deposit above the bill at check-in -------------------------------------------------


def _cheaper(cafe: Merchant, booking: dict[str, Any], price: int = 400) -> None:
    """The cut's price lowered after booking: the 6.00 deposit is above the bill."""
    assert cafe.post(f"/v1/services/{booking['service_id']}", {"price": price}).status_code == 200


def test_a_deposit_above_the_bill_is_refunded_at_stripe_at_check_in(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    salon(cafe)
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, hours=5))
    assert made.status_code == 201, made.text
    _cheaper(cafe, made.json())
    checked = cafe.post(f"/v1/bookings/{made.json()['id']}/check-in")
    assert checked.status_code == 200, checked.text
    assert checked.json()["deposit"]["refund"] == 200
    assert (
        refunded_at_stripe(stripe_double, deposit_intent(stripe_double, made.json()["id"])) == 200
    )
    assert "deposits_held" not in nonzero(cafe.balances())
    with stripe_runtime.uow(cafe.id, write=False) as uow:
        assert ledger.audit(uow).ok


def test_a_deposit_the_bill_uses_up_is_not_refunded_at_stripe(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    salon(cafe)
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, hours=5))
    assert made.status_code == 201, made.text
    checked = cafe.post(f"/v1/bookings/{made.json()['id']}/check-in")
    assert checked.status_code == 200, checked.text
    assert refunded_at_stripe(stripe_double, deposit_intent(stripe_double, made.json()["id"])) == 0
    assert "deposits_held" not in nonzero(cafe.balances())


def test_an_extra_waits_while_the_stripe_keys_are_gone_and_is_refunded_once_they_are_back(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    from tests.integration.test_stripe_switched_back import keys_gone, keys_set_again

    salon(cafe)
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, hours=5))
    assert made.status_code == 201, made.text
    _cheaper(cafe, made.json())
    keys_gone(stripe_runtime, cafe)
    checked = cafe.post(f"/v1/bookings/{made.json()['id']}/check-in")
    # The customer is in; only the extra waits, still held, for Stripe's keys.
    assert checked.status_code == 200, checked.text
    assert nonzero(cafe.balances())["deposits_held"] == -200
    done = recover(stripe_runtime, grace_seconds=0)
    assert done.deposit_refunds == [] and made.json()["id"] in done.waiting

    def refunded() -> int:  # asked afresh: the intent's charge comes with it
        return refunded_at_stripe(stripe_double, deposit_intent(stripe_double, made.json()["id"]))

    assert refunded() == 0

    keys_set_again(cafe)
    done = recover(stripe_runtime, grace_seconds=0)
    assert len(done.deposit_refunds) == 1
    assert refunded() == 200
    assert "deposits_held" not in nonzero(cafe.balances())
    assert recover(stripe_runtime, grace_seconds=0).deposit_refunds == []
    assert refunded() == 200


# --- a cheaper service done than was booked -----------------------------------------------


def test_a_swap_to_a_cheaper_service_refunds_the_deposit_s_difference_at_stripe(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    """The 40.00 cut booked with its 6.00 deposit; a 4.00 fringe trim done
    instead: 2.00 of the deposit goes back on the deposit's PaymentIntent."""
    salon(cafe)
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, hours=5))
    assert made.status_code == 201, made.text
    checked = cafe.post(f"/v1/bookings/{made.json()['id']}/check-in")
    assert checked.status_code == 200, checked.text
    tab_id = checked.json()["tab_id"]
    trim = cafe.service("Fringe trim", price=400, duration_minutes=15)
    assert cafe.post(f"/v1/tabs/{tab_id}/lines", {"service_id": trim["id"]}).status_code == 200
    voided = cafe.post(f"/v1/tabs/{tab_id}/lines/1/void", {"reason": "A fringe trim instead"})
    assert voided.status_code == 200, voided.text
    assert (voided.json()["deposit_applied"], voided.json()["amount_due"]) == (400, 0)
    assert (
        refunded_at_stripe(stripe_double, deposit_intent(stripe_double, made.json()["id"])) == 200
    )
    assert cafe.get(f"/v1/bookings/{made.json()['id']}").json()["deposit"]["refund"] == 200
    assert "deposits_held" not in nonzero(cafe.balances())
    with stripe_runtime.uow(cafe.id, write=False) as uow:
        assert ledger.audit(uow).ok


def test_a_line_voided_on_a_tab_its_deposit_paid_is_refunded_at_stripe(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    """The 40.00 cut's whole price taken as the deposit, the tab served and
    paid by it alone; the owner voids the cut (never done): there is no
    payment to refund, so the deposit's PaymentIntent gives it all back."""
    salon(cafe, enabled=True, percent="100", minimum=200, maximum=5000, preset="fair")
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, hours=5))
    assert made.status_code == 201, made.text
    tab_id = cafe.post(f"/v1/bookings/{made.json()['id']}/check-in").json()["tab_id"]
    served = cafe.post(f"/v1/tabs/{tab_id}/serve")
    assert (served.json()["status"], served.json()["paid"]) == ("paid", 0), served.text
    voided = cafe.post(f"/v1/tabs/{tab_id}/lines/1/void", {"reason": "The cut was not done"})
    assert voided.status_code == 200, voided.text
    assert (voided.json()["status"], voided.json()["deposit_applied"]) == ("paid", 0)
    assert (
        refunded_at_stripe(stripe_double, deposit_intent(stripe_double, made.json()["id"])) == 4000
    )
    deposit = cafe.get(f"/v1/bookings/{made.json()['id']}").json()["deposit"]
    assert (deposit["status"], deposit["refund"]) == ("refunded", 4000)
    assert nonzero(cafe.balances()) == {}
    with stripe_runtime.uow(cafe.id, write=False) as uow:
        assert ledger.audit(uow).ok

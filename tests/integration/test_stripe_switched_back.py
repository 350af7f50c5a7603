"""Money taken with Stripe stays with Stripe: a café that switched back to the
sandbox (or whose Stripe keys are gone) is never answered by the sandbox about a
Stripe payment, refund or card hold. A refund, a capture or a fee is refused
(409 ``gateway_unavailable``) with nothing kept; recovery leaves what waits on
Stripe pending and finishes it once the keys are back; and switching away from
Stripe is refused (409 ``gateway_in_use``) while Stripe still holds money that
servefirst waits on. Against localstripe behind the test double."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from servefirst.app import create_app
from servefirst.bookings.models import HoldRelease
from servefirst.payments import phases, recovery
from servefirst.payments.gateways import default_gateways
from servefirst.payments.models import GatewayAccount
from servefirst.payments.recovery import recover
from servefirst.payments.refunds import begin_refund
from servefirst.payments.service import begin_payment
from servefirst.runtime import Runtime
from tests import stripe_double as double
from tests.conftest import Merchant, TestClock
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_bookings_api import at
from tests.integration.test_bookings_holds import hold_policy
from tests.integration.test_html_valid import install_vnu, vnu_errors
from tests.integration.test_pages_staff import Staff
from tests.integration.test_refund_pages import _portuguese
from tests.integration.test_stripe_bookings import book, hold_ref
from tests.stripe_double import StripeDouble

localstripe_port = double.localstripe_port
stripe_double = double.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe


@pytest.fixture
def app(stripe_runtime: Runtime) -> Any:
    """The console of a server whose merchants may take cards through Stripe."""
    return create_app(stripe_runtime)


def _once() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def paid_with_stripe(cafe: Merchant, stripe_double: StripeDouble, price: int = 1000) -> str:
    return paid_tab_with_stripe(cafe, stripe_double, price)[1]


def paid_tab_with_stripe(
    cafe: Merchant, stripe_double: StripeDouble, price: int = 1000
) -> tuple[str, str]:
    """(the tab, its payment) paid with a card through Stripe."""
    tab = cafe.served_tab(price)
    paid = on_stripe.pay(cafe, tab["id"], stripe_double.payment_method())
    assert paid.status_code == 201, paid.text
    return tab["id"], str(paid.json()["id"])


def back_to_the_sandbox(cafe: Merchant) -> Any:
    return cafe.post("/v1/merchant/gateway", {"gateway": "sandbox"})


def keys_set_again(cafe: Merchant) -> None:
    assert cafe.post("/v1/merchant/gateway", on_stripe.KEYS).status_code == 200


def keys_gone(runtime: Runtime, cafe: Merchant) -> None:
    """The keys removed while Stripe still held money servefirst waited on (as
    a switch could before it was refused, or an operator by hand)."""
    with runtime.uow() as uow:
        uow.session.execute(
            update(GatewayAccount)
            .where(GatewayAccount.merchant_id == cafe.id)
            .values(
                gateway="sandbox",
                secret_key_sealed=None,
                webhook_secret_sealed=None,
                publishable_key=None,
            )
        )
        uow.commit()


def refund(cafe: Merchant, payment_id: str, client: TestClient | None = None) -> Any:
    body = {"reason": "The coffee was cold"}
    if client is None:
        return cafe.post(f"/v1/payments/{payment_id}/refunds", body, headers=_once())
    return client.post(
        f"/v1/payments/{payment_id}/refunds",
        json=body,
        headers={"Authorization": f"Bearer {cafe.api_key}", **_once()},
    )


def stripe_refund_calls(stripe_double: StripeDouble) -> list[Any]:
    return [c for c in stripe_double.calls if c.method == "POST" and c.path == "/v1/refunds"]


# --- a refund of a Stripe payment ----------------------------------------------------------


def test_a_stripe_payment_is_not_refunded_after_switching_back_and_nothing_is_kept(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    payment_id = paid_with_stripe(cafe, stripe_double)
    assert back_to_the_sandbox(cafe).status_code == 200
    refused = refund(cafe, payment_id)
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "gateway_unavailable"
    assert "taken with Stripe" in error["message"]
    assert "Stripe's dashboard" in error["message"] and "Stripe keys again" in error["message"]
    # A server started since (no Stripe client left in memory) says the same.
    fresh = dataclasses.replace(
        stripe_runtime,
        gateways=default_gateways(
            secret_key=on_stripe.SERVER_SECRET, stripe_api_base=stripe_double.api_base
        ),
    )
    with TestClient(create_app(fresh), raise_server_exceptions=False) as restarted:
        again = refund(cafe, payment_id, restarted)
    assert again.status_code == 409, again.text
    assert again.json()["error"]["code"] == "gateway_unavailable"
    assert cafe.get(f"/v1/payments/{payment_id}/refunds").json()["data"] == []
    assert cafe.balances().get("refunds", 0) == 0
    assert stripe_refund_calls(stripe_double) == []
    # The keys set again: the refund goes to Stripe, which holds the money.
    keys_set_again(cafe)
    done = refund(cafe, payment_id)
    assert done.status_code == 201, done.text
    assert done.json()["status"] == "succeeded"
    assert len(stripe_refund_calls(stripe_double)) == 1


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "This payment was taken with Stripe"),
        ("pt", "Este pagamento foi feito com a Stripe"),
    ],
)
def test_the_console_refund_form_says_the_payment_is_with_stripe_in_the_members_language(
    cafe: Merchant,
    stripe_double: StripeDouble,
    signed_in: Callable[..., Staff],
    language: str,
    words: str,
    tmp_path: Path,
) -> None:
    tab_id, payment_id = paid_tab_with_stripe(cafe, stripe_double)
    assert back_to_the_sandbox(cafe).status_code == 200
    manager = signed_in(cafe, "manager")
    if language == "pt":
        _portuguese(cafe, manager)
    refused = manager.post(
        f"/staff/tabs/{tab_id}/payments/{payment_id}/refund",
        {"amount": "", "tip": "", "reason": "Cold coffee"},
    )
    assert refused.status_code == 409, refused.text
    assert words in refused.text
    assert 'value="Cold coffee"' in refused.text  # the entry given back
    assert cafe.get(f"/v1/payments/{payment_id}/refunds").json()["data"] == []
    install_vnu()
    assert vnu_errors({f"refund-with-stripe-gone-{language}": refused.text}, tmp_path) == []


# --- recovery: what waits on Stripe stays pending until the keys are back -----------------


def test_recovery_leaves_a_charged_stripe_attempt_pending_while_the_keys_are_gone(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    tab = cafe.served_tab(1100)
    with stripe_runtime.uow(cafe.id) as uow:
        attempt = begin_payment(
            uow,
            tab["id"],
            method="card",
            amount=None,
            payment_method=stripe_double.payment_method(),
        )
        uow.commit()
    assert isinstance(attempt, phases.CardAttempt)
    phases.call_processor(stripe_runtime.gateways, attempt)  # Stripe charged; then the crash
    keys_gone(stripe_runtime, cafe)
    done = recover(stripe_runtime, grace_seconds=0)
    assert attempt.payment_id not in done.failed + done.succeeded
    assert attempt.payment_id in done.waiting
    assert "left pending until the Stripe keys are set again" in recovery.summary(done)
    [kept] = [p for p in on_stripe.payments_of(cafe, tab["id"]) if p["id"] == attempt.payment_id]
    assert kept["status"] == "pending"
    assert cafe.get(f"/v1/tabs/{tab['id']}").json()["status"] == "served"
    keys_set_again(cafe)
    done = recover(stripe_runtime, grace_seconds=0)
    assert attempt.payment_id in done.succeeded
    assert cafe.get(f"/v1/tabs/{tab['id']}").json()["status"] == "paid"
    assert stripe_double.keys_sent().count(attempt.processor_key) == 1  # charged once


def test_recovery_leaves_a_stripe_refund_pending_while_the_keys_are_gone(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    payment_id = paid_with_stripe(cafe, stripe_double)
    with stripe_runtime.uow(cafe.id) as uow:
        begun = begin_refund(uow, payment_id, amount=None, tip=None, reason="Cold coffee")
        uow.commit()  # then the crash
    keys_gone(stripe_runtime, cafe)
    done = recover(stripe_runtime, grace_seconds=0)
    assert begun.refund_id not in done.refunds and begun.refund_id in done.waiting
    [kept] = cafe.get(f"/v1/payments/{payment_id}/refunds").json()["data"]
    assert kept["status"] == "pending"
    assert stripe_refund_calls(stripe_double) == []
    keys_set_again(cafe)
    done = recover(stripe_runtime, grace_seconds=0)
    assert begun.refund_id in done.refunds
    [kept] = cafe.get(f"/v1/payments/{payment_id}/refunds").json()["data"]
    assert kept["status"] == "succeeded"
    assert cafe.balances()["refunds"] == 1000


# --- card holds made with Stripe ------------------------------------------------------------


def _releases(runtime: Runtime, cafe: Merchant) -> list[str]:
    with runtime.uow(cafe.id, write=False) as uow:
        query = select(HoldRelease.status).where(HoldRelease.merchant_id == cafe.id)
        return list(uow.session.scalars(query))


def _release_ids(runtime: Runtime, cafe: Merchant) -> list[str]:
    with runtime.uow(cafe.id, write=False) as uow:
        query = select(HoldRelease.release_id).where(HoldRelease.merchant_id == cafe.id)
        return list(uow.session.scalars(query))


def test_a_stripe_hold_is_released_at_stripe_only_once_the_keys_are_back(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    hold_policy(cafe)
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, days=3))
    assert made.status_code == 201, made.text
    assert cafe.post(f"/v1/bookings/{made.json()['id']}/cancel").status_code == 200
    (hold,) = hold_ref(stripe_runtime, cafe, made.json()["id"])
    keys_gone(stripe_runtime, cafe)
    done = recover(stripe_runtime, grace_seconds=0)
    assert _releases(stripe_runtime, cafe) == ["pending"]
    # Recovery runs for every merchant of the shared database: this café's
    # release is among what waits (another test's may wait beside it).
    [release_id] = _release_ids(stripe_runtime, cafe)
    assert release_id in done.waiting
    assert stripe_double.intent(hold.reference).status == "requires_capture"
    keys_set_again(cafe)
    recover(stripe_runtime, grace_seconds=0)
    assert _releases(stripe_runtime, cafe) == ["sent"]
    assert stripe_double.intent(hold.reference).status == "canceled"


def test_a_stripe_hold_is_not_captured_while_the_keys_are_gone_and_nothing_is_kept(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    hold_policy(cafe)
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, hours=1))
    checked = cafe.post(f"/v1/bookings/{made.json()['id']}/check-in")
    assert checked.status_code == 200, checked.text
    tab_id = checked.json()["tab_id"]
    assert cafe.post(f"/v1/tabs/{tab_id}/serve").status_code == 200
    keys_gone(stripe_runtime, cafe)
    refused = cafe.post(f"/v1/tabs/{tab_id}/payments", {"method": "card_hold"})
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "gateway_unavailable"
    assert on_stripe.payments_of(cafe, tab_id) == []
    assert cafe.get(f"/v1/tabs/{tab_id}").json()["status"] == "served"


def test_a_no_show_fee_is_not_taken_from_a_stripe_hold_while_the_keys_are_gone(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    hold_policy(cafe, fixed=1500)
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, hours=2))
    assert made.status_code == 201, made.text
    clock.advance(hours=3)
    keys_gone(stripe_runtime, cafe)
    refused = cafe.post(f"/v1/bookings/{made.json()['id']}/no-show")
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "gateway_unavailable"
    assert cafe.get(f"/v1/bookings/{made.json()['id']}").json()["status"] == "confirmed"
    (hold,) = hold_ref(stripe_runtime, cafe, made.json()["id"])
    assert (hold.status, hold.fee_key) == ("active", None)


# --- switching away from Stripe while it holds money ----------------------------------------


def test_switching_back_is_refused_while_a_stripe_hold_is_kept_or_its_release_unsent(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    hold_policy(cafe)
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, days=3))
    assert made.status_code == 201, made.text
    refused = back_to_the_sandbox(cafe)
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "gateway_in_use"
    assert "Stripe" in error["message"]
    assert cafe.get("/v1/merchant/gateway").json()["gateway"] == "stripe"
    assert cafe.post(f"/v1/bookings/{made.json()['id']}/cancel").status_code == 200
    assert back_to_the_sandbox(cafe).status_code == 409  # the release is not sent yet
    recover(stripe_runtime, grace_seconds=0)
    assert back_to_the_sandbox(cafe).status_code == 200


def test_switching_back_is_refused_while_a_stripe_payment_or_refund_is_pending(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    tab = cafe.served_tab(700)
    with stripe_runtime.uow(cafe.id) as uow:
        begin_payment(
            uow,
            tab["id"],
            method="card",
            amount=None,
            payment_method=stripe_double.payment_method(),
        )
        uow.commit()  # then the crash, before Stripe was asked
    refused = back_to_the_sandbox(cafe)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "gateway_in_use"
    recover(stripe_runtime, grace_seconds=0)  # Stripe never saw it: failed
    payment_id = paid_with_stripe(cafe, stripe_double)
    with stripe_runtime.uow(cafe.id) as uow:
        begin_refund(uow, payment_id, amount=None, tip=None, reason="Cold coffee")
        uow.commit()
    assert back_to_the_sandbox(cafe).status_code == 409
    recover(stripe_runtime, grace_seconds=0)
    assert back_to_the_sandbox(cafe).status_code == 200


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "Stripe still holds money"),
        ("pt", "A Stripe ainda guarda dinheiro"),
    ],
)
def test_the_console_refuses_to_switch_back_while_stripe_holds_money_in_the_owners_language(
    cafe: Merchant,
    stripe_double: StripeDouble,
    clock: TestClock,
    signed_in: Callable[..., Staff],
    language: str,
    words: str,
    tmp_path: Path,
) -> None:
    hold_policy(cafe)
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, days=3))
    assert made.status_code == 201, made.text
    owner = signed_in(cafe, "owner")
    if language == "pt":
        _portuguese(cafe, owner)
    refused = owner.post(f"{PAGE}/sandbox", {"confirm": "yes"})
    assert refused.status_code == 409, refused.text
    assert words in refused.text
    assert 'id="refusal"' in refused.text  # said at the switch-back form
    assert cafe.get("/v1/merchant/gateway").json()["gateway"] == "stripe"
    install_vnu()
    assert vnu_errors({f"switch-back-refused-{language}": refused.text}, tmp_path) == []


PAGE = "/staff/settings/payments"

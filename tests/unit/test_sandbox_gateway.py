"""The sandbox gateway behaves like a processor: charges, declines and card holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from servefirst.kit.errors import CardDeclined
from servefirst.kit.money import Money
from servefirst.payments.gateways import SandboxGateway

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
OK, DECLINED, NO_FUNDS, LATER_DECLINED = (
    "4242424242424242",
    "4000000000000002",
    "4000000000009995",
    "4000000000000341",
)


def eur(amount: int) -> Money:
    return Money(amount, "EUR")


@pytest.mark.parametrize(
    ("card", "code"),
    [(DECLINED, "card_declined"), (NO_FUNDS, "insufficient_funds"), ("1234", "incorrect_number")],
)
def test_declines_carry_their_code(card: str, code: str) -> None:
    gateway = SandboxGateway()
    for attempt in (
        lambda: gateway.charge(eur(100), card=card, idempotency_key="k"),
        lambda: gateway.authorize(eur(100), card=card, idempotency_key="k", now=NOW),
    ):
        with pytest.raises(CardDeclined) as declined:
            attempt()
        assert declined.value.code == code
        assert declined.value.status == 402


def test_charge_keeps_only_the_last_four_digits() -> None:
    charge = SandboxGateway().charge(eur(450), card="4242 4242 4242 4242", idempotency_key="k")
    assert charge.card_last4 == "4242"
    assert "4242424242424242" not in repr(charge)


def test_hold_expires_after_its_lifetime() -> None:
    gateway = SandboxGateway(hold_lifetime=timedelta(days=7))
    hold = gateway.authorize(eur(500), card=OK, idempotency_key="h1", now=NOW)
    assert hold.expires_at == NOW + timedelta(days=7)
    assert OK not in hold.payment_method
    just_before = NOW + timedelta(days=7) - timedelta(seconds=1)
    assert (
        gateway.capture(hold, eur(500), idempotency_key="c1", now=just_before).card_last4 == "4242"
    )
    with pytest.raises(CardDeclined) as expired:
        gateway.capture(hold, eur(500), idempotency_key="c2", now=NOW + timedelta(days=7))
    assert expired.value.code == "authorization_expired"


def test_partial_capture_is_fine_more_than_held_is_not() -> None:
    gateway = SandboxGateway()
    hold = gateway.authorize(eur(500), card=OK, idempotency_key="h", now=NOW)
    assert gateway.capture(hold, eur(120), idempotency_key="c", now=NOW).reference
    with pytest.raises(CardDeclined) as too_much:
        gateway.capture(hold, eur(501), idempotency_key="c2", now=NOW)
    assert too_much.value.code == "amount_too_large"


def test_a_saved_card_can_be_held_again_without_its_number() -> None:
    gateway = SandboxGateway()
    first = gateway.authorize(eur(500), card=OK, idempotency_key="h", now=NOW)
    later = NOW + timedelta(days=6)
    renewed = gateway.authorize(
        eur(900), payment_method=first.payment_method, idempotency_key="h2", now=later
    )
    assert renewed.amount == eur(900)
    assert renewed.expires_at == later + timedelta(days=7)
    assert renewed.card_last4 == "4242"


def test_a_card_cancelled_after_booking_declines_on_reuse() -> None:
    gateway = SandboxGateway()
    first = gateway.authorize(eur(500), card=LATER_DECLINED, idempotency_key="h", now=NOW)
    with pytest.raises(CardDeclined) as declined:
        gateway.authorize(
            eur(900), payment_method=first.payment_method, idempotency_key="h2", now=NOW
        )
    assert declined.value.code == "card_declined"
    with pytest.raises(CardDeclined):
        gateway.charge_saved(eur(900), payment_method=first.payment_method, idempotency_key="x")


def test_unknown_payment_method_is_refused() -> None:
    with pytest.raises(CardDeclined) as refused:
        SandboxGateway().authorize(
            eur(1), payment_method="pm_sbx_9999_abc", idempotency_key="h", now=NOW
        )
    assert refused.value.code == "invalid_payment_method"


def test_a_sandbox_refund_asked_twice_with_one_key_is_one_refund() -> None:
    sandbox = SandboxGateway()
    charge = sandbox.charge(Money(500, "EUR"), card="4242424242424242", idempotency_key="pay_1")
    first = sandbox.refund(
        charge.reference, Money(200, "EUR"), idempotency_key="re_1", reason="cold"
    )
    again = sandbox.refund(
        charge.reference, Money(200, "EUR"), idempotency_key="re_1", reason="cold"
    )
    assert first == again and first.status == "succeeded"
    assert (
        first.reference
        != sandbox.refund(
            charge.reference, Money(200, "EUR"), idempotency_key="re_2", reason="cold"
        ).reference
    )
    unknown = sandbox.refund("ch_other", Money(1, "EUR"), idempotency_key="re_3", reason="x")
    assert (unknown.status, unknown.failure_code) == ("failed", "charge_unknown")

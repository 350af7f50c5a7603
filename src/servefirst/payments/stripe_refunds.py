"""Stripe's Refunds, for ``payments.stripe_gateway``: made under our key, and
read back from Stripe as they are now.

An event is a snapshot of a refund at one moment and comes in any order; a
call made again after a crash may meet a key Stripe saw with other
parameters. So a dashboard refund is booked by what Stripe says of it now
(``refunds_of``), and a refund asked again is first looked for under its key
(``find_refund``) before it is ever sent again.
"""

from __future__ import annotations

from typing import Any

import stripe

from servefirst.kit.money import Money
from servefirst.payments.processor import RefundAtProcessor, RefundResult
from servefirst.payments.stripe_calls import ProcessorUnavailable, call

#: The metadata that names a Refund by our refund's id (its idempotency key).
REFUND_KEY = "servefirst_refund"
#: Stripe's longest metadata value.
_METADATA_LONGEST = 500


class ProcessorKeyReused(ProcessorUnavailable):
    """Stripe refused the call: it saw our key before with other parameters
    (for 24 hours it answers every call under that key so). Nothing was
    refunded by this call; the refund stays pending and is asked again."""

    code = "processor_key_reused"


def make_refund(
    client: stripe.StripeClient,
    charge_reference: str,
    amount: Money,
    *,
    idempotency_key: str,
    reason: str,
) -> RefundResult:
    """A Refund of the PaymentIntent ``charge_reference``: Stripe's reason is
    always ``requested_by_customer``; the merchant's words go in its metadata,
    beside our refund's id (its key): a later ``charge.refund.updated`` names
    the refund by it even while our own record of Stripe's answer is not
    written yet, and recovery finds it by it (``find_refund``)."""
    params: dict[str, Any] = {
        "payment_intent": charge_reference,
        "amount": amount.amount,
        "reason": "requested_by_customer",
        "metadata": {
            "servefirst_reason": reason[:_METADATA_LONGEST],
            REFUND_KEY: idempotency_key,
        },
    }
    try:
        made = call(
            lambda: client.v1.refunds.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            )
        )
    except ProcessorUnavailable as refused:
        if isinstance(refused.__cause__, stripe.IdempotencyError):
            raise ProcessorKeyReused(
                "Stripe refused the refund's key: it was first used with other parameters"
                f" ({refused.__cause__.user_message})."
            ) from refused.__cause__
        if not isinstance(refused.__cause__, stripe.InvalidRequestError):
            raise  # unreachable: the refund stays pending, asked again later
        code = refused.__cause__.code or "refund_refused"
        return RefundResult(reference="", status="failed", failure_code=code)
    return _result(made)


def refunds_of(client: stripe.StripeClient, charge_reference: str) -> list[RefundAtProcessor]:
    """Every Refund of the PaymentIntent, as Stripe holds it now, oldest first."""
    listed = call(
        lambda: client.v1.refunds.list(params={"payment_intent": charge_reference, "limit": 100})
    )
    found = [_seen(refund) for refund in listed.auto_paging_iter()]
    return sorted(found, key=lambda refund: refund.created)


def find_refund(
    client: stripe.StripeClient, charge_reference: str, idempotency_key: str
) -> RefundResult | None:
    """The Refund made under our key (named in its metadata), as it is now;
    None when Stripe holds none: no call under the key ever made one."""
    for refund in refunds_of(client, charge_reference):
        if refund.key == idempotency_key:
            return _answer(refund.status, refund.reference, refund.failure)
    return None


def _seen(refund: Any) -> RefundAtProcessor:
    metadata = refund.metadata.to_dict() if refund.metadata is not None else {}
    key = metadata.get(REFUND_KEY)
    return RefundAtProcessor(
        reference=str(refund.id),
        amount=int(refund.amount or 0),
        status=str(refund.status or ""),
        failure=str(getattr(refund, "failure_reason", None) or "") or None,
        key=str(key) if key else None,
        created=int(getattr(refund, "created", 0) or 0),
    )


def _result(made: Any) -> RefundResult:
    return _answer(str(made.status or ""), str(made.id), getattr(made, "failure_reason", None))


def _answer(status: str, reference: str, failure: str | None) -> RefundResult:
    said = {"succeeded": "succeeded", "pending": "pending"}.get(status, "failed")
    code = None if said != "failed" else (failure or "refund_failed")
    return RefundResult(reference=reference, status=said, failure_code=code)

"""A refund made in Stripe's dashboard (booked when its ``charge.refunded``
event comes) is told to the customer as one made in the console is, once; a
refund servefirst made itself, echoed by the same event, is not told twice.
Against localstripe behind the test double, as test_stripe_refund_events."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from typing import Any

from servefirst.messages.transport import Transports, mailer_for
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from tests import delivery_servers
from tests.conftest import Merchant
from tests.delivery_servers import Mailbox
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_refund_emails import lines_of, refund_mails
from tests.integration.test_stripe_gateway import pay, post_event, reference_of
from tests.integration.test_stripe_refund_events import charge_refunded, refund_in_dashboard
from tests.stripe_double import StripeDouble

smtp_server = delivery_servers.smtp_server
# The Stripe merchant and the double in front of localstripe (fixtures).
localstripe_port = on_stripe.localstripe_port
stripe_double = on_stripe.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe


def deliver(runtime: Runtime, merchant: Merchant, smtp_url: str) -> None:
    Worker(runtime, transports=Transports(mailer_for(smtp_url)), merchants=[merchant.id]).drain()


def paid_at_stripe(cafe: Merchant, double: StripeDouble, email: str, amount: int) -> str:
    person = cafe.customer("Inês Rocha", email=email)
    tab = cafe.tab(person["id"])
    svc = cafe.service(price=amount)
    cafe.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    cafe.post(f"/v1/tabs/{tab['id']}/serve")
    paid = pay(cafe, tab["id"], double.payment_method())
    assert paid.status_code == 201, paid.text
    return str(paid.json()["id"])


def test_a_dashboard_refund_is_told_once_and_ours_echoed_by_stripe_is_not_told_twice(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    smtp_server: tuple[str, Mailbox],
) -> None:
    email = "ines.stripe@example.com"
    payment_id = paid_at_stripe(cafe, stripe_double, email, 900)
    intent_id = reference_of(stripe_runtime, cafe, payment_id)
    ours = cafe.post(
        f"/v1/payments/{payment_id}/refunds",
        {"amount": 400, "reason": "Cold soup"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert ours.status_code == 201 and ours.json()["status"] == "succeeded", ours.text
    stripe_refunds = [str(r.id) for r in stripe_double.client().v1.refunds.list().data]
    echoed = charge_refunded(stripe_double, intent_id, 400, stripe_refunds)
    assert post_event(cafe, *echoed).json()["outcome"] == "handled"
    deliver(stripe_runtime, cafe, smtp_server[0])
    [first] = refund_mails(smtp_server[1], email)
    assert "From the bill  €4.00" in lines_of(first) and "Reason: Cold soup" in lines_of(first)

    theirs = refund_in_dashboard(stripe_double, intent_id, 500)
    event = charge_refunded(stripe_double, intent_id, 900, [*stripe_refunds, theirs])
    assert post_event(cafe, *event).json()["outcome"] == "handled"
    assert post_event(cafe, *event).json()["outcome"] == "seen"
    deliver(stripe_runtime, cafe, smtp_server[0])
    mails: list[EmailMessage] = refund_mails(smtp_server[1], email)
    assert len(mails) == 2 and mails[0] is first
    lines = lines_of(mails[1])
    assert "From the bill  €5.00" in lines
    assert any(line.startswith("It goes back to the card ending ") for line in lines), lines
    # Where it was made is servefirst's note, not a reason given to the customer.
    assert not any(line.startswith("Reason:") for line in lines)
    kinds: list[Any] = [m["kind"] for m in cafe.get("/v1/messages").json()["data"]]
    assert kinds.count("refund") == 2

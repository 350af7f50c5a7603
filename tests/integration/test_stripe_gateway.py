"""A merchant on Stripe: its keys (write-only, sealed), payments and holds as
PaymentIntents, 3-D Secure, and Stripe's events (verified, once per id, in any
order), against localstripe behind the test double (tests/stripe_double.py says
which behaviour is the double's)."""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from servefirst.app import create_app
from servefirst.kit.errors import CardDeclined
from servefirst.kit.money import Money
from servefirst.merchants.service import create_merchant
from servefirst.payments.accounts import ensure_keys_can_open
from servefirst.payments.gateways import default_gateways
from servefirst.payments.models import GatewayAccount, ProcessorEvent
from servefirst.payments.stripe_gateway import StripeGateway
from servefirst.runtime import Runtime
from tests import stripe_double as double
from tests.conftest import Merchant
from tests.stripe_double import TEST_SECRET_KEY, StripeDouble, sign

localstripe_port = double.localstripe_port  # localstripe, for the session (a fixture)
stripe_double = double.stripe_double  # the proxy in front of it, per test (a fixture)

SERVER_SECRET = "a-server-secret-for-the-tests"
WEBHOOK_SECRET = "whsec_servefirst_tests_only"
#: localstripe's cards: 0341 is declined when charged, 3184 asks for 3-D Secure.
DECLINED = "4000000000000341"
NEEDS_3DS = "4000002760003184"


@pytest.fixture
def stripe_runtime(runtime: Runtime, stripe_double: StripeDouble) -> Runtime:
    gateways = default_gateways(secret_key=SERVER_SECRET, stripe_api_base=stripe_double.api_base)
    return dataclasses.replace(runtime, gateways=gateways)


@pytest.fixture
def stripe_client(stripe_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(stripe_runtime), raise_server_exceptions=False) as client:
        yield client


def _merchant(runtime: Runtime, client: TestClient) -> Merchant:
    with runtime.uow() as uow:
        created = create_merchant(uow, name="Café Azul", currency="EUR")
        uow.commit()
    return Merchant(created.merchant.merchant_id, created.api_key, client)


KEYS = {
    "gateway": "stripe",
    "secret_key": TEST_SECRET_KEY,
    "publishable_key": "pk_test_servefirst",
    "webhook_secret": WEBHOOK_SECRET,
}


@pytest.fixture
def cafe(stripe_runtime: Runtime, stripe_client: TestClient) -> Merchant:
    """A merchant that takes cards through Stripe."""
    cafe = _merchant(stripe_runtime, stripe_client)
    chosen = cafe.post("/v1/merchant/gateway", KEYS)
    assert chosen.status_code == 200, chosen.text
    return cafe


def pay(cafe: Merchant, tab_id: str, pm: str, **body: Any) -> Any:
    return cafe.post(
        f"/v1/tabs/{tab_id}/payments",
        {"method": "card", "payment_method": pm, **body},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )


def post_event(cafe: Merchant, payload: bytes, signature: str) -> Any:
    return cafe.client.post(
        f"/v1/webhooks/stripe/{cafe.id}",
        content=payload,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )


def intent_event(double: StripeDouble, type_: str, intent_id: str) -> tuple[bytes, str]:
    intent = double.intent(intent_id).to_dict()
    return double.signed_event(type_, intent, WEBHOOK_SECRET)


def payments_of(cafe: Merchant, tab_id: str) -> list[dict[str, Any]]:
    return cafe.get(f"/v1/tabs/{tab_id}/payments?status=all").json()["data"]  # type: ignore[no-any-return]


def reference_of(runtime: Runtime, cafe: Merchant, payment_id: str) -> str:
    from servefirst.payments.models import Payment

    with runtime.uow(cafe.id, write=False) as uow:
        ref = uow.session.scalars(
            select(Payment.gateway_reference).where(
                Payment.merchant_id == cafe.id, Payment.payment_id == payment_id
            )
        ).one()
    return str(ref)


# --- the merchant's keys ------------------------------------------------------------------


def test_the_keys_are_write_only_and_sealed_at_rest(
    stripe_runtime: Runtime, stripe_client: TestClient
) -> None:
    cafe = _merchant(stripe_runtime, stripe_client)
    assert cafe.get("/v1/merchant/gateway").json() == {
        "object": "gateway",
        "gateway": "sandbox",
        "publishable_key": None,
        "configured": True,
    }
    answer = cafe.post("/v1/merchant/gateway", KEYS)
    assert answer.status_code == 200, answer.text
    expected = {
        "object": "gateway",
        "gateway": "stripe",
        "publishable_key": "pk_test_servefirst",
        "configured": True,
    }
    assert answer.json() == expected
    assert cafe.get("/v1/merchant/gateway").json() == expected
    assert TEST_SECRET_KEY not in answer.text and WEBHOOK_SECRET not in answer.text
    with stripe_runtime.uow(cafe.id, write=False) as uow:
        row = uow.session.get(GatewayAccount, cafe.id)
        assert row is not None and row.secret_key_sealed and row.webhook_secret_sealed
        assert TEST_SECRET_KEY not in row.secret_key_sealed
        assert WEBHOOK_SECRET not in row.webhook_secret_sealed
        assert stripe_runtime.gateways.sealer.open(row.secret_key_sealed) == TEST_SECRET_KEY


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"secret_key": None}, "secret_key"),
        ({"secret_key": "pk_test_wrong_kind"}, "secret_key"),
        ({"publishable_key": "sk_test_wrong_kind"}, "publishable_key"),
        ({"webhook_secret": ""}, "webhook_secret"),
        ({"publishable_key": "pk_live_from_the_live_dashboard"}, "publishable_key"),
    ],
)
def test_stripe_without_its_keys_is_refused_and_nothing_changes(
    stripe_runtime: Runtime, stripe_client: TestClient, change: dict[str, Any], param: str
) -> None:
    cafe = _merchant(stripe_runtime, stripe_client)
    refused = cafe.post("/v1/merchant/gateway", {**KEYS, **change})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["param"] == param
    assert cafe.get("/v1/merchant/gateway").json()["gateway"] == "sandbox"


def test_keys_pasted_with_a_line_break_are_kept_without_it(
    stripe_runtime: Runtime, stripe_client: TestClient
) -> None:
    cafe = _merchant(stripe_runtime, stripe_client)
    pasted = {k: f" {v}\n" if k != "gateway" else v for k, v in KEYS.items()}
    answer = cafe.post("/v1/merchant/gateway", pasted)
    assert answer.status_code == 200, answer.text
    assert answer.json()["publishable_key"] == "pk_test_servefirst"
    with stripe_runtime.uow(cafe.id, write=False) as uow:
        row = uow.session.get(GatewayAccount, cafe.id)
        assert row is not None and row.secret_key_sealed
        assert stripe_runtime.gateways.sealer.open(row.secret_key_sealed) == TEST_SECRET_KEY


def test_without_a_server_secret_stripe_is_refused_and_startup_says_why(
    runtime: Runtime, client: TestClient, stripe_runtime: Runtime, stripe_client: TestClient
) -> None:
    # ``runtime`` has no SERVEFIRST_SECRET_KEY.
    plain = _merchant(runtime, client)
    refused = plain.post("/v1/merchant/gateway", KEYS)
    assert refused.status_code == 500
    assert refused.json()["error"]["code"] == "secret_key_missing"
    assert plain.get("/v1/merchant/gateway").json()["gateway"] == "sandbox"
    _merchant(stripe_runtime, stripe_client).post("/v1/merchant/gateway", KEYS)
    with pytest.raises(SystemExit, match="SERVEFIRST_SECRET_KEY"):
        ensure_keys_can_open(runtime.engine, None)
    ensure_keys_can_open(runtime.engine, SERVER_SECRET)


def test_a_server_started_with_another_secret_than_the_keys_were_sealed_with_says_why(
    stripe_runtime: Runtime, stripe_client: TestClient
) -> None:
    """A typo'd or rotated SERVEFIRST_SECRET_KEY: the server refuses to start,
    naming the variable, instead of answering every card payment with a 500."""
    _merchant(stripe_runtime, stripe_client).post("/v1/merchant/gateway", KEYS)
    with pytest.raises(SystemExit, match="not the value .* were sealed with"):
        ensure_keys_can_open(stripe_runtime.engine, SERVER_SECRET + "-typo")
    ensure_keys_can_open(stripe_runtime.engine, SERVER_SECRET)


# --- payments -----------------------------------------------------------------------------


def test_a_card_payment_is_a_payment_intent_captured_at_once_keyed_by_our_attempt(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    tab = cafe.served_tab(1200)
    paid = pay(cafe, tab["id"], stripe_double.payment_method(), tip=150)
    assert paid.status_code == 201, paid.text
    body = paid.json()
    assert (body["status"], body["card_last4"], body["tab"]["status"]) == (
        "succeeded",
        "4242",
        "paid",
    )
    assert body["client_secret"] is None
    intent = stripe_double.intent(reference_of(stripe_runtime, cafe, body["id"]))
    assert (intent.status, intent.amount, intent.currency) == ("succeeded", 1350, "eur")
    assert intent.capture_method == "automatic"
    key = intent.metadata["servefirst_attempt"]
    assert stripe_double.keys_sent() == [key]
    assert cafe.balances()["card_clearing"] == 1350


def test_the_customer_pays_on_their_page_with_a_payment_method(
    cafe: Merchant, stripe_double: StripeDouble
) -> None:
    tab = cafe.served_tab(900)
    paid = cafe.client.post(
        f"/v1/public/tabs/{tab['token']}/pay",
        json={"payment_method": stripe_double.payment_method(), "tip": 100},
    )
    assert paid.status_code == 201, paid.text
    assert paid.json()["tab"]["status"] == "paid"


def test_a_card_number_sent_to_a_stripe_merchant_is_refused(
    cafe: Merchant, stripe_double: StripeDouble
) -> None:
    tab = cafe.served_tab(900)
    for path, body in (
        (f"/v1/tabs/{tab['id']}/payments", {"method": "card", "card": "4242424242424242"}),
        (f"/v1/public/tabs/{tab['token']}/pay", {"card": "4242424242424242"}),
    ):
        refused = cafe.post(path, body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["param"] == "card"
    missing = cafe.post(f"/v1/tabs/{tab['id']}/payments", {"method": "card"})
    assert missing.status_code == 422
    assert missing.json()["error"]["param"] == "payment_method"
    assert stripe_double.keys_sent() == []
    assert cafe.get(f"/v1/tabs/{tab['id']}").json()["status"] == "served"


def test_a_declined_card_is_402_and_nothing_is_kept(
    cafe: Merchant, stripe_double: StripeDouble
) -> None:
    tab = cafe.served_tab(900)
    declined = pay(cafe, tab["id"], stripe_double.payment_method(DECLINED))
    assert declined.status_code == 402, declined.text
    assert declined.json()["error"]["type"] == "card_error"
    assert cafe.get(f"/v1/tabs/{tab['id']}").json()["status"] == "served"
    # The attempt is kept, failed, with the card's reason.
    [failed] = payments_of(cafe, tab["id"])
    assert (failed["status"], failed["failure_code"]) == ("failed", "card_declined")


def test_a_lost_answer_is_retried_with_the_same_key_and_charges_once(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    """The double drops the first answer; the library retries with the same
    Idempotency-Key and the double replays Stripe's answer (as Stripe does)."""
    tab = cafe.served_tab(700)
    pm = stripe_double.payment_method()
    stripe_double.lose_next_answer = True
    paid = pay(cafe, tab["id"], pm)
    assert paid.status_code == 201, paid.text
    calls = [c for c in stripe_double.calls if c.path.startswith("/v1/payment_intents")]
    assert len(calls) == 2 and calls[0].idempotency_key == calls[1].idempotency_key
    assert calls[1].replayed


# --- 3-D Secure and Stripe's events -------------------------------------------------------


def test_3d_secure_answers_pending_and_the_event_settles_it_once_in_any_order(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    tab = cafe.served_tab(1000)
    pending = pay(cafe, tab["id"], stripe_double.payment_method(NEEDS_3DS), tip=100)
    assert pending.status_code == 201, pending.text
    body = pending.json()
    assert body["status"] == "pending" and body["client_secret"]
    assert body["tab"]["status"] == "served"
    assert cafe.balances().get("card_clearing", 0) == 0
    intent_id = reference_of(stripe_runtime, cafe, body["id"])
    # What Stripe.js does in the payer's browser: localstripe's 3-D Secure step.
    _authenticate(stripe_double, intent_id, body["client_secret"])
    succeeded = intent_event(stripe_double, "payment_intent.succeeded", intent_id)
    # A late "failed" event from an earlier try, delivered after the success.
    failed = intent_event(stripe_double, "payment_intent.payment_failed", intent_id)
    first = post_event(cafe, *succeeded)
    assert first.status_code == 200, first.text
    assert first.json()["outcome"] == "handled"
    assert post_event(cafe, *succeeded).json()["outcome"] == "seen"
    assert post_event(cafe, *failed).json()["outcome"] == "handled"
    assert cafe.get(f"/v1/tabs/{tab['id']}").json()["status"] == "paid"
    assert [p["status"] for p in payments_of(cafe, tab["id"])] == ["succeeded"]
    assert cafe.balances()["card_clearing"] == 1100


def _authenticate(double: StripeDouble, intent_id: str, client_secret: str) -> None:
    import http.client
    import urllib.parse

    host = double.api_base.removeprefix("http://")
    conn = http.client.HTTPConnection(host, timeout=10)
    conn.request(
        "POST",
        f"/v1/payment_intents/{intent_id}/_authenticate",
        body=urllib.parse.urlencode(
            {"client_secret": client_secret, "success": "true", "key": "pk_test_servefirst"}
        ),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    answer = conn.getresponse()
    assert answer.status == 200, answer.read()
    conn.close()


@pytest.mark.parametrize("event_type", ["payment_intent.payment_failed", "payment_intent.canceled"])
def test_a_pending_payment_that_fails_is_kept_failed_and_the_tab_still_owed(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, event_type: str
) -> None:
    tab = cafe.served_tab(1000)
    pending = pay(cafe, tab["id"], stripe_double.payment_method(NEEDS_3DS)).json()
    intent_id = reference_of(stripe_runtime, cafe, pending["id"])
    stripe_double.client().v1.payment_intents.cancel(intent_id)
    event = intent_event(stripe_double, event_type, intent_id)
    assert post_event(cafe, *event).json()["outcome"] == "handled"
    assert post_event(cafe, *event).json()["outcome"] == "seen"
    assert [p["status"] for p in payments_of(cafe, tab["id"])] == ["failed"]
    assert cafe.get(f"/v1/tabs/{tab['id']}").json()["status"] == "served"
    # The tab can still be paid another way.
    assert cafe.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"}).status_code == 201


def test_a_bad_signature_is_400_and_changes_nothing(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    tab = cafe.served_tab(1000)
    pending = pay(cafe, tab["id"], stripe_double.payment_method(NEEDS_3DS)).json()
    intent_id = reference_of(stripe_runtime, cafe, pending["id"])
    _authenticate(stripe_double, intent_id, pending["client_secret"])
    payload, _ = intent_event(stripe_double, "payment_intent.succeeded", intent_id)
    for signature in (
        sign(payload, "whsec_someone_else"),
        sign(payload, WEBHOOK_SECRET, at=int(time.time()) - 301),  # older than 300 s
        "t=1,v1=00",
        "",
    ):
        refused = post_event(cafe, payload, signature)
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["code"] == "signature_invalid"
    tampered = payload.replace(b'"amount": 1000', b'"amount": 1')
    assert post_event(cafe, tampered, sign(payload, WEBHOOK_SECRET)).status_code == 400
    assert [p["status"] for p in payments_of(cafe, tab["id"])] == ["pending"]
    with stripe_runtime.uow(cafe.id, write=False) as uow:
        seen = uow.session.scalars(
            select(ProcessorEvent).where(ProcessorEvent.merchant_id == cafe.id)
        ).all()
        assert seen == []
    # The same event, rightly signed, is then handled.
    assert post_event(cafe, payload, sign(payload, WEBHOOK_SECRET)).status_code == 200
    assert cafe.get(f"/v1/tabs/{tab['id']}").json()["status"] == "paid"


def test_events_for_a_sandbox_merchant_are_404(
    stripe_runtime: Runtime, stripe_client: TestClient, stripe_double: StripeDouble
) -> None:
    plain = _merchant(stripe_runtime, stripe_client)
    payload, signature = stripe_double.signed_event("charge.refunded", {}, WEBHOOK_SECRET)
    assert post_event(plain, payload, signature).status_code == 404


def test_a_refund_made_at_stripe_is_kept_as_seen(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    """The event is kept once (what it books: tests/integration/test_stripe_refund_events.py)."""
    tab = cafe.served_tab(800)
    paid = pay(cafe, tab["id"], stripe_double.payment_method()).json()
    intent_id = reference_of(stripe_runtime, cafe, paid["id"])
    charge = {"id": "ch_x", "object": "charge", "payment_intent": intent_id, "amount_refunded": 800}
    event = stripe_double.signed_event("charge.refunded", charge, WEBHOOK_SECRET)
    assert post_event(cafe, *event).json()["outcome"] == "handled"
    assert post_event(cafe, *event).json()["outcome"] == "seen"
    assert cafe.get(f"/v1/tabs/{tab['id']}").json()["status"] == "paid"


def test_a_dispute_is_shown_and_counts_in_trust_only_when_marked_lost(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    tab = cafe.served_tab(800)
    paid = pay(cafe, tab["id"], stripe_double.payment_method()).json()
    intent_id = reference_of(stripe_runtime, cafe, paid["id"])
    dispute = {
        "id": "dp_" + uuid.uuid4().hex[:14],
        "object": "dispute",
        "charge": "ch_" + uuid.uuid4().hex[:14],
        "payment_intent": intent_id,
        "amount": 800,
        "currency": "eur",
        "reason": "fraudulent",
        "status": "needs_response",
    }
    event = stripe_double.signed_event("charge.dispute.created", dispute, WEBHOOK_SECRET)
    assert post_event(cafe, *event).json()["outcome"] == "handled"
    # Delivered again under another event id: still one dispute.
    again = stripe_double.signed_event("charge.dispute.created", dispute, WEBHOOK_SECRET)
    assert post_event(cafe, *again).json()["outcome"] == "handled"
    listed = cafe.get("/v1/disputes").json()["data"]
    assert [(d["id"], d["payment_id"], d["status"], d["reason"]) for d in listed] == [
        (dispute["id"], paid["id"], "open", "fraudulent")
    ]
    history = f"/v1/customers/{tab['customer_id']}/trust/history"
    before = [e["event"] for e in cafe.get(history).json()["data"]]
    assert "write_offs" not in before
    lost = cafe.post(f"/v1/disputes/{dispute['id']}/lost")
    assert lost.status_code == 200, lost.text
    assert lost.json()["status"] == "lost"
    assert cafe.post(f"/v1/disputes/{dispute['id']}/lost").status_code == 200
    after = [e["event"] for e in cafe.get(history).json()["data"]]
    assert after.count("write_offs") == 1
    unknown = cafe.post("/v1/disputes/dp_nope/lost")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "dispute_not_found"


# --- holds: the gateway itself ------------------------------------------------------------


def test_a_hold_is_a_manual_capture_intent_captured_with_the_tip_or_cancelled(
    stripe_double: StripeDouble,
) -> None:
    gateway = StripeGateway(TEST_SECRET_KEY, api_base=stripe_double.api_base)
    now = datetime.now(UTC)
    pm = stripe_double.payment_method()
    hold = gateway.authorize(Money(3000, "EUR"), payment_method=pm, idempotency_key="h1", now=now)
    intent = stripe_double.intent(hold.reference)
    assert (intent.status, intent.capture_method, intent.amount) == (
        "requires_capture",
        "manual",
        3000,
    )
    captured = gateway.capture(hold, Money(2750, "EUR"), idempotency_key="c1", now=now)
    assert captured.reference == hold.reference
    assert stripe_double.intent(hold.reference).status == "succeeded"
    with pytest.raises(CardDeclined):
        gateway.capture(hold, Money(3001, "EUR"), idempotency_key="c2", now=now)
    other = gateway.authorize(Money(1000, "EUR"), payment_method=pm, idempotency_key="h2", now=now)
    gateway.release(other)
    assert stripe_double.intent(other.reference).status == "canceled"
    # The capture named on the hold by its key first (what recovery asks by).
    assert stripe_double.keys_sent()[:3] == ["h1", "c1_named", "c1"]
    assert gateway.find_charge("c1") is not None and gateway.find_charge("h2") is None


def test_after_a_crash_stripe_is_asked_by_the_attempt_never_charged_again(
    stripe_double: StripeDouble,
) -> None:
    gateway = StripeGateway(TEST_SECRET_KEY, api_base=stripe_double.api_base)
    key = "pay_" + uuid.uuid4().hex
    made = gateway.charge(
        Money(1200, "EUR"),
        card=None,
        payment_method=stripe_double.payment_method(),
        idempotency_key=key,
    )
    charges_before = len(stripe_double.keys_sent())
    found = gateway.find_charge(key)
    assert found is not None and found.reference == made.reference
    assert found.card_last4 == "4242"
    assert gateway.find_charge("pay_" + uuid.uuid4().hex) is None
    assert len(stripe_double.keys_sent()) == charges_before  # only reads


# --- the customer's page ------------------------------------------------------------------


def test_the_customer_page_on_stripe_asks_stripe_js_for_the_card(
    cafe: Merchant, stripe_client: TestClient, tmp_path: Any
) -> None:
    from tests.integration.test_html_valid import install_vnu, vnu_errors

    tab = cafe.served_tab(900)
    page = stripe_client.get(f"/t/{tab['token']}")
    assert page.status_code == 200
    assert 'id="card-element"' in page.text and 'name="card"' not in page.text
    assert '<script src="/static/stripe-card.js" defer></script>' in page.text
    assert "Test mode" not in page.text
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]
    assert "script-src 'self' https://js.stripe.com" in page.headers["content-security-policy"]
    install_vnu()
    assert vnu_errors({"customer-stripe": page.text}, tmp_path) == []
    in_portuguese = stripe_client.get(
        f"/t/{tab['token']}", headers={"Accept-Language": "pt-PT,pt;q=0.9"}
    ).text
    assert '<p class="label" id="card-label">Cartão</p>' in in_portuguese
    assert "Pagar com cartão aqui requer JavaScript" in in_portuguese
    # stripe-card.js's own words, handed over in the page's language.
    assert 'data-words-not-accepted="O cartão não foi aceite. Tente de novo."' in in_portuguese
    assert vnu_errors({"customer-stripe-pt": in_portuguese}, tmp_path) == []
    setup = stripe_client.post(f"/t/{tab['token']}/card-setup")
    assert setup.status_code == 200 and setup.json()["client_secret"].startswith("seti_")
    assert stripe_client.post("/t/mer_nope.nope/card-setup").status_code == 404


def test_the_sandbox_page_says_test_mode_and_asks_for_no_stripe_js(
    stripe_runtime: Runtime, stripe_client: TestClient
) -> None:
    plain = _merchant(stripe_runtime, stripe_client)
    tab = plain.served_tab(900)
    page = stripe_client.get(f"/t/{tab['token']}")
    assert "Test mode: no real money" in page.text
    assert "stripe-card.js" not in page.text
    assert "js.stripe.com" not in page.headers["content-security-policy"]
    assert stripe_client.post(f"/t/{tab['token']}/card-setup").status_code == 404


def test_recover_finishes_a_stripe_attempt_a_crash_left_by_asking_stripe(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    """Killed between Stripe's charge and our outcome: recovery asks Stripe by
    the attempt's id and books the one charge; an attempt Stripe never saw fails."""
    from servefirst.payments import phases
    from servefirst.payments.recovery import recover
    from servefirst.payments.service import begin_payment

    charged_tab, lost_tab = cafe.served_tab(1100), cafe.served_tab(600)
    attempts = []
    for tab in (charged_tab, lost_tab):
        with stripe_runtime.uow(cafe.id) as uow:
            step = begin_payment(
                uow,
                tab["id"],
                method="card",
                amount=None,
                payment_method=stripe_double.payment_method(),
            )
            uow.commit()
        assert isinstance(step, phases.CardAttempt)
        attempts.append(step)
    phases.call_processor(stripe_runtime.gateways, attempts[0])  # then the crash
    done = recover(stripe_runtime, grace_seconds=0)
    assert attempts[0].payment_id in done.succeeded
    assert attempts[1].payment_id in done.failed
    assert cafe.get(f"/v1/tabs/{charged_tab['id']}").json()["status"] == "paid"
    assert cafe.get(f"/v1/tabs/{lost_tab['id']}").json()["status"] == "served"
    creates = [k for k in stripe_double.keys_sent() if k == attempts[0].processor_key]
    assert len(creates) == 1  # asked, never charged again


def test_a_stripe_payment_is_refunded_through_stripe_with_the_reason_kept(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    tab = cafe.served_tab(1000)
    paid = pay(cafe, tab["id"], stripe_double.payment_method(), tip=100).json()
    refunded = cafe.post(
        f"/v1/payments/{paid['id']}/refunds",
        {"amount": 400, "reason": "The second coffee was cold"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert refunded.status_code == 201, refunded.text
    body = refunded.json()
    assert (body["status"], body["amount"], body["tip"]) == ("succeeded", 400, 0)
    [call] = [c for c in stripe_double.calls if c.path == "/v1/refunds"]
    assert call.idempotency_key == body["id"]  # the refund's id is Stripe's key
    intent_id = reference_of(stripe_runtime, cafe, paid["id"])
    refunds = stripe_double.client().v1.refunds.list(params={"limit": 100}).data
    [made] = [r for r in refunds if r.payment_intent == intent_id]
    assert made.amount == 400
    # Our refund's id beside the reason: a later charge.refund.updated names it.
    assert made.metadata.to_dict() == {
        "servefirst_reason": "The second coffee was cold",
        "servefirst_refund": body["id"],
    }
    assert cafe.balances()["refunds"] == 400

"""The owner of a Lisbon café (its console in Portuguese) goes live with Stripe
on a phone (390x844) in a real Chromium: reads the webhook address to paste
into Stripe, pastes a test publishable key beside a live secret key and is
told so beside the field, mends it, and later goes back to the sandbox. Every
screen fits the phone, axe finds nothing serious, and no secret is ever in
the page."""

from __future__ import annotations

from typing import Any

import pytest

from servefirst.runtime import Runtime
from tests import stripe_double as double
from tests.conftest import PUBLIC_URL, Merchant
from tests.e2e.conftest import PHONE, Screenshot
from tests.e2e.test_accessibility import context_at, violations  # noqa: F401
from tests.e2e.test_back_office_phone import _fits_the_phone, _signed_in

pytestmark = pytest.mark.browser

SECRET_KEY = "sk_live_51CafeAzulSecretKeyQ7x9"
SIGNING_SECRET = "whsec_CafeAzulSigningSecretM3k8"


#: The live server has its SERVEFIRST_SECRET_KEY (the session's runtime has
#: none); no merchant is left on Stripe afterwards (a fixture).
keeps_keys = double.keeps_stripe_keys


def test_an_owner_goes_live_with_stripe_on_a_phone_in_portuguese(
    keeps_keys: Runtime,
    context_at: Any,  # noqa: F811
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    screenshot: Screenshot,
) -> None:
    page, base = context_at(PHONE), live_server  # axe may run (past the CSP)
    changed = live_merchant.post("/v1/merchant", {"timezone": "Europe/Lisbon", "locale": "pt_PT"})
    assert changed.status_code == 200, changed.text
    _signed_in(page, base, runtime, live_merchant, "owner")

    # Found in the menu, on the sandbox.
    page.get_by_role("navigation").get_by_role("link", name="Pagamentos com cartão").click()
    page.wait_for_url("**/staff/settings/payments")
    assert "Modo de teste: sem dinheiro real." in page.locator("#in-force").inner_text()
    url = page.locator("#webhook-url")
    assert url.inner_text() == f"{PUBLIC_URL}/v1/webhooks/stripe/{live_merchant.id}"
    assert url.is_visible()
    _fits_the_phone(page)
    assert violations(page) == []

    # A test publishable key beside a live secret key: said by the field, in Portuguese.
    page.get_by_label("Chave publicável").fill("pk_test_51CafeAzul")
    page.get_by_label("Chave secreta").fill(SECRET_KEY)
    page.get_by_label("Segredo de assinatura do webhook").fill(SIGNING_SECRET)
    page.get_by_role("button", name="Guardar e cobrar cartões pela Stripe").click()
    error = page.locator("#publishable_key-error")
    error.wait_for()
    assert error.inner_text().startswith("Esta é uma chave de teste, mas a chave secreta")
    box = error.bounding_box()
    assert box is not None and 0 <= box["y"] < PHONE["height"]  # the answer opens at the form
    assert page.get_by_label("Chave publicável").input_value() == "pk_test_51CafeAzul"
    assert page.get_by_label("Chave secreta").input_value() == ""  # never given back
    assert SECRET_KEY not in page.content() and SIGNING_SECRET not in page.content()
    _fits_the_phone(page)
    assert violations(page) == []

    # Mended: live keys both, the secrets pasted again.
    page.get_by_label("Chave publicável").fill("pk_live_51CafeAzulPublishable0001")
    page.get_by_label("Chave secreta").fill(SECRET_KEY)
    page.get_by_label("Segredo de assinatura do webhook").fill(SIGNING_SECRET)
    page.get_by_role("button", name="Guardar e cobrar cartões pela Stripe").click()
    page.wait_for_url("**/staff/settings/payments?done=stripe#in-force")
    notice = page.get_by_role("status")
    assert notice.inner_text() == "Guardado: os cartões são cobrados através da Stripe."
    box = notice.bounding_box()
    assert box is not None and 0 <= box["y"] < PHONE["height"]  # seen without scrolling
    assert "chaves de produção" in page.locator("#in-force").inner_text()
    assert live_merchant.get("/v1/merchant/gateway").json()["gateway"] == "stripe"
    assert SECRET_KEY not in page.content() and SIGNING_SECRET not in page.content()
    _fits_the_phone(page)
    assert violations(page) == []
    screenshot(page, "staff-card-payments-live-phone-pt")

    # Back to the sandbox: asked to confirm first.
    page.get_by_label("Deixar de cobrar cartões reais").check()
    page.get_by_role("button", name="Mudar para o ambiente de testes").click()
    page.wait_for_url("**/staff/settings/payments?done=sandbox#in-force")
    assert "Modo de teste: sem dinheiro real." in page.locator("#in-force").inner_text()
    assert live_merchant.get("/v1/merchant/gateway").json()["gateway"] == "sandbox"

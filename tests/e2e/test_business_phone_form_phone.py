"""Café Azul's owner gives the business's phone number in the console's
settings on a 375 px phone, in English and in Portuguese: a number mistyped
comes back as typed, the field marked and the refusal said right below it,
in view and inside the screen; a good number is saved."""

from __future__ import annotations

from typing import Any

import pytest

from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.e2e.conftest import Screenshot
from tests.e2e.test_accessibility import context_at, violations
from tests.e2e.test_back_office_phone import _signed_in

pytestmark = pytest.mark.browser
__all__ = ["context_at"]  # a fixture, used by name

NARROW = {"width": 375, "height": 667}
MISTYPED = "21 000 0000 ext. 5"
#: The field's label, the refusal's first words, the button, the notice once saved.
WORDS = {
    "en": ("Phone number", "Write the phone number in digits", "Save the phone number", "Saved:"),
    "pt_PT": (
        "Número de telefone",
        "Escreva o número de telefone em algarismos",
        "Guardar o número de telefone",
        "Guardado:",
    ),
}


@pytest.mark.parametrize("locale", sorted(WORDS))
def test_the_owner_of_cafe_azul_mistypes_the_number_on_a_phone(
    context_at: Any,
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    screenshot: Screenshot,
    locale: str,
) -> None:
    label, refusal, button, saved = WORDS[locale]
    if locale != "en":
        assert live_merchant.post("/v1/merchant", {"locale": locale}).status_code == 200
    page = context_at(NARROW)
    _signed_in(page, live_server, runtime, live_merchant, "owner")
    page.goto(f"{live_server}/staff/settings")
    field = page.get_by_label(label)
    field.fill(MISTYPED)
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()

    field = page.get_by_label(label)
    assert field.input_value() == MISTYPED
    assert field.get_attribute("aria-invalid") == "true"
    said = page.locator("#phone-error")
    assert said.inner_text().startswith(refusal)
    assert said.is_visible() and field.is_visible()
    box, below = field.bounding_box(), said.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"], box
    assert below["x"] + below["width"] <= NARROW["width"], below
    # Said beside the field: below it, above the button, and in view.
    assert below["y"] > box["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    assert page.evaluate("document.activeElement.id") == "phone"
    assert violations(page) == []
    screenshot(page, f"business-phone-refused-{locale}")

    # Hyphens with no digit are no number either. The field has no ``pattern``:
    # the browser sends what was typed and the server says why, in the page's words.
    page.get_by_label(label).fill("---")
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    assert page.locator("#phone-error").inner_text().startswith(refusal)
    assert page.get_by_label(label).input_value() == "---"
    assert live_merchant.get("/v1/merchant").json()["phone"] is None

    field = page.get_by_label(label)
    field.fill("+351 210 000 101")
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text=saved).is_visible()
    assert page.get_by_label(label).input_value() == "+351 210 000 101"
    assert live_merchant.get("/v1/merchant").json()["phone"] == "+351 210 000 101"

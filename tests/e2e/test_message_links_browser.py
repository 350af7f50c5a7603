"""The messages as their readers meet them in Chromium on a phone (390x844):
the links the e-mails carry land on what their words promise, ready to use;
the owner mends a refused message setting (a day with a decimal among them)
and turns a disabled endpoint back on, in English and Portuguese, on pages
that fit and that axe finds clean."""

from __future__ import annotations

from typing import Any

import pytest

from servefirst.runtime import Runtime
from servefirst.webhooks import service as webhooks
from servefirst.webhooks.models import WebhookEndpoint
from tests.conftest import Merchant
from tests.e2e.conftest import PHONE
from tests.e2e.test_accessibility import context_at, violations
from tests.e2e.test_back_office_phone import _fits_the_phone, _signed_in

pytestmark = pytest.mark.browser
context_at = context_at  # a fixture: a page of a context axe may run in


def test_the_reminder_s_something_not_right_link_opens_the_concern_form(
    live_server: str, live_merchant: Merchant, phone_page: Any
) -> None:
    tab = live_merchant.served_tab(900)
    # The link as the reminders write it (messages.compose: concern_url).
    phone_page.goto(f"{live_server}/t/{tab['token']}#concern")
    reason = phone_page.locator("#reason")
    reason.wait_for(state="visible")
    box = reason.bounding_box()
    assert box is not None and 0 <= box["y"] < phone_page.viewport_size["height"]


@pytest.mark.parametrize("locale", ["en_GB", "pt_PT"])
def test_an_owner_mends_a_refused_setting_and_enables_an_endpoint_on_a_phone(
    locale: str, live_server: str, live_merchant: Merchant, context_at: Any, runtime: Runtime
) -> None:
    page, base = context_at(PHONE), live_server  # a phone, letting axe in
    assert live_merchant.post("/v1/merchant", {"locale": locale}).status_code == 200
    created = live_merchant.post(
        "/v1/webhook-endpoints", {"url": "https://hooks.example.com/in", "events": ["*"]}
    ).json()
    with runtime.uow(live_merchant.id) as uow:  # as the worker leaves it after 5 days
        endpoint = uow.session.get(WebhookEndpoint, (live_merchant.id, created["id"]))
        assert endpoint is not None
        endpoint.status, endpoint.disabled_reason = "disabled", webhooks.FAILING
        uow.commit()
    _signed_in(page, base, runtime, live_merchant, "owner")
    pt = locale == "pt_PT"
    # Told where the console opens.
    assert page.get_by_role(
        "link", name="Ative-o de novo em Mensagens" if pt else "Enable it again in Messages"
    ).is_visible()
    page.goto(f"{base}/staff/messages")
    _fits_the_phone(page)
    assert violations(page) == []
    # Overdue on day 3 leaves no room for the reminders on days 1, 3 and 7.
    page.get_by_label("Em atraso no dia" if pt else "Overdue on day").fill("3")
    page.get_by_role("button", name="Guardar definições" if pt else "Save settings").click()
    error = page.locator("#settings-error")
    error.wait_for()
    assert ("Indique os dias" if pt else "Give the days") in error.inner_text()
    box = error.bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"]  # not at the top
    assert page.get_by_label("Em atraso no dia" if pt else "Overdue on day").input_value() == "3"
    _fits_the_phone(page)
    assert violations(page) == []
    # One and a half days, as each language writes it: refused, never read as days 1 and 5.
    page.get_by_label("Em atraso no dia" if pt else "Overdue on day").fill("14")
    days = page.locator("#reminder_days")
    hint = page.locator("#reminder-days-hint")
    assert ("ponto e vírgula" if pt else "commas or spaces") in hint.inner_text()
    days.fill("1,5" if pt else "1.5")
    page.get_by_role("button", name="Guardar definições" if pt else "Save settings").click()
    page.locator("#reminder_days[aria-invalid=true]").wait_for()
    said = page.locator("#settings-error").inner_text()
    assert ("dias inteiros" if pt else "whole days") in said
    assert days.input_value() == ("1,5" if pt else "1.5")
    assert live_merchant.get("/v1/merchant/messages").json()["reminder_days"] == [1.0, 3.0, 7.0]
    _fits_the_phone(page)
    assert violations(page) == []
    page.get_by_role("button", name="Ativar de novo" if pt else "Enable again").click()
    page.wait_for_url("**/staff/messages?enabled=1*")
    [listed] = live_merchant.get("/v1/webhook-endpoints").json()["data"]
    assert listed["status"] == "enabled"

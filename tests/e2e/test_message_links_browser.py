"""The links the e-mails carry, followed in Chromium on a phone (390x844):
each lands on what its words promise, ready to use."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Merchant

pytestmark = pytest.mark.browser


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

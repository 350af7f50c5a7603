"""A refund that went through and then came back from the customer's bank,
on a 375 px phone in English and Portuguese: the console's Messages page
names the customer's word of it, says it will not be sent once the business
refunded the money again, and then that it was not, with why; its settings
list the kind to turn off. Nothing wider than the screen, no serious
accessibility violation."""

from __future__ import annotations

from typing import Any

import pytest

from servefirst.messages.transport import Transports, mailer_for
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from tests import delivery_servers
from tests.conftest import Merchant
from tests.delivery_servers import Mailbox
from tests.e2e.test_accessibility import context_at, login, sign_in
from tests.e2e.test_deposit_refused_phone import NARROW, fits
from tests.integration.test_messages_page_why_not_sent import (
    DID_NOT_GO,
    NAME,
    WHY,
    WILL_NOT_GO,
    refunded_again_after_it_came_back,
)

pytestmark = pytest.mark.browser
__all__ = ["context_at"]  # a fixture, used by name
smtp_server = delivery_servers.smtp_server  # the session's SMTP server (a fixture)


def rows(page: Any, name: str) -> Any:
    """The latest list's row of the message of kind ``name``."""
    named = page.get_by_text(name, exact=True)
    return page.get_by_test_id("messages-found").locator("li", has=named)


@pytest.mark.parametrize("language", ["en", "pt"])
def test_the_messages_page_says_why_the_word_of_a_refund_sent_back_did_not_go_on_a_phone(
    context_at: Any,
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    smtp_server: tuple[str, Mailbox],
    language: str,
) -> None:
    if language == "pt":
        assert live_merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    refunded_again_after_it_came_back(runtime, live_merchant, f"ana.fone.{language}@example.com")

    page = context_at(NARROW)
    sign_in(page, live_server, login(runtime, live_merchant, "owner"))
    page.goto(f"{live_server}/staff/messages")
    row = rows(page, NAME[language])
    assert row.get_by_text(WILL_NOT_GO[language]).is_visible()
    assert row.get_by_test_id("why-not-sent").inner_text() == WHY[language]
    assert page.locator("label.choice", has_text=NAME[language]).is_visible()
    fits(page)

    Worker(
        runtime, transports=Transports(mailer_for(smtp_server[0])), merchants=[live_merchant.id]
    ).drain()
    page.reload()
    row = rows(page, NAME[language])
    assert row.get_by_text(DID_NOT_GO[language]).is_visible()
    assert row.get_by_test_id("why-not-sent").inner_text() == WHY[language]
    page.screenshot(path=f"/tmp/rt/messages-{language}.png", full_page=True)
    fits(page)

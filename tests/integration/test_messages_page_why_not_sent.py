"""The console's Messages page on a message that will not go, or did not:
the customer's word that a refund failed after it went through, planned and
then no longer true (the business refunded the money again). Planned and not
sent yet, it read "to go" as if the customer would still be told; skipped,
it read "not needed any more" with no word of why. It now says it will not
be sent, or was not, and why, in the member's language (SQLite and
PostgreSQL)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest

from servefirst.messages.transport import Transports
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.delivery_servers import Mailbox
from tests.integration import test_refund_returned_told as returned
from tests.integration.test_messages_page_planned import _served
from tests.integration.test_pages_staff import Staff
from tests.integration.test_refund_pages import _portuguese

smtp_server = returned.smtp_server

WHY = {
    "en": "the business refunded the money again since: that refund's own message says so",
    "pt": "o negócio voltou a reembolsar o valor entretanto: a mensagem desse reembolso di-lo",
}
WILL_NOT_GO = {
    "en": "will not be sent: not needed any more",
    "pt": "não vai ser enviada: já não é precisa",
}
DID_NOT_GO = {"en": "not sent: not needed any more", "pt": "não enviada: já não era precisa"}
NAME = {"en": "Refund failed", "pt": "Reembolso não concretizado"}


def said_of(page: str, name: str) -> list[str]:
    """What the latest list says of each message named ``name``, as read."""
    latest = html.unescape(page.split('id="latest"')[1].split("</ul>")[0])
    items = re.findall(r"<li>(.*?)</li>", latest, re.S)
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).replace(" · ", "·").strip()
        for item in items
        if f"<strong>{name}</strong>" in item
    ]


def refunded_again_after_it_came_back(runtime: Runtime, merchant: Merchant, email: str) -> None:
    """Ana's refund came back from her bank; the word of it is planned (no
    mail server: it waits), and staff refund her card again meanwhile."""
    _, payment, made = returned.card_lunch_refunded(merchant, email)
    returned.the_bank_sends_it_back(runtime, merchant, made["id"])
    Worker(runtime, transports=Transports(None), merchants=[merchant.id]).plan()
    again = returned.refund_emails.refund(
        merchant, payment["id"], amount=400, tip=150, reason="Sent again"
    )
    assert again["status"] == "succeeded"


@pytest.mark.parametrize("language", ["en", "pt"])
def test_a_refusal_no_longer_true_is_said_not_to_go_and_why_then_not_sent_and_why(
    runtime: Runtime,
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    smtp_server: tuple[str, Mailbox],
    language: str,
) -> None:
    owner = signed_in(merchant, "owner")
    if language == "pt":
        _portuguese(merchant, owner)
    refunded_again_after_it_came_back(runtime, merchant, f"ana.{language}@example.com")
    [waiting] = said_of(owner.get("/staff/messages").text, NAME[language])
    assert "to go" not in waiting and "a enviar" not in waiting, waiting
    assert f"{WILL_NOT_GO[language]} {WHY[language]}" in waiting, waiting

    returned.deliver(runtime, merchant, smtp_server[0])
    [skipped] = said_of(owner.get("/staff/messages").text, NAME[language])
    assert f"{DID_NOT_GO[language]} {WHY[language]}" in skipped, skipped
    [message] = returned.listed(merchant, "refund_failed")
    assert (message["status"], message["last_error"]) == ("skipped", WHY["en"])


def test_a_reminder_of_a_tab_paid_since_says_why_it_will_not_go(
    runtime: Runtime,
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    smtp_server: tuple[str, Mailbox],
) -> None:
    tab = _served(merchant, "sara.pagou@example.com")
    Worker(runtime, transports=Transports(None), merchants=[merchant.id]).plan()
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 4500})
    assert paid.status_code == 201, paid.text
    owner = signed_in(merchant, "owner")
    said = said_of(owner.get("/staff/messages").text, "Payment reminder")
    assert said and all(
        "will not be sent: not needed any more no longer due (the tab is paid)" in s for s in said
    ), said
    _portuguese(merchant, owner)
    said = said_of(owner.get("/staff/messages").text, "Lembrete de pagamento")
    assert said and all(
        "não vai ser enviada: já não é precisa a conta já está paga" in s for s in said
    ), said

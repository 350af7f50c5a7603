"""The demo's late payers were reminded before they paid, as a real café's
would have been: Bruno left the café after brunch and Rita the salon after
her cut, each paid days later, and the history holds the reminders that went
in between, with the subjects their e-mails had, in the business's language
(both shops are in Lisbon)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from servefirst.demo import DemoResult, build_demo
from servefirst.runtime import Runtime

#: Each shop's late payer, and what the first reminder asked (in Portuguese).
LATE_PAYERS = {
    "Café Azul": ("Bruno Alves", "Café Azul: como correu a sua visita?"),
    "Studio Lume": ("Rita Lopes", "Studio Lume: como correu a sua visita?"),
}


@pytest.fixture(scope="module")
def demo(runtime: Runtime) -> DemoResult:
    return build_demo(runtime)


def _get(app: Any, api_key: str, path: str) -> Any:
    response = TestClient(app).get(path, headers={"Authorization": f"Bearer {api_key}"})
    assert response.status_code == 200, response.text
    return response.json()


def _days(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)) / timedelta(days=1)


@pytest.mark.parametrize("shop", sorted(LATE_PAYERS))
def test_a_late_payer_was_reminded_before_paying(app: Any, demo: DemoResult, shop: str) -> None:
    [merchant] = [m for m in demo.merchants if m.name == shop]
    name, first_asked = LATE_PAYERS[shop]
    [who] = _get(app, merchant.api_key, f"/v1/customers?q={name}")["data"]
    tabs = _get(app, merchant.api_key, f"/v1/tabs?customer_id={who['id']}&limit=100")["data"]
    # The visit paid days after it was served (the others were paid at the counter).
    [late] = [
        t for t in tabs if t["status"] == "paid" and _days(t["served_at"], t["closed_at"]) > 1
    ]
    said = _get(app, merchant.api_key, f"/v1/messages?customer_id={who['id']}&limit=200")["data"]
    chased = sorted(
        (m for m in said if m["kind"] in ("payment_reminder", "final_notice")),
        key=lambda m: m["due_at"],
    )

    went = [m for m in chased if m["status"] == "sent"]
    assert went, chased
    # Sent between serving and paying, each at its time, the first asking about the visit.
    assert all(late["served_at"] < m["sent_at"] < late["closed_at"] for m in went)
    assert [m["sent_at"] for m in went] == [m["due_at"] for m in went]
    assert went[0]["subject"] == first_asked
    assert all(m["subject"].endswith(": lembrete sobre a sua conta") for m in went[1:])
    # What would have come after the payment was not needed, and has no subject.
    after = [m for m in chased if m["due_at"] > late["closed_at"]]
    assert all(m["status"] == "skipped" and m["subject"] is None for m in after)


def test_every_message_of_the_past_has_the_subject_its_e_mail_had(
    app: Any, demo: DemoResult
) -> None:
    cafe = demo.merchants[0]
    sent = _get(app, cafe.api_key, "/v1/messages?status=sent&limit=200")["data"]
    assert sent
    receipts = {m["subject"] for m in sent if m["kind"] == "receipt"}
    assert receipts == {"Café Azul: o seu recibo"}
    assert all(m["subject"] for m in sent)

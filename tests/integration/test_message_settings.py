"""A merchant's message settings (``/v1/merchant/messages``): who e-mails come
from, when reminders go, the dunning schedule, each kind on or off; bad input
refused whole."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from servefirst.messages.transport import Transports, mailer_for
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from tests import delivery_servers
from tests.conftest import Merchant
from tests.delivery_servers import Mailbox

smtp_server = delivery_servers.smtp_server

SETTINGS = "/v1/merchant/messages"


def change(merchant: Merchant, **body: Any) -> dict[str, Any]:
    answer = merchant.post(SETTINGS, body)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def deliver(runtime: Runtime, merchant: Merchant, smtp_url: str) -> None:
    Worker(runtime, transports=Transports(mailer_for(smtp_url)), merchants=[merchant.id]).drain()


def test_the_settings_start_at_the_defaults_and_change_field_by_field(merchant: Merchant) -> None:
    shown = merchant.get(SETTINGS).json()
    assert shown == {
        "object": "message_settings",
        "sender": None,
        "booking_reminder_hours": 24.0,
        "quiet_start": "21:00",
        "quiet_end": "08:00",
        "reminder_days": [1.0, 3.0, 7.0],
        "overdue_day": 14.0,
        "final_notice_days_before": 2.0,
        "kinds": {
            "receipt": True,
            "refund": True,
            "refund_failed": True,
            "booking_confirmation": True,
            "booking_reminder": True,
            "booking_cancelled": True,
            "deposit_refund_failed": True,
            "payment_reminder": True,
            "final_notice": True,
        },
        "timezone": shown["timezone"],
    }
    changed = change(
        merchant,
        sender="hello@cafe-azul.pt",
        quiet_start="22:30",
        reminder_days=[2, 5],
        kinds={"booking_reminder": False},
    )
    assert changed["sender"] == "hello@cafe-azul.pt"
    assert (changed["quiet_start"], changed["quiet_end"]) == ("22:30", "08:00")
    assert changed["reminder_days"] == [2.0, 5.0]
    assert changed["kinds"]["booking_reminder"] is False and changed["kinds"]["receipt"] is True
    again = change(merchant, booking_reminder_hours=48)
    assert (again["booking_reminder_hours"], again["reminder_days"]) == (48.0, [2.0, 5.0])
    assert change(merchant, sender=None)["sender"] is None  # back to the server's sender
    assert merchant.get(SETTINGS).json()["booking_reminder_hours"] == 48.0


def test_bad_settings_are_refused_and_change_nothing(merchant: Merchant) -> None:
    change(merchant, reminder_days=[2, 4])
    for body, param in (
        ({"sender": "not an address"}, "sender"),
        ({"quiet_start": "25:00"}, "quiet_start"),
        ({"booking_reminder_hours": 0}, "booking_reminder_hours"),
        ({"reminder_days": [3, 1]}, "reminder_days"),
        ({"reminder_days": [1, 13]}, "reminder_days"),  # after the final notice (day 12)
        ({"overdue_day": 2, "reminder_days": [1]}, "final_notice_days_before"),
        ({"overdue_day": 5}, "reminder_days"),  # day 4 is no longer before the final notice
        ({"kinds": {"newsletter": True}}, "kinds"),
        ({"reminder_days": [1], "sender": "x"}, "sender"),  # one bad field: nothing written
    ):
        refused = merchant.post(SETTINGS, body)
        assert refused.status_code == 422, (body, refused.text)
        error = refused.json()["error"]
        assert error["param"].startswith(param), (body, error)
    shown = merchant.get(SETTINGS).json()
    assert (shown["reminder_days"], shown["overdue_day"], shown["sender"]) == (
        [2.0, 4.0],
        14.0,
        None,
    )


def test_fractional_reminder_days_are_refused_as_the_console_refuses_them(
    merchant: Merchant,
) -> None:
    change(merchant, reminder_days=[2, 4])
    for body in (
        {"reminder_days": [1.5]},
        {"reminder_days": [2, 4.5], "sender": "hello@cafe-azul.pt"},  # nothing written
    ):
        refused = merchant.post(SETTINGS, body)
        assert refused.status_code == 422, (body, refused.text)
        error = refused.json()["error"]
        assert (error["type"], error["code"], error["param"]) == (
            "invalid_request_error",
            "reminder_days_not_whole",
            "reminder_days",
        )
    shown = merchant.get(SETTINGS).json()
    assert (shown["reminder_days"], shown["sender"]) == ([2.0, 4.0], None)
    # A whole number written with a point is still a whole day, and read back a number.
    assert change(merchant, reminder_days=[3.0, 5])["reminder_days"] == [3.0, 5.0]
    schema = merchant.client.get("/openapi.json").json()["components"]["schemas"]
    days = schema["MessageSettingsIn"]["properties"]["reminder_days"]["anyOf"][0]
    assert days["items"]["type"] == "integer"


def test_the_dunning_schedule_and_sender_are_the_merchant_s(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    change(
        merchant,
        sender="hello@cafe-azul.pt",
        reminder_days=[2, 5],
        overdue_day=10,
        final_notice_days_before=1,
    )
    person = merchant.customer("Rui Lopes", email="rui.settings@example.com")
    tab = merchant.tab(person["id"])
    svc = merchant.service(price=900)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    served = merchant.post(f"/v1/tabs/{tab['id']}/serve").json()
    deliver(runtime, merchant, smtp_server[0])
    planned = merchant.get("/v1/messages?status=pending").json()["data"]
    served_at = datetime.fromisoformat(served["served_at"])
    days = sorted(
        round((datetime.fromisoformat(m["due_at"]) - served_at) / timedelta(days=1))
        for m in planned
    )
    assert days == [2, 5, 9]  # the final notice a day before day 10
    merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 900})
    deliver(runtime, merchant, smtp_server[0])
    [receipt] = smtp_server[1].to("rui.settings@example.com")
    assert "hello@cafe-azul.pt" in receipt["From"]


def test_a_kind_turned_off_is_not_sent(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    change(merchant, kinds={"receipt": False})
    person = merchant.customer("Ana Costa", email="ana.off@example.com")
    tab = merchant.tab(person["id"])
    svc = merchant.service(price=380)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 380})
    deliver(runtime, merchant, smtp_server[0])
    assert smtp_server[1].to("ana.off@example.com") == []
    kinds = {m["kind"] for m in merchant.get("/v1/messages").json()["data"]}
    assert "receipt" not in kinds


def test_a_retried_settings_change_answers_as_the_first(merchant: Merchant) -> None:
    key = {"Idempotency-Key": "settings-retry-1"}
    first = merchant.post(SETTINGS, {"overdue_day": 20}, headers=key)
    again = merchant.post(SETTINGS, {"overdue_day": 20}, headers=key)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    other = merchant.post(SETTINGS, {"overdue_day": 21}, headers=key)
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert merchant.get(SETTINGS).json()["overdue_day"] == 20.0

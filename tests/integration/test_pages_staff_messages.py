"""The console's "messages not sent" page: e-mails and webhook deliveries given
up on are listed, with a "send again" button that queues them again; a
disabled endpoint is shown with its reason (how the merchant is told)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from servefirst.messages.transport import Transports, mailer_for
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from servefirst.webhooks import service as webhooks
from servefirst.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests import delivery_servers
from tests.conftest import Merchant
from tests.delivery_servers import Mailbox
from tests.integration.test_html_valid import install_vnu, vnu_errors
from tests.integration.test_pages_staff import Staff

smtp_server = delivery_servers.smtp_server


def failed_receipt(runtime: Runtime, merchant: Merchant, smtp: tuple[str, Mailbox]) -> None:
    """A receipt the mail server refuses for good (550): failed at once."""
    smtp[1].refuse.add("gone@example.com")
    person = merchant.customer("Ana Costa", email="gone@example.com")
    tab = merchant.tab(person["id"])
    svc = merchant.service(price=380)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 380})
    worker(runtime, merchant, smtp).drain()


def worker(runtime: Runtime, merchant: Merchant, smtp: tuple[str, Mailbox]) -> Worker:
    return Worker(runtime, transports=Transports(mailer_for(smtp[0])), merchants=[merchant.id])


def test_a_failed_receipt_is_listed_and_sent_again_from_the_console(
    runtime: Runtime,
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    smtp_server: tuple[str, Mailbox],
) -> None:
    failed_receipt(runtime, merchant, smtp_server)
    [failed] = merchant.get("/v1/messages?status=failed").json()["data"]
    manager = signed_in(merchant, access="manager")
    page = manager.get("/staff/messages")
    assert page.status_code == 200
    assert "gone@example.com" in page.text and "Send again" in page.text
    smtp_server[1].refuse.discard("gone@example.com")  # the address works again
    sent = manager.post(f"/staff/messages/{failed['id']}/retry", follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == "/staff/messages?sent=1"
    worker(runtime, merchant, smtp_server).drain()
    assert len(smtp_server[1].to("gone@example.com")) == 1
    [again] = [m for m in merchant.get("/v1/messages").json()["data"] if m["id"] == failed["id"]]
    assert again["status"] == "sent"
    not_sent, latest = manager.get("/staff/messages").text.split("Latest e-mails and texts")
    assert "gone@example.com" not in not_sent and "gone@example.com" in latest


def test_sending_again_without_the_form_s_token_changes_nothing(
    runtime: Runtime,
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    smtp_server: tuple[str, Mailbox],
) -> None:
    failed_receipt(runtime, merchant, smtp_server)
    [failed] = merchant.get("/v1/messages?status=failed").json()["data"]
    manager = signed_in(merchant, access="manager")
    refused = manager.client.post(f"/staff/messages/{failed['id']}/retry", data={})
    assert refused.status_code == 403
    assert merchant.get("/v1/messages?status=failed").json()["data"][0]["id"] == failed["id"]


def test_a_disabled_endpoint_and_its_failed_delivery_are_shown_with_a_button(
    runtime: Runtime,
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    smtp_server: tuple[str, Mailbox],
    tmp_path: Path,
) -> None:
    failed_receipt(runtime, merchant, smtp_server)
    created = merchant.post(
        "/v1/webhook-endpoints", {"url": "https://hooks.example.com/in", "events": ["*"]}
    ).json()
    with runtime.uow(merchant.id) as uow:  # given up on, then disabled (as after 5 days)
        endpoint = uow.session.get(WebhookEndpoint, (merchant.id, created["id"]))
        assert endpoint is not None
        endpoint.status, endpoint.disabled_reason = "disabled", "every delivery failed for 5 days"
        uow.session.add(
            WebhookDelivery(
                merchant_id=merchant.id,
                delivery_id="whd_console1",
                endpoint_id=created["id"],
                event_id="evt_console1",
                event_type="tab.paid",
                body="{}",
                status="failed",
                attempts=8,
                next_attempt_at=uow.clock.now(),
                last_status_code=500,
                created_at=uow.clock.now(),
            )
        )
        uow.commit()
    manager = signed_in(merchant, access="manager")
    page = manager.get("/staff/messages").text
    assert "Endpoint disabled" in page and "every delivery failed for 5 days" in page
    assert "tab.paid" in page and "HTTP 500" in page and "gone@example.com" in page
    install_vnu()
    assert not vnu_errors({"staff-messages": page}, tmp_path)
    # Disabled: sending again is refused on the page, and nothing changes.
    path = f"/staff/webhooks/{created['id']}/deliveries/whd_console1/retry"
    refused = manager.post(path)
    assert refused.status_code == 409 and "enable it first" in refused.text
    merchant.post(f"/v1/webhook-endpoints/{created['id']}", {"enabled": True})
    sent = manager.post(path, follow_redirects=False)
    assert sent.status_code == 303
    deliveries = merchant.get(f"/v1/webhook-endpoints/{created['id']}/deliveries").json()["data"]
    assert deliveries[0]["status"] == "pending"


def test_a_member_with_staff_access_may_neither_see_nor_send_again(
    runtime: Runtime,
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    smtp_server: tuple[str, Mailbox],
) -> None:
    failed_receipt(runtime, merchant, smtp_server)
    [failed] = merchant.get("/v1/messages?status=failed").json()["data"]
    waiter = signed_in(merchant, access="staff")
    page = waiter.get("/staff/messages")
    assert page.status_code == 403 and 'data-code="forbidden"' in page.text
    assert "gone@example.com" not in page.text
    refused = waiter.post(f"/staff/messages/{failed['id']}/retry")
    assert refused.status_code == 403
    assert merchant.get("/v1/messages?status=failed").json()["data"][0]["id"] == failed["id"]


def test_the_page_speaks_the_merchant_s_language(
    runtime: Runtime,
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    smtp_server: tuple[str, Mailbox],
) -> None:
    failed_receipt(runtime, merchant, smtp_server)
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    owner = signed_in(merchant, access="owner")
    page = owner.get("/staff/messages").text
    assert "Mensagens não enviadas" in page and "Enviar de novo" in page
    assert "Recibo" in page and "1 tentativa" in page


def test_why_an_endpoint_was_disabled_and_a_mail_refused_read_as_words_not_code(
    runtime: Runtime,
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    smtp_server: tuple[str, Mailbox],
) -> None:
    failed_receipt(runtime, merchant, smtp_server)
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    created = merchant.post(
        "/v1/webhook-endpoints", {"url": "https://hooks.example.com/in", "events": ["*"]}
    ).json()
    with runtime.uow(merchant.id) as uow:  # as the worker leaves it after 5 days
        endpoint = uow.session.get(WebhookEndpoint, (merchant.id, created["id"]))
        assert endpoint is not None
        endpoint.status, endpoint.disabled_reason = "disabled", webhooks.FAILING
        uow.commit()
    page = signed_in(merchant, access="owner").get("/staff/messages").text
    assert "todas as entregas falharam durante 5 dias" in page
    assert "the mail server refused gone@example.com: 550 5.1.1 no such user" in page
    assert "b&#39;" not in page and "{&#39;" not in page  # no Python repr of the reply


SETTINGS_FORM = {
    "sender": "ola@cafe-azul.pt",
    "booking_reminder_hours": "12",
    "quiet_start": "22:00",
    "quiet_end": "07:30",
    "reminder_days": "2, 4",
    "overdue_day": "10",
    "final_notice_days_before": "3",
    "kind_receipt": "on",
    "kind_payment_reminder": "on",
    "kind_final_notice": "on",
}


def test_an_owner_changes_the_message_settings_in_the_console(
    merchant: Merchant, signed_in: Callable[..., Staff], tmp_path: Path
) -> None:
    owner = signed_in(merchant, access="owner")
    page = owner.get("/staff/messages").text
    assert 'name="reminder_days" value="1, 3, 7"' in page
    saved = owner.post("/staff/messages/settings", SETTINGS_FORM, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/staff/messages?saved=1"
    shown = merchant.get("/v1/merchant/messages").json()
    assert shown["reminder_days"] == [2.0, 4.0] and shown["overdue_day"] == 10.0
    assert (shown["quiet_start"], shown["quiet_end"], shown["sender"]) == (
        "22:00",
        "07:30",
        "ola@cafe-azul.pt",
    )
    assert shown["kinds"]["booking_reminder"] is False and shown["kinds"]["receipt"] is True
    install_vnu()
    assert not vnu_errors({"staff-message-settings": owner.get("/staff/messages").text}, tmp_path)


def test_settings_that_do_not_fit_are_refused_on_the_page_and_change_nothing(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, access="owner")
    late = owner.post("/staff/messages/settings", {**SETTINGS_FORM, "reminder_days": "2, 9"})
    assert late.status_code == 422 and "Give the days in increasing order" in late.text
    word = owner.post("/staff/messages/settings", {**SETTINGS_FORM, "overdue_day": "soon"})
    assert word.status_code == 422 and "Write a number here." in word.text
    assert merchant.get("/v1/merchant/messages").json()["reminder_days"] == [1.0, 3.0, 7.0]


def test_a_manager_sees_the_settings_but_may_not_change_them(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, access="manager")
    page = manager.get("/staff/messages").text
    assert "An owner can change these." in page and 'name="reminder_days"' not in page
    refused = manager.post("/staff/messages/settings", SETTINGS_FORM)
    assert refused.status_code == 403
    assert merchant.get("/v1/merchant/messages").json()["overdue_day"] == 14.0


def test_a_deleted_endpoint_s_deliveries_are_not_offered_to_send_again(
    runtime: Runtime, merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    created = merchant.post(
        "/v1/webhook-endpoints", {"url": "https://old-hooks.example.com/in", "events": ["*"]}
    ).json()
    with runtime.uow(merchant.id) as uow:  # one given up on before the endpoint went
        uow.session.add(
            WebhookDelivery(
                merchant_id=merchant.id,
                delivery_id="whd_deleted1",
                endpoint_id=created["id"],
                event_id="evt_deleted1",
                event_type="tab.paid",
                body="{}",
                status="failed",
                attempts=8,
                next_attempt_at=uow.clock.now(),
                created_at=uow.clock.now(),
            )
        )
        uow.commit()
    manager = signed_in(merchant, access="manager")
    assert "whd_deleted1" in manager.get("/staff/messages").text
    deleted = merchant.client.delete(
        f"/v1/webhook-endpoints/{created['id']}", headers=merchant.headers
    )
    assert deleted.status_code == 200
    page = manager.get("/staff/messages").text
    assert "whd_deleted1" not in page and "No webhook delivery was given up on." in page
    # Not offered, yet not lost: the API's log of the endpoint still lists it.
    log = merchant.get(f"/v1/webhook-endpoints/{created['id']}/deliveries")
    assert [d["id"] for d in log.json()["data"]] == ["whd_deleted1"]
    # A page left open from before still has the button: it says why nothing goes.
    stale = manager.post(f"/staff/webhooks/{created['id']}/deliveries/whd_deleted1/retry")
    assert stale.status_code == 404 and "was deleted" in stale.text


def test_a_manager_enables_a_disabled_endpoint_again_from_the_console(
    runtime: Runtime, merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    created = merchant.post(
        "/v1/webhook-endpoints", {"url": "https://fixed-hooks.example.com/in", "events": ["*"]}
    ).json()
    with runtime.uow(merchant.id) as uow:  # as after 5 days of failures
        endpoint = uow.session.get(WebhookEndpoint, (merchant.id, created["id"]))
        assert endpoint is not None
        endpoint.status, endpoint.disabled_reason = "disabled", "every delivery failed for 5 days"
        uow.commit()
    waiter = signed_in(merchant, access="staff")
    assert waiter.post(f"/staff/webhooks/{created['id']}/enable").status_code == 403
    manager = signed_in(merchant, access="manager")
    assert "Enable again" in manager.get("/staff/messages").text
    enabled = manager.post(f"/staff/webhooks/{created['id']}/enable", follow_redirects=False)
    assert enabled.status_code == 303
    assert enabled.headers["location"] == "/staff/messages?enabled=1"
    [listed] = merchant.get("/v1/webhook-endpoints").json()["data"]
    assert (listed["status"], listed["disabled_reason"]) == ("enabled", None)
    page = manager.get("/staff/messages?enabled=1").text
    assert "Endpoint disabled" not in page and "its deliveries go on" in page
    assert manager.post("/staff/webhooks/we_nothing/enable").status_code == 404


def test_a_refused_setting_is_said_in_portuguese_by_its_field_and_what_was_typed_stays(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    owner = signed_in(merchant, access="owner")
    # Overdue on day 5, final notice 3 days before: day 2, too soon for reminders on days 2 and 4.
    typed = {**SETTINGS_FORM, "overdue_day": "5", "sender": "ola@cafe-azul.pt"}
    refused = owner.post("/staff/messages/settings", typed)
    assert refused.status_code == 422
    page = refused.text
    # The owner's words, not the API's field names, in the page's language...
    assert "reminder_days must be" not in page
    assert "Indique os dias por ordem crescente" in page
    # ...by the field, which keeps what was typed, and the answer opens at the form.
    assert 'id="reminder_days" name="reminder_days" aria-invalid="true"' in page
    assert 'name="overdue_day" value="5"' in page.replace(' min="1" max="365" step="any"', "")
    assert 'value="ola@cafe-azul.pt"' in page
    assert 'action="/staff/messages/settings#settings"' in page
    assert merchant.get("/v1/merchant/messages").json()["overdue_day"] == 14.0


def test_a_manager_sees_that_a_receipt_went_out_and_a_reminder_is_planned(
    runtime: Runtime,
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    smtp_server: tuple[str, Mailbox],
    tmp_path: Path,
) -> None:
    person = merchant.customer("Ana Costa", email="ana.seen@example.com")
    tab = merchant.tab(person["id"])
    svc = merchant.service(price=380)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 380})
    merchant.tab(merchant.customer("Rui Lopes", email="rui.planned@example.com")["id"])
    unpaid = merchant.served_tab(900)  # no e-mail: nothing planned for it
    assert unpaid["status"] == "served"
    owed = merchant.tab(merchant.customer("Bea Reis", email="bea.owes@example.com")["id"])
    merchant.post(f"/v1/tabs/{owed['id']}/lines", {"service_id": svc["id"]})
    merchant.post(f"/v1/tabs/{owed['id']}/serve")
    worker(runtime, merchant, smtp_server).drain()
    page = signed_in(merchant, access="manager").get("/staff/messages").text
    latest = page.split("Latest e-mails and texts")[1].split("</section>")[0]
    assert "Receipt</strong> · ana.seen@example.com" in latest and "sent " in latest
    assert "Payment reminder</strong> · bea.owes@example.com" in latest and "to go " in latest
    install_vnu()
    assert not vnu_errors({"staff-messages-latest": page}, tmp_path)


def test_a_manager_is_told_on_opening_the_console_that_an_endpoint_was_disabled(
    runtime: Runtime, merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    created = merchant.post(
        "/v1/webhook-endpoints", {"url": "https://told-hooks.example.com/in", "events": ["*"]}
    ).json()
    with runtime.uow(merchant.id) as uow:  # as the worker leaves it after 5 days
        endpoint = uow.session.get(WebhookEndpoint, (merchant.id, created["id"]))
        assert endpoint is not None
        endpoint.status, endpoint.disabled_reason = "disabled", webhooks.FAILING
        uow.commit()
    today = signed_in(merchant, access="manager").get("/staff/today").text
    assert "A webhook endpoint was disabled (every delivery failed for 5 days)" in today
    assert "https://told-hooks.example.com/in" in today and 'href="/staff/messages"' in today
    assert "told-hooks" not in signed_in(merchant, access="staff").get("/staff/today").text
    merchant.post(f"/v1/webhook-endpoints/{created['id']}", {"enabled": True})
    assert "told-hooks" not in signed_in(merchant, access="manager").get("/staff/today").text

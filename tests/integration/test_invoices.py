"""Billing after delivery: a served tab issued as an invoice with a due date,
paid in parts, overdue by itself the day after its due date, aged from it;
its PDF, and the receipt's once paid; the seller's and customer's tax ids."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from io import BytesIO
from typing import Any

from pypdf import PdfReader

from servefirst.kit.clock import FrozenClock
from servefirst.messages.transport import Transports, mailer_for
from servefirst.messages.worker import Worker
from servefirst.reports.debtors import debtors
from servefirst.reports.service import cash_flow
from servefirst.runtime import Runtime
from tests import delivery_servers
from tests.conftest import Merchant, TestClock
from tests.delivery_servers import Mailbox
from tests.integration.test_pages_staff import Staff

smtp_server = delivery_servers.smtp_server


def _invoice(merchant: Merchant, tab: dict[str, Any], **body: Any) -> Any:
    return merchant.post(f"/v1/tabs/{tab['id']}/invoice", body)


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def _seller(merchant: Merchant) -> None:
    answer = merchant.post(
        "/v1/merchant",
        {
            "legal_name": "Consultoria Azul, Lda.",
            "address": "Rua Augusta 10\n1100-053 Lisboa",
            "tax_id": "PT501964843",
        },
    )
    assert answer.status_code == 200, answer.text


def test_a_consultant_bills_net_30_and_the_customer_s_page_shows_the_due_date(
    at_noon: datetime,
    merchant: Merchant,
) -> None:
    tab = merchant.served_tab(9000)
    today = at_noon.date()
    issued = _invoice(merchant, tab, net_days=30)
    assert issued.status_code == 200, issued.text
    assert issued.json()["due_date"] == (today + timedelta(days=30)).isoformat()
    assert issued.json()["invoiced_at"] is not None
    assert issued.json()["status"] == "served"
    on_date = _invoice(merchant, tab, due_date=(today + timedelta(days=14)).isoformat())
    assert on_date.json()["due_date"] == (today + timedelta(days=14)).isoformat()
    public = merchant.client.get(f"/v1/public/tabs/{tab['token']}").json()
    assert public["due_date"] == (today + timedelta(days=14)).isoformat()
    page = merchant.client.get(f"/t/{tab['token']}").text
    assert 'data-testid="due-date"' in page and "Pay by" in page
    assert f"/t/{tab['token']}/receipt.pdf" in page
    in_portuguese = merchant.client.get(
        f"/t/{tab['token']}", headers={"Accept-Language": "pt-PT"}
    ).text
    assert "Pagar até" in in_portuguese and "Fatura em PDF" in in_portuguese


def test_an_invoice_is_paid_in_parts_then_becomes_a_numbered_receipt(merchant: Merchant) -> None:
    _seller(merchant)
    tab = merchant.served_tab(6000, 4000)
    assert _invoice(merchant, tab, net_days=14).status_code == 200
    invoice = _pdf_text(merchant.get(f"/v1/tabs/{tab['id']}/receipt.pdf").content)
    assert "Invoice" in invoice and "Due date" in invoice and "Receipt number" not in invoice
    first = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 3000})
    assert first.status_code == 201, first.text
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["amount_due"] == 7000
    rest = merchant.post(
        f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 7000, "tip": 500}
    )
    assert rest.status_code == 201, rest.text
    paid = merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert paid["status"] == "paid" and paid["receipt_number"]

    answer = merchant.get(f"/v1/tabs/{tab['id']}/receipt.pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    text = _pdf_text(answer.content)
    for shown in (
        "Receipt",
        "Consultoria Azul, Lda.",
        "1100-053 Lisboa",
        "PT501964843",
        paid["receipt_number"],
        "Flat white",
        "€100.00",  # the total
        "€30.00",  # the first part
        "tip €5.00",
    ):
        assert shown in text, shown
    customer_copy = merchant.client.get(f"/t/{tab['token']}/receipt.pdf")
    assert customer_copy.status_code == 200
    assert customer_copy.headers["referrer-policy"] == "no-referrer"
    assert paid["receipt_number"] in _pdf_text(customer_copy.content)


def test_a_tab_neither_paid_nor_invoiced_has_no_pdf(
    merchant: Merchant, new_merchant: Callable[..., Merchant]
) -> None:
    tab = merchant.served_tab(450)
    missing = merchant.get(f"/v1/tabs/{tab['id']}/receipt.pdf")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "receipt_not_found"
    assert merchant.client.get(f"/t/{tab['token']}/receipt.pdf").status_code == 404
    assert merchant.client.get("/t/not-a-token/receipt.pdf").status_code == 404
    # Another merchant's key does not see it either.
    paid = merchant.served_tab(450)
    merchant.post(f"/v1/tabs/{paid['id']}/payments", {"method": "cash", "amount": 450})
    assert new_merchant("Other").get(f"/v1/tabs/{paid['id']}/receipt.pdf").status_code == 404


def test_bad_invoice_terms_are_clear_4xx(clock: TestClock, merchant: Merchant) -> None:
    tab = merchant.served_tab(450)
    yesterday = (clock.now().date() - timedelta(days=2)).isoformat()
    cases = [
        ({"due_date": yesterday}, 422, "due_date_in_past"),
        ({}, 422, "due_date_or_net_days"),
        ({"due_date": "2099-01-01", "net_days": 30}, 422, "due_date_or_net_days"),
        ({"net_days": 0}, 422, "net_days_invalid"),
        ({"net_days": "soon"}, 422, None),
        ({"due_date": "31/12/2026"}, 422, None),
    ]
    for body, status, code in cases:
        answer = _invoice(merchant, tab, **body)
        assert answer.status_code == status, (body, answer.text)
        assert "error" in answer.json()
        if code:
            assert answer.json()["error"]["code"] == code, body
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["due_date"] is None  # nothing kept
    still_open = merchant.tab()
    refused = _invoice(merchant, still_open, net_days=7)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "tab_not_invoiceable"
    assert merchant.post("/v1/tabs/tab_nope/invoice", {"net_days": 7}).status_code == 404


def _worker(runtime: Runtime, merchant: Merchant, at: datetime) -> Worker:
    return Worker(
        runtime,
        clock=FrozenClock(at),
        transports=Transports(mailer_for(None)),
        merchants=[merchant.id],
    )


def test_an_unpaid_invoice_turns_overdue_by_itself_the_day_after_its_due_date(
    runtime: Runtime, merchant: Merchant
) -> None:
    merchant.post("/v1/merchant", {"timezone": "Europe/Lisbon"})
    tab = merchant.served_tab(9000)
    due = date.fromisoformat(_invoice(merchant, tab, net_days=7).json()["due_date"])
    lisbon_midnight = datetime.combine(due + timedelta(days=1), time(), UTC).astimezone(UTC)
    # Summer or winter, the next day starts at 00:00 in Lisbon, at most an hour before UTC's.
    _worker(runtime, merchant, lisbon_midnight - timedelta(hours=2)).mark_overdue()
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["status"] == "served"
    # On its due date (well before the ordinary 14 days from serving) it waits...
    _worker(runtime, merchant, lisbon_midnight + timedelta(minutes=1)).mark_overdue()
    after = merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert after["status"] == "overdue", after
    events = merchant.get("/v1/events").json()["data"]
    assert [e for e in events if e["type"] == "tab.overdue" and e["object_id"] == tab["id"]]
    # Paid late, in full: paid, with its receipt.
    late = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 9000})
    assert late.status_code == 201, late.text
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["receipt_number"]


def test_an_ordinary_served_tab_still_waits_for_its_14_days(
    runtime: Runtime, merchant: Merchant
) -> None:
    tab = merchant.served_tab(900)
    served_at = datetime.fromisoformat(tab["served_at"])
    _worker(runtime, merchant, served_at + timedelta(days=8)).mark_overdue()
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["status"] == "served"


def test_the_debtors_list_ages_an_invoice_from_its_due_date(
    runtime: Runtime, merchant: Merchant
) -> None:
    ordinary = merchant.served_tab(500)
    invoiced = merchant.served_tab(700)
    due = date.fromisoformat(_invoice(merchant, invoiced, net_days=30).json()["due_date"])
    three_days_late = datetime.combine(due, time(12), UTC) + timedelta(days=3)
    with runtime.uow(merchant.id, write=False) as uow:
        uow.clock = FrozenClock(three_days_late)
        listed = {d.tab_id: d for d in debtors(uow).debts}
    assert listed[invoiced["id"]].days == 3
    assert listed[invoiced["id"]].bucket == "0-7 days"
    # Served when the invoice was issued: aged by whole days since, whatever the hour.
    served_at = datetime.fromisoformat(ordinary["served_at"])
    assert listed[ordinary["id"]].days == (three_days_late - served_at).days
    assert listed[ordinary["id"]].bucket == "31-60 days"


def test_the_receipt_e_mail_carries_the_pdf(
    clock: TestClock, runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    _seller(merchant)
    person = merchant.customer("Inês Conceição", email="ines.receipt@example.com")
    tab = merchant.tab(person["id"])
    svc = merchant.service(price=850)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 850})
    assert paid.status_code == 201, paid.text
    number = merchant.get(f"/v1/tabs/{tab['id']}").json()["receipt_number"]
    Worker(
        runtime,
        clock=FrozenClock(clock.now() + timedelta(minutes=1)),
        transports=Transports(mailer_for(smtp_server[0])),
        merchants=[merchant.id],
    ).drain()
    [mail] = [
        m
        for m in smtp_server[1].to("ines.receipt@example.com")
        if m["Subject"].startswith("Your receipt")
    ]
    [pdf] = [p for p in mail.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == f"receipt-{number}.pdf"
    text = _pdf_text(pdf.get_content())
    assert number in text and "Consultoria Azul, Lda." in text and "Inês Conceição" in text
    body = mail.get_body(("plain",))
    assert body is not None and number in body.get_content()


def test_seller_details_and_tax_ids_are_kept_and_a_bad_one_is_a_clear_422(
    merchant: Merchant,
) -> None:
    merchant.post("/v1/merchant", {"locale": "pt_PT"})
    _seller(merchant)
    shown = merchant.get("/v1/merchant").json()
    assert shown["legal_name"] == "Consultoria Azul, Lda."
    assert shown["address"] == "Rua Augusta 10\n1100-053 Lisboa"
    assert shown["tax_id"] == "PT501964843"
    bad = merchant.post("/v1/merchant", {"tax_id": "501964844", "legal_name": "Other"})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "tax_id_invalid"
    assert bad.json()["error"]["param"] == "tax_id"
    assert merchant.get("/v1/merchant").json()["legal_name"] == "Consultoria Azul, Lda."
    assert merchant.post("/v1/merchant", {"tax_id": ""}).json()["tax_id"] is None

    # A customer's bare NIF is checked as Portuguese (the merchant's locale).
    made = merchant.post("/v1/customers", {"name": "Rui", "tax_id": "123 456 789"})
    assert made.status_code == 201, made.text
    assert made.json()["tax_id"] == "123456789"
    refused = merchant.post("/v1/customers", {"name": "Rui", "tax_id": "123456780"})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "tax_id_invalid"
    changed = merchant.post(f"/v1/customers/{made.json()['id']}", {"tax_id": "DE136695976"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["tax_id"] == "DE136695976"
    nonsense = merchant.post(f"/v1/customers/{made.json()['id']}", {"tax_id": "<b>no</b>"})
    assert nonsense.status_code == 422
    assert merchant.get(f"/v1/customers/{made.json()['id']}").json()["tax_id"] == "DE136695976"
    assert merchant.post("/v1/customers/cus_nope", {"tax_id": ""}).status_code == 404


def test_a_manager_issues_the_invoice_from_the_console_and_staff_may_not(
    at_noon: datetime, merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    tab = merchant.served_tab(2500)
    counter = signed_in(merchant, "staff")
    assert (
        'action="/staff/tabs/' + tab["id"] + '/invoice"'
        not in counter.get(f"/staff/tabs/{tab['id']}").text
    )
    assert counter.post(f"/staff/tabs/{tab['id']}/invoice", {"terms": "7"}).status_code == 403
    manager = signed_in(merchant, "manager")
    page = manager.get(f"/staff/tabs/{tab['id']}").text
    assert f'action="/staff/tabs/{tab["id"]}/invoice"' in page
    past = manager.post(
        f"/staff/tabs/{tab['id']}/invoice", {"terms": "date", "due_date": "2020-01-01"}
    )
    assert past.status_code == 422
    assert "The due date is in the past" in past.text
    done = manager.post(f"/staff/tabs/{tab['id']}/invoice", {"terms": "14"}, follow_redirects=False)
    assert done.status_code == 303, done.text
    shown = manager.get(done.headers["location"]).text
    assert "Invoice issued" in shown and 'id="invoice-pdf"' in shown
    pdf = manager.get(f"/staff/tabs/{tab['id']}/receipt.pdf")
    assert pdf.status_code == 200 and "Invoice" in _pdf_text(pdf.content)
    # Issued at noon (UTC, the merchant's zone): the day the test reads is the day it was issued.
    expected = (at_noon.date() + timedelta(days=14)).isoformat()
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["due_date"] == expected


def test_a_due_date_refused_stays_chosen_with_the_reason_beside_it(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    tab = merchant.served_tab(2500)
    manager = signed_in(merchant, "manager")
    assert manager.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    past = manager.post(
        f"/staff/tabs/{tab['id']}/invoice", {"terms": "date", "due_date": "2020-01-01"}
    )
    assert past.status_code == 422
    beside = re.search(
        r'<p class="field-error" role="alert" id="invoice-due_date-error">([^<]*)</p>', past.text
    )
    assert beside and "A data de vencimento já passou" in beside.group(1)
    assert 'value="2020-01-01" aria-invalid="true"' in past.text
    assert '<option value="date" selected>' in past.text
    assert 'class="flash flash-error"' not in past.text
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["due_date"] is None


def test_the_cash_flow_report_ages_an_invoice_from_its_due_date_too(
    merchant: Merchant, runtime: Runtime
) -> None:
    invoiced = merchant.served_tab(700)
    due = date.fromisoformat(_invoice(merchant, invoiced, net_days=30).json()["due_date"])
    merchant.served_tab(500)
    ten_days_late = datetime.combine(due, time(12), UTC) + timedelta(days=10)
    with runtime.uow(merchant.id, write=False) as uow:
        uow.clock = FrozenClock(ten_days_late)
        ages = {a["age"]: a["amount"] for a in cash_flow(uow)["receivables"]["by_age"]}
    assert ages["8-30 days"] == 700  # 10 days past its due date
    assert ages["31-60 days"] == 500  # served 40 days before


def test_an_invoice_is_not_chased_before_its_due_date_and_is_after(
    runtime: Runtime, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    person = merchant.customer("Marta Invoice", email="marta.invoice@example.com")
    tab = merchant.tab(person["id"])
    svc = merchant.service(price=4000)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    served = merchant.post(f"/v1/tabs/{tab['id']}/serve").json()
    served_at = datetime.fromisoformat(served["served_at"])

    def drain(at: datetime) -> list[str]:
        Worker(
            runtime,
            clock=FrozenClock(at),
            transports=Transports(mailer_for(smtp_server[0])),
            merchants=[merchant.id],
        ).drain()
        sent = [m["Subject"] for m in smtp_server[1].to("marta.invoice@example.com")]
        return [s for s in sent if s.startswith(("A reminder", "Final notice"))]

    # The worker plans the ordinary reminders before the tab is invoiced...
    assert drain(served_at + timedelta(minutes=1)) == []
    due = date.fromisoformat(_invoice(merchant, tab, net_days=14).json()["due_date"])
    # ...and they do not go: served a week ago, an ordinary tab would have had two by now.
    assert drain(served_at + timedelta(days=7)) == []
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["status"] == "served"
    # A day and a half after it fell due: overdue, and the first reminder goes.
    day_after = datetime.combine(due + timedelta(days=1), time(), UTC)
    subjects = drain(day_after + timedelta(days=1, hours=12))
    assert subjects == ["A reminder: your bill at Café Azul"]
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["status"] == "overdue"

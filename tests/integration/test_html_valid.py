"""Every page is valid HTML, as the Nu HTML Checker (vnu) reads it.

Each page is rendered in the states a customer or a member of staff meets it,
written to one folder, and checked by one run of vnu (a JVM takes seconds to
start, so never one run per page). vnu comes from npm (``vnu-jar``, pinned)
and is installed into the repository's ignored ``.cache/`` when missing;
without npm or Java the test fails, it never skips.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from servefirst.runtime import Runtime
from servefirst.staff import service as staff
from tests.conftest import Merchant, TestClock
from tests.integration.test_availability_api import Salon as OnlineSalon
from tests.integration.test_pages_booking import GUARD, MANAGE, details
from tests.integration.test_pages_own_password import own_password_pages
from tests.integration.test_pages_staff import PASSWORD, Staff
from tests.integration.test_pages_staff_bookings import Salon, later_today
from tests.integration.test_pages_team import team_pages
from tests.integration.test_pages_team_forms import team_form_pages

VNU_VERSION = "26.9.27"
REPO = Path(__file__).resolve().parents[2]
VNU_HOME = REPO / ".cache" / f"vnu-{VNU_VERSION}"
VNU_JAR = VNU_HOME / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
GOOD_CARD = "4242424242424242"


def install_vnu() -> Path:
    """The pinned vnu.jar, installed by npm into ``.cache/`` on first use.

    Installed into a folder of this process's own and renamed into place, so
    two test workers installing at once never see half a package.
    """
    for tool in ("npm", "java"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: the HTML check needs npm and Java 17 or newer")
    if VNU_JAR.exists():
        return VNU_JAR
    staging = VNU_HOME.with_name(f"{VNU_HOME.name}.{os.getpid()}")
    subprocess.run(
        ["npm", "install", "--prefix", str(staging), "--no-audit", "--no-fund", "--silent"]
        + [f"vnu-jar@{VNU_VERSION}"],
        check=True,
        timeout=300,
    )
    try:
        staging.rename(VNU_HOME)
    except OSError:  # another worker was first
        shutil.rmtree(staging, ignore_errors=True)
    if not VNU_JAR.exists():
        pytest.fail(f"npm installed vnu-jar@{VNU_VERSION} but {VNU_JAR} is not there")
    return VNU_JAR


def vnu_errors(pages: dict[str, str], folder: Path) -> list[str]:
    """vnu's errors over ``pages`` (name -> HTML), one line each, in one JVM run."""
    for name, html in pages.items():
        (folder / f"{name}.html").write_text(html, encoding="utf-8")
    run = subprocess.run(
        ["java", "-jar", str(install_vnu()), "--errors-only", "--format", "json", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    return [
        f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m['message']}"
        f" [{' '.join(m.get('extract', '').split())}]"
        for m in messages
    ]


def get_ok(client: Any, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code, response.text[:300])
    return str(response.text)


def customer_pages(merchant: Merchant) -> dict[str, str]:
    client = merchant.client
    promise = {"expected_results": ["Wash, cut and dry"], "limits": ["No colouring"]}
    cut = merchant.service("Haircut", price=2500, **promise)
    coffee = merchant.service("Espresso", price=180)

    def tab_of(*services: dict[str, Any], serve: bool = True) -> dict[str, Any]:
        tab = merchant.tab()
        for svc in services:
            added = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
            assert added.status_code == 200, added.text
        if serve:
            assert merchant.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
        return tab

    def post(tab: dict[str, Any], action: str, data: dict[str, str]) -> Any:
        return client.post(f"/t/{tab['token']}/{action}", data=data, follow_redirects=False)

    pages: dict[str, str] = {}
    empty = tab_of(serve=False)
    pages["customer-empty"] = get_ok(client, f"/t/{empty['token']}")
    pages["customer-qr"] = get_ok(client, f"/t/{empty['token']}/qr")
    pages["customer-not-found"] = get_ok(client, "/t/mer_zzzzzzzz.abc", 404)

    opened = tab_of(cut, coffee, serve=False)
    pages["customer-open"] = get_ok(client, f"/t/{opened['token']}")
    served = tab_of(cut, coffee)
    pages["customer-served"] = get_ok(client, f"/t/{served['token']}")
    assert post(served, "accept", {}).status_code == 303
    pages["customer-accepted"] = get_ok(client, f"/t/{served['token']}?flash=accepted")
    declined = post(served, "pay", {"card": "4000000000000002", "tip": "0"})
    assert declined.status_code == 402
    pages["customer-declined"] = declined.text

    concerned = tab_of(cut)
    too_long = post(concerned, "concern", {"reason": "Cold milk. " * 250, "remedy": "waive"})
    assert too_long.status_code == 422 and 'id="reason-error"' in too_long.text
    pages["customer-concern-too-long"] = too_long.text
    long_review = post(concerned, "review", {"rating": "5", "comment": "Lovely. " * 300})
    assert long_review.status_code == 422 and 'id="comment-error"' in long_review.text
    pages["customer-review-too-long"] = long_review.text
    long_tip = post(concerned, "pay", {"card": "4242424242424242", "tip": "9" * 4001})
    assert long_tip.status_code == 422 and "at most 4,000 characters" in long_tip.text
    pages["customer-field-too-long"] = long_tip.text
    asked = {"reason": "Cold milk", "remedy": "partial", "amount": "1.50"}
    assert post(concerned, "concern", asked).status_code == 303
    assert post(concerned, "concern", {"reason": "Wrong cut", "remedy": "waive"}).status_code == 303
    pages["customer-concerns"] = get_ok(client, f"/t/{concerned['token']}?flash=concern_pending")

    part = tab_of(cut)
    cash = merchant.post(f"/v1/tabs/{part['id']}/payments", json={"method": "cash", "amount": 400})
    assert cash.status_code == 201, cash.text
    pages["customer-part-paid"] = get_ok(client, f"/t/{part['token']}")
    invoiced = tab_of(cut)
    issued = merchant.post(f"/v1/tabs/{invoiced['id']}/invoice", json={"net_days": 14})
    assert issued.status_code == 200, issued.text
    pages["customer-invoiced"] = get_ok(client, f"/t/{invoiced['token']}")

    corrected = tab_of(cut, coffee)
    void = merchant.post(f"/v1/tabs/{corrected['id']}/lines/2/void", json={"reason": "Not ours"})
    assert void.status_code == 200, void.text
    paid_cash = merchant.post(f"/v1/tabs/{corrected['id']}/payments", json={"method": "cash"})
    assert paid_cash.status_code == 201, paid_cash.text
    refund = merchant.post(
        f"/v1/payments/{paid_cash.json()['id']}/refunds", json={"amount": 100, "reason": "Late"}
    )
    assert refund.status_code == 201, refund.text
    pages["customer-voided-refunded"] = get_ok(client, f"/t/{corrected['token']}")

    paid = tab_of(cut, coffee)
    assert post(paid, "review", {"rating": "5", "comment": "Lovely"}).status_code == 303
    assert post(paid, "pay", {"card": GOOD_CARD, "tip": "10"}).status_code == 303
    pages["customer-paid"] = get_ok(client, f"/t/{paid['token']}")
    pages["customer-receipt"] = get_ok(client, f"/t/{paid['token']}/receipt")

    rate = merchant.post("/v1/tax-rates", json={"name": "IVA 23%", "percent": "23"}).json()
    lunch = merchant.service("Lunch", price=1230, tax_rate_id=rate["id"])
    taxed = tab_of(lunch, coffee)
    pages["customer-taxed"] = get_ok(client, f"/t/{taxed['token']}")
    assert post(taxed, "pay", {"card": GOOD_CARD, "tip": "0"}).status_code == 303
    pages["customer-taxed-receipt"] = get_ok(client, f"/t/{taxed['token']}/receipt")
    taxed_paid = merchant.get(f"/v1/tabs/{taxed['id']}/payments").json()["data"][0]
    refund = merchant.post(
        f"/v1/payments/{taxed_paid['id']}/refunds", json={"amount": 615, "reason": "Cold soup"}
    )
    assert refund.status_code == 201, refund.text
    pages["customer-taxed-refunded-receipt"] = get_ok(client, f"/t/{taxed['token']}/receipt")
    return pages


def staff_pages(
    runtime: Runtime, merchant: Merchant, person: Staff, clock: TestClock
) -> dict[str, str]:
    pages = {"staff-sign-in": get_ok(person.client, "/staff")}
    wrong = person.sign_in(password="not the password")
    pages["staff-sign-in-refused"] = wrong.text
    assert person.sign_in().status_code == 200 and person.csrf

    salon = Salon(runtime, merchant)
    salon.book(later_today(clock), name="Leonor Batista")
    salon.book(later_today(clock) + timedelta(days=2), name="Rita Lopes")
    tab = merchant.tab()
    cut = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": salon.service["id"]})
    assert cut.status_code == 200
    assert merchant.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
    merchant.client.post(
        f"/t/{tab['token']}/concern",
        data={"reason": "Too short", "remedy": "waive"},
        follow_redirects=False,
    )
    card = merchant.post(
        f"/v1/tabs/{tab['id']}/payments", json={"method": "card", "amount": 500, "card": GOOD_CARD}
    )
    assert card.status_code == 201, card.text
    refund = merchant.post(
        f"/v1/payments/{card.json()['id']}/refunds", json={"amount": 100, "reason": "Late"}
    )
    assert refund.status_code == 201, refund.text

    pages["staff-home-bookings"] = get_ok(person.client, "/staff")
    pages["staff-customers-search"] = get_ok(person.client, "/staff/customers?q=Leonor")
    pages["staff-customers"] = get_ok(person.client, "/staff/customers")
    pages["staff-tab"] = get_ok(person.client, f"/staff/tabs/{tab['id']}")
    billed = merchant.served_tab(900)
    assert merchant.post(f"/v1/tabs/{billed['id']}/invoice", {"net_days": 7}).status_code == 200
    pages["staff-tab-invoiced"] = get_ok(person.client, f"/staff/tabs/{billed['id']}")
    pages["staff-customer"] = get_ok(person.client, f"/staff/customers/{tab['customer_id']}")
    pages["staff-problem"] = get_ok(person.client, "/staff/tabs/tab_nope", 404)
    pages["staff-messages"] = get_ok(person.client, "/staff/messages")
    # The back office: the day close and its Z report, reports, debtors, the trust policy.
    pages["staff-close-day"] = get_ok(person.client, "/staff/close-day")
    refused = person.post("/staff/close-day", {"opening_float": "1", "count_100": "-2"})
    assert refused.status_code == 422
    pages["staff-close-day-refused"] = refused.text
    before = person.post("/staff/close-day", {"date": "1999-12-04", "opening_float": "1"})
    assert before.status_code == 422 and 'id="date-error"' in before.text
    pages["staff-close-day-date-refused"] = before.text
    closed = person.post(
        "/staff/close-day", {"opening_float": "0", "count_100": "28"}, follow_redirects=True
    )
    assert closed.status_code == 200, closed.text
    pages["staff-z-report"] = closed.text
    for report in ("sales", "satisfaction", "trust", "cash-flow", "tax", "earnings"):
        pages[f"staff-report-{report}"] = get_ok(person.client, f"/staff/reports/{report}")
    pages["staff-report-bad-period"] = get_ok(person.client, "/staff/reports/sales?from=x", 422)
    pages["staff-exports"] = get_ok(person.client, "/staff/reports/exports")
    pages["staff-exports-bad-period"] = get_ok(
        person.client, "/staff/reports/exports?from=2026-03-02&to=2026-03-01", 422
    )
    pages["staff-debtors"] = get_ok(person.client, "/staff/debtors")
    pages["staff-trust-policy"] = get_ok(person.client, "/staff/policies/trust")
    # The card payments page on the sandbox, and a key of the wrong kind said by its field.
    pages["staff-card-payments"] = get_ok(person.client, "/staff/settings/payments")
    wrong_kind = person.post(
        "/staff/settings/payments/stripe",
        {"publishable_key": "sk_live_x", "secret_key": "sk_live_x", "webhook_secret": "whsec_x"},
    )
    assert wrong_kind.status_code == 422
    pages["staff-card-payments-refused"] = wrong_kind.text
    pages.update(management_pages(merchant, person, salon))
    return pages


def management_pages(merchant: Merchant, person: Staff, salon: Salon) -> dict[str, str]:
    """The back office's management pages (bookings day, counter, customers,
    services, policies), including a refused form given back."""
    client = person.client
    open_tab = merchant.tab()
    twin = merchant.customer("Leonor B.", phone="+351 911 222 333")
    merchant.customer("Leonor Batista Silva", phone="911 222 333")
    refused = person.post(
        f"/staff/tabs/{open_tab['id']}/counter/lines",
        {"service_id": salon.service["id"], "quantity": "abc"},
    )
    assert refused.status_code == 422
    duplicate = person.post("/staff/customers", {"name": "Leo", "phone": "911222333"})
    assert duplicate.status_code == 409
    rate = merchant.post("/v1/tax-rates", json={"name": "IVA 6%", "percent": "6"}).json()
    bread = merchant.service("Bread", price=106, tax_rate_id=rate["id"])
    taxed_tab = merchant.tab()
    merchant.post(f"/v1/tabs/{taxed_tab['id']}/lines", json={"service_id": bread["id"]})
    merchant.post(f"/v1/tabs/{taxed_tab['id']}/serve")
    return {
        "staff-tab-taxed": get_ok(client, f"/staff/tabs/{taxed_tab['id']}"),
        "staff-bookings-day": get_ok(client, "/staff/bookings/day"),
        "staff-hours": get_ok(client, "/staff/bookings/hours"),
        "staff-counter": get_ok(client, f"/staff/tabs/{open_tab['id']}/counter"),
        "staff-counter-refused": refused.text,
        "staff-customer-duplicate": duplicate.text,
        "staff-customer-merge": get_ok(client, f"/staff/customers/{twin['id']}/merge?q=Leonor"),
        "staff-services": get_ok(client, "/staff/services"),
        "staff-service": get_ok(client, f"/staff/services/{salon.service['id']}"),
        "staff-policies": get_ok(client, "/staff/policies"),
        **loyalty_pages(merchant, person),
        **team_pages(merchant, person, salon),
        **team_form_pages(merchant, person),
        **own_password_pages(person),
    }


def loyalty_pages(merchant: Merchant, person: Staff) -> dict[str, str]:
    """The loyalty pages: the owner's programme, a customer's card with a
    reward (flagged after a busy day), the reward waiting at the counter and
    offered on the customer's pay form."""
    client = person.client
    pages = {"staff-loyalty-none": get_ok(client, "/staff/policies/loyalty")}
    refused = person.post(
        "/staff/policies/loyalty",
        {
            "kind": "visits",
            "visits_per_reward": "10",
            "reward_type": "percent_off",
            "percent": "150",
        },
    )
    assert refused.status_code == 422 and 'id="percent-error"' in refused.text
    pages["staff-loyalty-refused"] = refused.text
    flat_white = merchant.service("Flat white", price=380)
    program = {
        "kind": "visits",
        "visits_per_reward": 1,
        "reward": {"type": "free_service", "service_id": flat_white["id"]},
    }
    assert merchant.post("/v1/merchant/loyalty-program", program).status_code == 200
    regular = merchant.customer("Regular")
    for _ in range(3):
        tab = merchant.tab(regular["id"])
        merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": flat_white["id"]})
        merchant.post(f"/v1/tabs/{tab['id']}/serve")
        paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"})
        assert paid.status_code == 201, paid.text
    tab = merchant.tab(regular["id"])
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": flat_white["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": flat_white["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    pages["staff-loyalty"] = get_ok(client, "/staff/policies/loyalty")
    pages["staff-customer-loyalty"] = get_ok(client, f"/staff/customers/{regular['id']}")
    pages["staff-tab-reward"] = get_ok(client, f"/staff/tabs/{tab['id']}")
    pages["customer-tab-reward"] = get_ok(merchant.client, f"/t/{tab['token']}")
    return pages


def booking_pages(merchant: Merchant, clock: TestClock) -> dict[str, str]:
    """The online booking pages: choosing, reviewing, refusals, the booking's own page."""
    shop = OnlineSalon(merchant, clock)
    client, base = merchant.client, f"/b/{shop.slug}"
    pages = {
        "booking-start": get_ok(client, base),
        "booking-times": get_ok(client, f"{base}?service={shop.cut['id']}"),
        "booking-not-found": get_ok(client, "/b/nobody-here", 404),
    }
    when = shop.at(shop.day(3), "10:00")
    pages["booking-review"] = client.post(f"{base}/book", data=details(shop, when)).text
    refused = client.post(f"{base}/book", data=details(shop, when, name="", confirm="1"))
    assert refused.status_code == 422
    pages["booking-refused"] = refused.text
    done = client.post(
        f"{base}/book", data=details(shop, when, confirm="1"), follow_redirects=False
    )
    assert done.status_code == 303, done.text
    found = MANAGE.search(done.headers["location"])
    assert found
    manage = f"{base}/bookings/{found.group(1)}"
    taken = client.post(f"{base}/book", data=details(shop, when, confirm="1"))
    assert taken.status_code == 409
    pages["booking-taken"] = taken.text
    pages["booking-manage"] = get_ok(client, f"{manage}?flash=booked")
    pages["booking-cancelling"] = get_ok(client, f"{manage}?cancel=1")
    guard = GUARD.search(pages["booking-manage"])
    assert guard
    client.post(f"{manage}/cancel", data={"csrf_token": guard.group(1)})
    pages["booking-cancelled"] = get_ok(client, f"{manage}?flash=cancelled")
    return pages


def returning_pages(database_url: str, clock: TestClock, merchant: Merchant) -> dict[str, str]:
    """The booking page where e-mail is configured: "I have been here before",
    a code sent, a wrong one typed, and the e-mail confirmed."""
    from servefirst.app import create_app
    from servefirst.config import Settings
    from servefirst.kit.onetime import code_for
    from tests.conftest import PUBLIC_URL
    from tests.integration.test_booking_codes import CODE_ID

    secret = "html-check-secret"
    settings = Settings(
        database_url=database_url,
        public_url=PUBLIC_URL,
        smtp_url="smtp://127.0.0.1:9",  # nothing is sent: the pages only queue
        secret_key=secret,
    )
    rt = Runtime.create(settings, clock=clock)
    try:
        with TestClient(create_app(rt), raise_server_exceptions=False) as client:
            shop = OnlineSalon(merchant, clock)
            base = f"/b/{shop.slug}"
            start = get_ok(client, f"{base}?service={shop.cut['id']}")
            guard = GUARD.search(start)
            assert guard and 'name="returning"' in start
            form = {
                "csrf_token": guard.group(1),
                "service": shop.cut["id"],
                "starts_at": shop.at(shop.day(3), "10:00"),
                "name": "Rita Lopes",
                "email": "rita.back@example.com",
            }
            sent = client.post(f"{base}/book", data={**form, "returning": "1"})
            assert sent.status_code == 200, sent.text
            found = CODE_ID.search(sent.text)
            assert found
            code_id = found.group(1)
            wrong = client.post(f"{base}/code", data={**form, "code_id": code_id, "code": "x"})
            assert wrong.status_code == 422, wrong.text
            right = code_for(secret, merchant.id, code_id)
            confirmed = client.post(
                f"{base}/code", data={**form, "code_id": code_id, "code": right}
            )
            assert 'data-testid="code-confirmed"' in confirmed.text
            return {
                "booking-returning": start,
                "booking-code-sent": sent.text,
                "booking-code-wrong": wrong.text,
                "booking-code-confirmed": confirmed.text,
            }
    finally:
        rt.dispose()


@pytest.fixture
def staff_browser(runtime: Runtime, app: Any, merchant: Merchant) -> Iterator[Staff]:
    """A member of ``merchant``'s staff at a browser of their own (not signed in)."""
    email = f"ines.{secrets.token_hex(4)}@azul.example"
    with runtime.uow(merchant.id) as uow:
        staff.create_staff(uow, email=email, password=PASSWORD, name="Inês Rocha", role="owner")
        uow.commit()
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    with TestClient(
        app, base_url="https://testserver", raise_server_exceptions=False, client=(address, 5)
    ) as client:
        yield Staff(client, merchant, email)


def test_every_page_is_valid_html(
    runtime: Runtime,
    database_url: str,
    merchant: Merchant,
    staff_browser: Staff,
    clock: TestClock,
    tmp_path: Path,
) -> None:
    install_vnu()  # first, so a machine without npm or Java fails before any work
    pages = customer_pages(merchant)
    pages.update(booking_pages(merchant, clock))
    pages.update(returning_pages(database_url, clock, merchant))
    pages.update(staff_pages(runtime, merchant, staff_browser, clock))

    headings = {name: html.count("<h1") for name, html in pages.items()}
    assert set(headings.values()) == {1}, headings  # each page has exactly one h1
    errors = vnu_errors(pages, tmp_path)
    assert not errors, "\n".join(errors)


def test_the_checker_does_find_invalid_markup(tmp_path: Path) -> None:
    """The check above cannot pass by reading nothing: a known error is reported."""
    bad = '<!doctype html><html lang="en"><title>x</title><section hx-get="/x"></section>'
    errors = vnu_errors({"bad": bad}, tmp_path)
    assert len(errors) == 1 and "hx-get" in errors[0], errors

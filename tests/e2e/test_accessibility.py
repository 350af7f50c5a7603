"""axe-core in Debian's Chromium on every console and customer page, at phone and
tablet widths: no serious or critical violation anywhere. Also takes the README's
screenshots of the Today page.

axe-core comes from npm at a pinned version into the ignored ``.cache/`` (as the
HTML checker does), and is loaded into each page by Playwright in a context that
lets it past the pages' Content-Security-Policy (the pages themselves load no
outside script; ``test_csp_browser.py`` proves they work under the policy).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from servefirst.runtime import Runtime
from servefirst.staff.service import create_member, create_staff
from tests.conftest import Merchant, TestClock
from tests.e2e.conftest import PHONE, TABLET, Screenshot

pytestmark = pytest.mark.browser

AXE_VERSION = "4.14.1"
REPO = Path(__file__).resolve().parents[2]
AXE_HOME = REPO / ".cache" / f"axe-core-{AXE_VERSION}"
AXE_JS = AXE_HOME / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "steamed milk 42"
WIDTHS = {"phone": PHONE, "tablet": TABLET}
#: What fails the test; "moderate" and "minor" findings are reported by axe but tolerated.
BLOCKING = ("serious", "critical")


def install_axe() -> Path:
    """The pinned axe.min.js, installed by npm into ``.cache/`` on first use (into a
    folder of this process's own, renamed into place: never half a package)."""
    if shutil.which("npm") is None:
        pytest.fail("npm is missing: the accessibility check installs axe-core with it")
    if AXE_JS.exists():
        return AXE_JS
    staging = AXE_HOME.with_name(f"{AXE_HOME.name}.{os.getpid()}")
    subprocess.run(
        ["npm", "install", "--prefix", str(staging), "--no-audit", "--no-fund", "--silent"]
        + [f"axe-core@{AXE_VERSION}"],
        check=True,
        timeout=300,
    )
    try:
        staging.rename(AXE_HOME)
    except OSError:  # another worker was first
        shutil.rmtree(staging, ignore_errors=True)
    if not AXE_JS.exists():
        pytest.fail(f"npm installed axe-core@{AXE_VERSION} but {AXE_JS} is not there")
    return AXE_JS


RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    where: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
  }));
}"""


def violations(page: Any) -> list[str]:
    """axe's serious and critical findings on the page as it is now, one line each."""
    page.add_script_tag(path=str(install_axe()))
    found = page.evaluate(RUN_AXE)
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at {v['where']}"
        for v in found
        if v["impact"] in BLOCKING
    ]


@pytest.fixture
def context_at(browser: Any) -> Iterator[Any]:
    opened: list[Any] = []

    def make(viewport: dict[str, int]) -> Any:
        context = browser.new_context(viewport=viewport, bypass_csp=True)
        context.set_default_timeout(10_000)
        opened.append(context)
        return context.new_page()

    yield make
    for context in opened:
        context.close()


def login(runtime: Runtime, merchant: Merchant, access: str, name: str = "Ana Sousa") -> str:
    email = f"{access}.{secrets.token_hex(4)}@azul.example"
    with runtime.uow(merchant.id) as uow:
        create_staff(uow, email=email, password=PASSWORD, name=name, role="barista", access=access)
        uow.commit()
    return email


def sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/staff")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/staff/today?done=signed_in")


def a_morning(merchant: Merchant, runtime: Runtime, clock: TestClock) -> dict[str, Any]:
    """A café's morning so far, and the same weekday last week, through the API."""
    with runtime.uow(merchant.id) as uow:
        marta = create_member(uow, name="Marta Silva", commission_bps=0).staff_id
        rui = create_member(uow, name="Rui Pinto", commission_bps=0).staff_id
        uow.commit()
    menu = {
        "flat": merchant.service("Flat white", price=380),
        "nata": merchant.service("Pastel de nata", price=150),
        "toast": merchant.service("Avocado toast", price=850),
    }

    def visit(who: str, *items: tuple[str, int, str], pay: str | None, tip: int = 0) -> Any:
        tab = merchant.tab(merchant.customer(who)["id"])
        for key, quantity, staff_id in items:
            added = merchant.post(
                f"/v1/tabs/{tab['id']}/lines",
                {"service_id": menu[key]["id"], "quantity": quantity, "staff_id": staff_id},
            )
            assert added.status_code == 200, added.text
        if pay is None:
            return tab
        served = merchant.post(f"/v1/tabs/{tab['id']}/serve").json()
        if pay == "none":
            return served
        body: dict[str, Any] = {"method": pay, "amount": served["total"], "tip": tip}
        if pay == "card":
            body["card"] = "4242424242424242"
        paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", body)
        assert paid.status_code == 201, paid.text
        return served

    saved = clock.offset
    clock.advance(days=-7, hours=-1)
    visit("Inês Lopes", ("flat", 2, marta), ("nata", 2, marta), pay="cash", tip=40)
    visit("Tiago Reis", ("toast", 1, rui), pay="card")
    clock.offset = saved
    visit("Gabriela Reis", ("flat", 2, marta), ("nata", 3, marta), pay="cash", tip=100)
    visit("João Matos", ("toast", 2, rui), ("flat", 1, rui), pay="card", tip=150)
    visit("Beatriz Costa", ("flat", 1, marta), pay="card_terminal")
    served = visit("Duarte Nunes", ("toast", 1, rui), pay="none")
    raised = merchant.client.post(
        f"/v1/public/tabs/{served['token']}/concerns",
        json={"reason": "The toast was cold", "remedy": "waive"},
    )
    assert raised.status_code == 201, raised.text
    running = visit("Leonor Batista", ("flat", 1, marta), ("nata", 1, marta), pay=None)
    paid = merchant.get("/v1/tabs?status=paid").json()["data"][0]
    return {"served": served, "running": running, "paid": paid, "customer": running["customer_id"]}


@pytest.mark.parametrize("size", ["phone", "tablet"])
def test_no_page_has_a_serious_accessibility_violation(
    context_at: Any,
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    clock: TestClock,
    screenshot: Screenshot,
    size: str,
) -> None:
    base = live_server
    day = a_morning(live_merchant, runtime, clock)
    owner, staff_only = (
        login(runtime, live_merchant, "owner"),
        login(runtime, live_merchant, "staff", name="Rui Pinto"),
    )
    page = context_at(WIDTHS[size])
    found: list[str] = []

    page.goto(f"{base}/staff")  # the sign-in form
    found += violations(page)
    sign_in(page, base, owner)
    page.goto(f"{base}/staff/today")
    screenshot(page, f"staff-today-{size}", docs=True)
    found += violations(page)
    for path in (
        "/staff",
        "/staff/customers?q=Leonor",
        "/staff/customers",
        f"/staff/customers/{day['customer']}",
        f"/staff/tabs/{day['running']['id']}",
        f"/staff/tabs/{day['served']['id']}",
        f"/staff/tabs/{day['paid']['id']}",
        f"/staff/tabs/{day['running']['id']}/counter",
        "/staff/bookings/day",
        "/staff/bookings/hours",
        "/staff/services",
        "/staff/team",
        "/staff/policies",
        "/staff/debtors",
        "/staff/close-day",
        "/staff/reports",
        "/staff/reports/sales",
        "/staff/reports/satisfaction",
        "/staff/reports/trust",
        "/staff/reports/cash-flow",
        "/staff/reports/tax",
        "/staff/reports/earnings",
        "/staff/policies/trust",
        "/staff/disputes",
        "/staff/messages",
        "/staff/settings",
        "/staff/settings/password",
        "/staff/settings/payments",
        "/staff/deposits/simulate",
        "/staff/tabs/tab_nothing_here",
    ):
        page.goto(f"{base}{path}")
        found += violations(page)

    # What a member without the access reads: the "not allowed" page.
    other = context_at(WIDTHS[size])
    sign_in(other, base, staff_only)
    other.goto(f"{base}/staff/messages")
    assert other.get_by_role("heading", level=1).inner_text() == "Not allowed"
    found += violations(other)

    customer = context_at(WIDTHS[size])
    for path in (
        f"/t/{day['running']['token']}",
        f"/t/{day['served']['token']}",
        f"/t/{day['paid']['token']}",
        f"/t/{day['paid']['token']}/receipt",
        f"/t/{day['running']['token']}/qr",
        "/t/tok_nothing_here",
    ):
        customer.goto(f"{base}{path}")
        found += violations(customer)
    assert found == []


def test_the_today_page_fits_a_phone(
    context_at: Any, live_server: str, live_merchant: Merchant, runtime: Runtime, clock: TestClock
) -> None:
    a_morning(live_merchant, runtime, clock)
    page = context_at(PHONE)
    sign_in(page, live_server, login(runtime, live_merchant, "manager"))
    assert page.locator("[data-figure=taken]").inner_text() == "€36.70"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("language", ["en-GB", "pt-PT"])
def test_a_refunded_receipt_reads_at_phone_width_without_a_violation(
    browser: Any, live_server: str, live_merchant: Merchant, language: str
) -> None:
    rate = live_merchant.post("/v1/tax-rates", {"name": "IVA 23%", "percent": "23"}).json()
    lunch = live_merchant.service("Lunch", price=1230, tax_rate_id=rate["id"])
    tab = live_merchant.tab()
    live_merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": lunch["id"]})
    live_merchant.post(f"/v1/tabs/{tab['id']}/serve")
    paid = live_merchant.post(
        f"/v1/tabs/{tab['id']}/payments",
        {"method": "card", "card": "4242424242424242", "amount": 1230, "tip": 100},
    )
    assert paid.status_code == 201, paid.text
    for body in (
        {"amount": 615, "reason": "The soup came cold and the second course was very late"},
        {"tip": 100, "reason": "Tip typed twice"},
    ):
        refund = live_merchant.post(f"/v1/payments/{paid.json()['id']}/refunds", body)
        assert refund.status_code == 201, refund.text
    context = browser.new_context(viewport=PHONE, bypass_csp=True, locale=language)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/t/{tab['token']}/receipt")
        heading = "Reembolsos" if language.startswith("pt") else "Refunds"
        assert page.get_by_role("heading", name=heading).is_visible()
        assert page.get_by_test_id("paid-after-refunds").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert violations(page) == []
    finally:
        context.close()

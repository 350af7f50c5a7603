"""The customer's page as a customer meets it on a phone: the way to pay in
reach, promises folded once accepted, words instead of codes, a test-mode note
only when no real money moves. (How it looks is checked in Chromium, in
tests/e2e; here, what the server sends.)"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from fastapi.testclient import TestClient

from servefirst.app import create_app
from servefirst.payments.gateways import Gateways, ManualGateway, SandboxGateway
from servefirst.runtime import Runtime
from tests.conftest import Merchant


def served(merchant: Merchant, *prices: int) -> dict[str, Any]:
    tab = merchant.tab()
    for price in prices:
        svc = merchant.service(
            f"Service {price}", price=price, expected_results=["Warm"], limits=["No refills"]
        )
        assert merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]}).is_success
    assert merchant.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
    return tab


def promises(html: str) -> list[str]:
    """The opening tag of each line's fold of promises."""
    return re.findall(r'<details class="promise"[^>]*>', html)


def test_a_pay_action_with_the_amount_due_closes_the_page(merchant: Merchant) -> None:
    tab = served(merchant, 380, 530)
    html = merchant.client.get(f"/t/{tab['token']}").text
    bar = re.search(
        r'<div class="pay-bar">\s*<a class="button" href="#pay" id="pay-bar">(.*?)</a>', html
    )
    assert bar, html
    assert re.sub(r"<[^>]+>", "", bar.group(1)) == "Pay €9.10"
    assert 'id="pay"' in html  # where it leads: the tip and the card
    # The live poll keeps the bar's amount current, like the form's.
    state = re.search(r"/live\?seen=([^\"]+)\"", html)
    assert state
    live = merchant.client.get(f"/t/{tab['token']}/live?seen={state.group(1)}").text
    assert '<span id="pay-bar-due" data-hx-swap-oob="true">€9.10</span>' in live


def test_nothing_to_pay_no_pay_action(merchant: Merchant) -> None:
    tab = served(merchant, 500)
    paid = merchant.client.post(
        f"/t/{tab['token']}/pay", data={"card": "4242424242424242", "tip": "0"}
    )
    assert paid.status_code == 200
    html = merchant.client.get(f"/t/{tab['token']}").text
    assert "pay-bar" not in html and 'id="pay"' not in html


def test_promises_are_open_until_accepted_then_folded(merchant: Merchant) -> None:
    tab = served(merchant, 380, 530)
    before = merchant.client.get(f"/t/{tab['token']}").text
    assert len(promises(before)) == 2
    assert all(" open" in tag for tag in promises(before))
    # A fold the customer opens keeps its state through the live poll (by id).
    assert all('data-hx-preserve="true"' in tag for tag in promises(before))
    assert len(set(re.findall(r'id="(promise-\d+)"', before))) == 2

    accepted = merchant.client.post(f"/t/{tab['token']}/accept", follow_redirects=False)
    assert accepted.status_code == 303
    after = merchant.client.get(f"/t/{tab['token']}").text
    assert len(promises(after)) == 2
    assert not any(" open" in tag for tag in promises(after))
    assert "No refills" in after  # folded, not gone


def test_sandbox_says_test_mode_and_a_real_processor_says_nothing(
    merchant: Merchant, runtime: Runtime
) -> None:
    tab = served(merchant, 500)
    sandbox = merchant.client.get(f"/t/{tab['token']}").text
    assert "Test mode: no real money." in sandbox
    assert "4000 0000 0000 0002" not in sandbox and "Sandbox" not in sandbox

    processor = Gateways(manual=ManualGateway(), sandbox=SandboxGateway(name="processor"))
    real = create_app(dataclasses.replace(runtime, gateways=processor))
    with TestClient(real, raise_server_exceptions=False) as client:
        html = client.get(f"/t/{tab['token']}").text
    assert 'id="pay"' in html
    assert "Test mode" not in html and "4242" not in html


def test_an_upheld_waiver_reads_as_the_customer_would_say_it(merchant: Merchant) -> None:
    tab = served(merchant, 500)
    raised = merchant.client.post(
        f"/t/{tab['token']}/concern",
        data={"reason": "Cold", "remedy": "waive"},
        follow_redirects=False,
    )
    assert raised.headers["location"].endswith("flash=concern_pending")
    pending = merchant.client.get(f"/t/{tab['token']}").text
    assert "Your concern is with the staff." in pending
    assert "You asked us to waive the charge." in pending

    [concern] = merchant.get(f"/v1/tabs/{tab['id']}/concerns").json()["data"]
    resolved = merchant.post(
        f"/v1/tabs/{tab['id']}/concerns/{concern['id']}/resolve",
        {"decision": "approve", "amount": 200},
    )
    assert resolved.status_code == 200, resolved.text
    html = merchant.client.get(f"/t/{tab['token']}").text
    assert "Your concern was upheld: €2.00 off." in html
    assert "Waive:" not in html and "approved," not in html


def test_the_raise_a_concern_fold_is_a_disclosure(merchant: Merchant) -> None:
    tab = served(merchant, 500)
    html = merchant.client.get(f"/t/{tab['token']}").text
    assert re.search(r"<details>\s*<summary[^>]*>Something not right\? Raise a concern", html)
    css = merchant.client.get("/static/app.css").text
    rule = re.search(r"details > summary \{([^}]*)\}", css)
    assert rule and "display: list-item" in rule.group(1)  # keeps its marker
    assert "display: flex" not in rule.group(1)


def test_the_qr_page_wraps_its_long_link(merchant: Merchant) -> None:
    css = merchant.client.get("/static/app.css").text
    assert re.search(r"\.qr p \{[^}]*overflow-wrap: anywhere", css)


def test_favicon_is_served_by_the_app_and_linked_from_every_page(merchant: Merchant) -> None:
    icon = merchant.client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.content.startswith(b"<svg")
    assert merchant.client.get("/static/favicon.svg").content == icon.content
    tab = merchant.tab()
    for path in (f"/t/{tab['token']}", f"/t/{tab['token']}/qr", "/staff"):
        html = merchant.client.get(path).text
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html, path


def test_no_inline_script_or_handler_on_any_customer_page(merchant: Merchant) -> None:
    tab = served(merchant, 500)
    for path in (f"/t/{tab['token']}", f"/t/{tab['token']}/qr"):
        html = merchant.client.get(path).text
        assert re.findall(r"<script[^>]*>", html) == [
            '<script src="/static/htmx.min.js" defer>',
            '<script src="/static/pages.js" defer>',
        ]
        assert not re.search(r"\s(on\w+|hx-on[:\w-]*)=", html), path

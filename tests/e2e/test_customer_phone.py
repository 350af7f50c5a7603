"""The customer's page as it is met on a phone (390x844) and a tablet, in Chromium:
the way to pay on the first screen, promises folded once accepted, disclosure
markers, a QR page that fits, an icon. Writes the README's screenshots."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Merchant
from tests.e2e.conftest import Screenshot

pytestmark = pytest.mark.browser

#: How long the live poll takes to come round at least once (it runs every 3 s).
ONE_POLL_MS = 4_000


def breakfast(merchant: Merchant) -> dict[str, Any]:
    """A served tab of 3.80 + 5.30 = 9.10, each line with its promises and limits."""
    tab = merchant.tab()
    for name, price, promise, limit in (
        ("Flat white", 380, "Double shot, steamed whole milk", "Oat milk is 0.40 extra"),
        ("Avocado toast", 530, "Sourdough, avocado, lemon, chilli", "Not gluten free"),
    ):
        svc = merchant.service(name, price=price, expected_results=[promise], limits=[limit])
        added = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
        assert added.status_code == 200, added.text
    assert merchant.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
    return tab


def on_first_screen(page: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return bool(box) and box["y"] >= 0 and box["y"] + box["height"] <= height


def folds_open(page: Any) -> list[bool]:
    return page.eval_on_selector_all("details.promise", "els => els.map(el => el.open)")  # type: ignore[no-any-return]


@pytest.mark.parametrize("size", ["phone", "tablet"])
def test_pay_is_on_the_first_screen_and_promises_fold_once_accepted(
    size: str,
    live_server: str,
    live_merchant: Merchant,
    phone_page: Any,
    tablet_page: Any,
    screenshot: Screenshot,
) -> None:
    from playwright.sync_api import expect

    page = phone_page if size == "phone" else tablet_page
    tab = breakfast(live_merchant)
    page.goto(f"{live_server}/t/{tab['token']}")

    pay = page.get_by_role("link", name="Pay €9.10")
    expect(pay).to_be_visible()
    assert on_first_screen(page, pay), pay.bounding_box()
    assert page.eval_on_selector(".pay-bar", "el => getComputedStyle(el).position") == "sticky"
    # Before accepting, the customer reads the promises: they are open.
    assert folds_open(page) == [True, True]
    expect(page.get_by_text("Test mode: no real money.")).to_be_attached()
    screenshot(page, f"customer-open-{size}", docs=True)

    page.get_by_role("button", name="I accept these terms").click()
    expect(page.get_by_role("status")).to_contain_text("accepted the terms")
    assert folds_open(page) == [False, False]
    assert on_first_screen(page, page.get_by_role("link", name="Pay €9.10"))

    # Opened on tap, and still open after the live poll has redrawn the tab.
    page.get_by_text("What you can expect, and the limits").first.click()
    expect(page.get_by_text("Not gluten free")).to_be_hidden()
    expect(page.get_by_text("Oat milk is 0.40 extra")).to_be_visible()
    with page.expect_response(lambda r: "/live?" in r.url, timeout=ONE_POLL_MS * 2):
        pass
    page.wait_for_timeout(200)  # the swap settles after the response
    assert folds_open(page) == [True, False]

    # Every fold shows that it opens: a disclosure marker, not plain text.
    displays = page.eval_on_selector_all(
        "details > summary", "els => els.map(el => getComputedStyle(el).display)"
    )
    assert displays and set(displays) == {"list-item"}, displays

    # The bar leads to the tip and the card.
    page.get_by_role("link", name="Pay €9.10").click()
    expect(page.get_by_label("Card number")).to_be_in_viewport()
    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    page.get_by_role("button", name="Pay now").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_have_text("Your card was declined. Try another card.")
    expect(refusal).to_be_in_viewport()
    expect(page.get_by_label("Card number")).to_be_in_viewport()

    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Pay now").click()
    expect(page.get_by_test_id("charged")).to_have_text("€9.10")
    page.goto(f"{live_server}/t/{tab['token']}")
    expect(page.locator("[data-status=paid]")).to_be_visible()
    expect(page.get_by_role("link", name="Pay €9.10")).to_have_count(0)
    screenshot(page, f"customer-paid-{size}", docs=True)


def test_raise_a_concern_looks_like_something_that_opens(
    live_server: str, live_merchant: Merchant, phone_page: Any
) -> None:
    from playwright.sync_api import expect

    tab = breakfast(live_merchant)
    page = phone_page
    page.goto(f"{live_server}/t/{tab['token']}")
    summary = page.get_by_text("Something not right? Raise a concern")
    assert summary.evaluate("el => getComputedStyle(el).display") == "list-item"
    # The marker takes room: the words start to the right of the summary's edge.
    indent = summary.evaluate(
        """el => { const words = document.createRange(); words.selectNodeContents(el.firstChild);
                   return words.getClientRects()[0].left - el.getBoundingClientRect().left; }"""
    )
    assert indent >= 8, indent
    summary.click()
    expect(page.get_by_label("What went wrong?")).to_be_visible()


def test_an_upheld_waiver_reads_as_words(
    live_server: str, live_merchant: Merchant, phone_page: Any
) -> None:
    from playwright.sync_api import expect

    tab = breakfast(live_merchant)
    page = phone_page
    page.goto(f"{live_server}/t/{tab['token']}")
    page.get_by_text("Something not right? Raise a concern").click()
    page.get_by_label("What went wrong?").fill("The toast was cold")
    page.get_by_label("Waive the charge").check()
    page.get_by_role("button", name="Send concern").click()
    expect(page.get_by_text("Your concern is with the staff.")).to_be_visible()

    [concern] = live_merchant.get(f"/v1/tabs/{tab['id']}/concerns").json()["data"]
    resolved = live_merchant.post(
        f"/v1/tabs/{tab['id']}/concerns/{concern['id']}/resolve",
        {"decision": "approve", "amount": 200},
    )
    assert resolved.status_code == 200, resolved.text
    page.reload()
    expect(page.get_by_text("Your concern was upheld: €2.00 off.")).to_be_visible()
    expect(page.get_by_test_id("amount-due")).to_have_text("€7.10")


def test_the_qr_page_fits_a_phone(
    live_server: str, live_merchant: Merchant, phone_page: Any, screenshot: Screenshot
) -> None:
    tab = live_merchant.tab()
    page = phone_page
    page.goto(f"{live_server}/t/{tab['token']}/qr")
    page.get_by_role("img").wait_for()
    width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1], width
    screenshot(page, "customer-qr-phone")


def test_the_icon_is_served(live_server: str, phone_page: Any) -> None:
    for path in ("/favicon.ico", "/static/favicon.svg"):
        response = phone_page.request.get(f"{live_server}{path}")
        assert response.status == 200, path
        assert response.headers["content-type"].startswith("image/svg+xml")

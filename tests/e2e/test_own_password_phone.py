"""Every member finds their own password at the top of the console, beside
"Sign out", on a 375 px phone in English and in Portuguese: the header still
fits the screen, the link is a full tap target that overlaps nothing, and it
opens the password page (marked there as the page being read)."""

from __future__ import annotations

from typing import Any

import pytest

from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.e2e.conftest import Screenshot
from tests.e2e.test_accessibility import context_at, violations
from tests.e2e.test_back_office_phone import _signed_in

pytestmark = pytest.mark.browser
__all__ = ["context_at"]  # a fixture, used by name

#: The narrowest phone in common use (an iPhone SE, a Galaxy S9).
NARROW = {"width": 375, "height": 667}
#: What the link says, and the heading of the page it opens.
WORDS = {"en": "Your password", "pt_PT": "A sua palavra-passe"}


def _inside(box: dict[str, float]) -> bool:
    return box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"]


def _apart(one: dict[str, float], other: dict[str, float]) -> bool:
    return (
        one["x"] + one["width"] <= other["x"]
        or other["x"] + other["width"] <= one["x"]
        or one["y"] + one["height"] <= other["y"]
        or other["y"] + other["height"] <= one["y"]
    )


@pytest.mark.parametrize("locale", sorted(WORDS))
def test_every_member_reaches_their_password_from_the_header_on_a_phone(
    context_at: Any,
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    screenshot: Screenshot,
    locale: str,
) -> None:
    base, words = live_server, WORDS[locale]
    if locale != "en":
        assert live_merchant.post("/v1/merchant", {"locale": locale}).status_code == 200
    for access in ("staff", "manager", "owner"):
        page = context_at(NARROW)
        _signed_in(page, base, runtime, live_merchant, access)
        bar = page.locator(".staff-bar")
        link = bar.get_by_role("link", name=words, exact=True)
        sign_out = bar.locator(".staff-signout button")
        assert link.is_visible() and sign_out.is_visible(), access
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= NARROW["width"], f"{access}: the page is {width}px wide"
        own, out = link.bounding_box(), sign_out.bounding_box()
        assert _inside(own) and _inside(out), (access, own, out)
        assert own["height"] >= 44, f"{access}: the link is {own['height']}px tall"
        assert _apart(own, out), (access, own, out)
        # Three short rows at most: the menu and the page still start on the first screen.
        assert bar.bounding_box()["height"] <= 160, (access, bar.bounding_box())
        assert violations(page) == []
        screenshot(page, f"own-password-link-{access}-{locale}")

        link.click()
        page.wait_for_url(f"{base}/staff/settings/password")
        assert page.get_by_role("heading", level=1).inner_text() == words
        assert link.get_attribute("aria-current") == "page"

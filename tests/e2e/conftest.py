"""Browser tests: a real uvicorn server and Debian's Chromium, driven by Playwright.

Fixtures (shared with the staff console's browser tests):

* ``live_server`` (session): base URL (``http://127.0.0.1:PORT``) of uvicorn
  running ``create_app(runtime)`` in a background thread, on the session's
  test database.
* ``live_merchant``: a fresh merchant whose ``Merchant`` helper talks to the live
  server over HTTP (same factories as the ``merchant`` fixture).
* ``browser`` (session): headless Chromium from ``/usr/bin/chromium``. Missing,
  the test fails: it never downloads a browser and never skips.
* ``phone_page`` (390x844) and ``tablet_page`` (820x1180): a fresh context + page.
* ``screenshot(page, name)``: writes ``tests/e2e/screenshots/{name}.png`` (the
  whole page; ignored by git). ``screenshot(page, name, docs=True)`` writes the
  first screen to ``docs/screenshots/{name}.png`` instead: committed, and shown
  in the README, so every run keeps them current.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest
import uvicorn

from servefirst.app import create_app
from servefirst.merchants.service import create_merchant
from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.patience import SERVER_START_SECONDS
from tests.ports import free_port

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}


@pytest.fixture(scope="session")
def live_server(runtime: Runtime) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(
        create_app(runtime), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the live uvicorn server did not start")
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    yield base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def live_merchant(runtime: Runtime, live_server: str) -> Iterator[Merchant]:
    """A fresh merchant whose HTTP helper calls the live server (not a TestClient)."""
    with runtime.uow() as uow:
        created = create_merchant(uow, name="Café Azul", currency="EUR")
        uow.commit()
    with httpx.Client(base_url=live_server, timeout=10) as http:
        yield Merchant(created.merchant.merchant_id, created.api_key, http)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium). "
            "The browser tests never download a browser and never skip."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        yield chromium
        chromium.close()


def _page(browser: Any, viewport: dict[str, int]) -> Iterator[Any]:
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    yield from _page(browser, PHONE)


@pytest.fixture
def tablet_page(browser: Any) -> Iterator[Any]:
    yield from _page(browser, TABLET)


class Screenshot(Protocol):
    def __call__(self, page: Any, name: str, *, docs: bool = False) -> Path: ...


@pytest.fixture
def screenshot() -> Screenshot:
    def take(page: Any, name: str, *, docs: bool = False) -> Path:
        folder = DOCS_SCREENSHOTS if docs else SCREENSHOTS
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=not docs, animations="disabled")
        return path

    return take

"""The online booking form's one-time key is answered in the booking's own
transaction: a server that dies after the booking is kept (after its commit,
or while the card processor is asked for the deposit) leaves no booking whose
key is unanswered, so the same form sent again once the idempotency lock has
passed lands on the booking already made, never a second one or a second
deposit. Killed for real after the processor charged, the booking that
``payments recover`` finishes is the one the form lands on, charged once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from servefirst.runtime import Runtime
from servefirst.web import booking_pages
from tests.conftest import Merchant, TestClock
from tests.integration.test_availability_api import Salon
from tests.integration.test_booking_sent_twice import HIDDEN, review_form
from tests.integration.test_bookings_api import GOOD, salon
from tests.integration.test_pages_booking import GUARD, get, post
from tests.integration.test_payment_crash import (
    Server,
    charged,
    servefirst,
    server,  # noqa: F401 (a fixture)
    wait_until,
)


class ServerDied(Exception):
    """Where the server's process would have died: nothing after it runs."""


def past_the_lock(runtime: Runtime, clock: TestClock) -> None:
    clock.advance(seconds=runtime.settings.idempotency_lock_seconds + 1)


def test_a_booking_kept_then_a_crash_and_the_form_sent_again_lands_on_that_booking(
    merchant: Merchant, clock: TestClock, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = Salon(merchant, clock)  # no deposit: one commit makes the booking
    shop.staff("Joana")  # "anyone": a second booking would find Joana free
    form = review_form(shop, shop.at(shop.day(3), "10:00"))
    real_write = booking_pages._write

    def dies_after_the_commit(*args: Any) -> Any:
        real_write(*args)
        raise ServerDied

    monkeypatch.setattr(booking_pages, "_write", dies_after_the_commit)
    assert post(shop, f"/b/{shop.slug}/book", form).status_code == 500
    monkeypatch.setattr(booking_pages, "_write", real_write)
    (kept,) = shop.booked()

    past_the_lock(runtime, clock)
    again = post(shop, f"/b/{shop.slug}/book", form)
    assert again.status_code == 303, again.text
    assert [b["id"] for b in shop.booked()] == [kept["id"]]
    assert get(shop, again.headers["location"]).status_code == 200


def test_a_crash_while_the_deposit_is_asked_then_the_form_sent_again_takes_no_second_deposit(
    merchant: Merchant, clock: TestClock, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = Salon(merchant, clock)
    salon(merchant)  # a newcomer leaves a deposit: the booking commits in phases
    shop.staff("Joana")
    form = {**review_form(shop, shop.at(shop.day(3), "11:00")), "card": GOOD}
    sandbox = runtime.gateways.sandbox
    asked: list[str] = []

    def dies_asking(*args: Any, **kwargs: Any) -> Any:
        asked.append(kwargs["idempotency_key"])
        raise ServerDied

    with monkeypatch.context() as dying:
        dying.setattr(sandbox, "authorize", dies_asking)
        dying.setattr(sandbox, "charge", dies_asking)
        assert post(shop, f"/b/{shop.slug}/book", form).status_code == 500
    (kept,) = shop.booked()
    assert kept["deposit"]["status"] == "pending" and asked == [kept["id"]]

    past_the_lock(runtime, clock)
    again = post(shop, f"/b/{shop.slug}/book", form)
    assert again.status_code == 303, again.text
    assert [(b["id"], b["deposit"]["status"]) for b in shop.booked()] == [(kept["id"], "pending")]
    landed = get(shop, again.headers["location"])
    assert landed.status_code == 200
    assert "being asked for the deposit" in landed.text and "You are booked" not in landed.text


def test_a_server_killed_after_the_deposit_is_charged_then_the_form_sent_again_books_once(
    merchant: Merchant,
    wall_clock: TestClock,
    runtime: Runtime,
    database_url: str,
    server: Callable[[], Server],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The restarted server finds the first send's claim past its lock at once.
    monkeypatch.setenv("SERVEFIRST_IDEMPOTENCY_LOCK_SECONDS", "0")
    shop = Salon(merchant, wall_clock)
    salon(merchant)  # a deposit captured from every newcomer
    shop.staff("Joana")
    running = server()
    browser = httpx.Client(base_url=running.base, follow_redirects=False, timeout=30)
    page = browser.get(f"/b/{shop.slug}", params={"service": shop.cut["id"]})
    found = GUARD.search(page.text)
    assert found, page.text
    entry = {
        "csrf_token": found.group(1),
        "service": shop.cut["id"],
        "staff": "",
        "starts_at": shop.at(shop.day(3), "15:00"),
        "name": "Rita Lopes",
        "email": "rita@example.com",
        "phone": "",
    }
    review = browser.post(f"/b/{shop.slug}/book", data=entry)
    assert review.status_code == 200, review.text
    confirm = review.text[review.text.index(f'action="/b/{shop.slug}/book"') :]
    form = {**dict(HIDDEN.findall(confirm[: confirm.index("</form>")])), "card": GOOD}
    seen: dict[str, Any] = {}

    def confirms() -> None:
        try:
            seen["response"] = httpx.post(
                f"{running.base}/b/{shop.slug}/book",
                data=form,
                cookies=browser.cookies,
                timeout=30,
            )
        except httpx.HTTPError as lost:  # the server died under the request
            seen["error"] = lost

    sending = threading.Thread(target=confirms)
    sending.start()
    wait_until(lambda: len(shop.booked()) == 1, "the booking kept")
    (kept,) = shop.booked()
    wait_until(lambda: charged(runtime, kept["id"]) == 1, "the processor's charge")
    running.kill()
    sending.join()
    assert "response" not in seen

    restarted = server()
    again = httpx.post(
        f"{restarted.base}/b/{shop.slug}/book", data=form, cookies=browser.cookies, timeout=30
    )
    browser.close()
    assert again.status_code == 303, again.text
    landed = httpx.get(f"{restarted.base}{again.headers['location']}")
    assert "being asked for the deposit" in landed.text
    recovered = servefirst(database_url, "payments", "recover", "--grace-seconds", "0", "--json")
    assert recovered.returncode == 0, recovered.stderr
    landed = httpx.get(f"{restarted.base}{again.headers['location']}")
    assert "You are booked" in landed.text and "being asked" not in landed.text
    assert [(b["id"], b["deposit"]["status"]) for b in shop.booked()] == [(kept["id"], "held")]
    assert charged(runtime, kept["id"]) == 1

"""``GET /v1/messages`` a page at a time, as Stripe's lists page: ``limit``
messages newest first, ``has_more`` when older ones follow, and
``starting_after`` (the last id of a page) for the next. Messages sent while
an integrator walks the pages do not shift or repeat the older ones, and a
cursor that is no message of this merchant is refused, not read as the start."""

from __future__ import annotations

from typing import Any

import pytest

from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock


def receipt_for(merchant: Merchant, n: int) -> None:
    """A paid tab of a customer with an e-mail: its receipt is planned now
    (the worker reads the outbox; nothing is sent)."""
    person = merchant.customer(f"Guest {n}", email=f"guest{n}@cafe.example")
    tab = merchant.tab(person["id"])
    service = merchant.service(price=380)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 380})
    assert paid.status_code == 201, paid.text
    runtime: Runtime = merchant.client.app.state.runtime  # type: ignore[attr-defined]
    assert Worker(runtime, merchants=[merchant.id]).plan() >= 1


def page(merchant: Merchant, **query: Any) -> dict[str, Any]:
    answer = merchant.get("/v1/messages", params=query)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def every_page(merchant: Merchant, **query: Any) -> list[list[str]]:
    """The ids of each page, following ``has_more`` from the page ``query`` asks."""
    pages = []
    while True:
        found = page(merchant, **query)
        pages.append([m["id"] for m in found["data"]])
        if not found["has_more"]:
            return pages
        query["starting_after"] = found["data"][-1]["id"]


def test_an_integrator_walks_every_message_a_page_at_a_time(
    merchant: Merchant, clock: TestClock
) -> None:
    for n in range(7):
        receipt_for(merchant, n)
        if n % 2:  # some in the same instant: the order still has one place for each
            clock.advance(seconds=1)
    everything = page(merchant, limit=200)
    assert everything["has_more"] is False and len(everything["data"]) == 7
    pages = every_page(merchant, limit=3)
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [m for p in pages for m in p] == [m["id"] for m in everything["data"]]


def test_a_full_last_page_says_there_is_no_more(merchant: Merchant, clock: TestClock) -> None:
    for n in range(4):
        receipt_for(merchant, n)
        clock.advance(seconds=1)
    first = page(merchant, limit=2)
    assert first["has_more"] is True
    last = page(merchant, limit=2, starting_after=first["data"][-1]["id"])
    assert last["has_more"] is False and len(last["data"]) == 2


def test_messages_sent_meanwhile_neither_shift_nor_repeat_the_older_pages(
    merchant: Merchant, clock: TestClock
) -> None:
    for n in range(6):
        receipt_for(merchant, n)
        clock.advance(seconds=1)
    before = [m["id"] for m in page(merchant, limit=200)["data"]]
    first = page(merchant, limit=2)
    for n in range(6, 9):  # the café goes on taking payments
        receipt_for(merchant, n)
        clock.advance(seconds=1)
    rest = every_page(merchant, limit=2, starting_after=first["data"][-1]["id"])
    assert [m["id"] for m in first["data"]] + [m for p in rest for m in p] == before


def test_pages_keep_to_the_filter_they_were_asked_with(
    merchant: Merchant, clock: TestClock
) -> None:
    for n in range(3):
        receipt_for(merchant, n)
        clock.advance(seconds=1)
    customer_id = page(merchant, limit=1)["data"][0]["customer_id"]
    only_hers = page(merchant, customer_id=customer_id, limit=1)
    assert only_hers["has_more"] is False
    newest = page(merchant, limit=3)["data"]
    pending = page(merchant, status="pending", limit=1, starting_after=newest[0]["id"])
    assert [m["id"] for m in pending["data"]] == [newest[1]["id"]] and pending["has_more"]


@pytest.mark.parametrize("whose", ["made_up", "other_business"])
def test_a_cursor_that_is_no_message_of_this_merchant_is_refused(
    merchant: Merchant, new_merchant: Any, clock: TestClock, whose: str
) -> None:
    receipt_for(merchant, 0)
    if whose == "made_up":
        cursor = "msg_nosuchmessage"
    else:
        other = new_merchant("Salão")
        receipt_for(other, 1)
        cursor = page(other)["data"][0]["id"]
    refused = merchant.get("/v1/messages", params={"starting_after": cursor})
    assert refused.status_code == 404, refused.text
    error = refused.json()["error"]
    assert (error["type"], error["code"], error["param"]) == (
        "invalid_request_error",
        "resource_missing",
        "starting_after",
    )
    assert f"'{cursor}'" in error["message"]


def test_a_cursor_that_cannot_be_an_id_is_refused_in_the_error_shape(merchant: Merchant) -> None:
    refused = merchant.get("/v1/messages", params={"starting_after": "msg_" + "x" * 60})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["param"] == "starting_after"
    blank = merchant.get("/v1/messages", params={"starting_after": ""})
    assert blank.status_code == 422, blank.text
    assert blank.json()["error"]["param"] == "starting_after"

"""A console money form sent twice at the same moment (a double tap, the
same page open in two browser tabs) moves the money once.

The cash and refund forms carry how many payments (refunds) the page showed;
the count is compared once the tab is held for the write, so the second
sending waits for the first and then finds it: 409 ``paid_since`` /
``refunded_since``, nothing recorded twice, the ledger balanced.

The race is made certain rather than hoped for: the first sending is paused
just before it takes the tab's lock, until the second one has answered. On
PostgreSQL the second one goes through meanwhile and the first, let go,
finds it; on SQLite the first already holds the write lock (``BEGIN
IMMEDIATE``) so the second waits for it, and the pause ends by its timeout.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from servefirst.ledger.service import audit
from servefirst.runtime import Runtime
from servefirst.tabs.repository import TabRepository
from tests.conftest import Merchant
from tests.integration.test_pages_staff import Staff
from tests.integration.test_refund_pages import _cash

#: How long the first sending waits for the second (on SQLite, in vain).
PAUSE = 2.0


class FirstHeldBack:
    """The first ``TabRepository.lock`` of the test waits, just before it
    takes the row, until ``go`` is set (or ``PAUSE`` passes)."""

    def __init__(self) -> None:
        self.waiting = threading.Event()
        self.go = threading.Event()
        self._first = True
        self._guard = threading.Lock()

    def wrap(self, lock: Callable[..., Any]) -> Callable[..., Any]:
        def held_back(repository: TabRepository, tab_id: str) -> Any:
            with self._guard:
                first, self._first = self._first, False
            if first:
                self.waiting.set()
                self.go.wait(PAUSE)
            return lock(repository, tab_id)

        return held_back


@pytest.fixture
def held_back(monkeypatch: pytest.MonkeyPatch) -> Iterator[FirstHeldBack]:
    pause = FirstHeldBack()
    monkeypatch.setattr(TabRepository, "lock", pause.wrap(TabRepository.lock))
    yield pause
    pause.go.set()


def _together(
    pause: FirstHeldBack, first: Callable[[], Any], second: Callable[[], Any]
) -> list[Any]:
    """``first`` sent and held back before its lock; ``second`` sent meanwhile,
    and ``first`` let go once ``second`` has its answer."""

    def then_let_go() -> Any:
        assert pause.waiting.wait(30), "the first sending never reached the tab's lock"
        try:
            return second()
        finally:
            pause.go.set()

    with ThreadPoolExecutor(2) as pool:
        sent = [pool.submit(first), pool.submit(then_let_go)]
        return [s.result(timeout=60) for s in sent]


def _ledger_sound(runtime: Runtime, merchant: Merchant) -> None:
    merchant.balances()  # asserts the total is 0
    with runtime.uow(merchant.id, write=False) as uow:
        result = audit(uow)
    assert result.ok, (result.mismatched_accounts, result.unbalanced_entries)


def _seen(page: str, name: str) -> str:
    [seen] = re.findall(rf'name="{name}" value="(\d+)"', page)
    return seen


def test_cash_sent_from_two_tabs_at_once_is_recorded_once(
    runtime: Runtime,
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    held_back: FirstHeldBack,
) -> None:
    tab = merchant.served_tab(3000)
    tills = [signed_in(merchant, "staff"), signed_in(merchant, "staff")]
    forms = []
    for till in tills:  # the same page, open twice
        seen = _seen(till.get(f"/staff/tabs/{tab['id']}").text, "payments_seen")
        forms.append({"amount": "10.00", "tip": "", "payments_seen": seen})
    cash = f"/staff/tabs/{tab['id']}/cash"

    answers = _together(
        held_back,
        lambda: tills[0].post(cash, forms[0], follow_redirects=False),
        lambda: tills[1].post(cash, forms[1], follow_redirects=False),
    )

    assert sorted(a.status_code for a in answers) == [303, 409]
    [refused] = [a for a in answers if a.status_code == 409]
    assert "A payment was recorded on this tab since the page was shown" in html.unescape(
        refused.text
    )
    shown = merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert shown["paid"] == 1000
    assert [p["amount"] for p in merchant.get(f"/v1/tabs/{tab['id']}/payments").json()["data"]] == [
        1000
    ]
    _ledger_sound(runtime, merchant)


def test_a_refund_sent_from_two_tabs_at_once_is_made_once(
    runtime: Runtime,
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    held_back: FirstHeldBack,
) -> None:
    tab = merchant.served_tab(2500)
    payment = _cash(merchant, tab, 2500)
    managers = [signed_in(merchant, "manager"), signed_in(merchant, "manager")]
    forms = []
    for manager in managers:
        seen = _seen(manager.get(f"/staff/tabs/{tab['id']}").text, "refunds_seen")
        forms.append({"amount": "2", "tip": "", "reason": "Wrong change", "refunds_seen": seen})
    refund = f"/staff/tabs/{tab['id']}/payments/{payment['id']}/refund"

    answers = _together(
        held_back,
        lambda: managers[0].post(refund, forms[0], follow_redirects=False),
        lambda: managers[1].post(refund, forms[1], follow_redirects=False),
    )

    assert sorted(a.status_code for a in answers) == [303, 409]
    [refused] = [a for a in answers if a.status_code == 409]
    assert "This payment was refunded since the page was shown." in html.unescape(refused.text)
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["refunded"] == 200
    listed = merchant.get(f"/v1/payments/{payment['id']}/refunds").json()["data"]
    assert [r["amount"] for r in listed] == [200]
    _ledger_sound(runtime, merchant)

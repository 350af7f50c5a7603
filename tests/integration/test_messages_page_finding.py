"""The console's Messages page finds any message, not only the newest twenty:
by the customer (a name, an e-mail, or their id), by state (the failed ones),
and a page at a time back in time with an "Older" link, as an owner looks for
the reminders a late payer was sent three weeks ago. A wrong search is said
beside its field, what was typed kept."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from servefirst.runtime import Runtime
from tests import delivery_servers
from tests.conftest import Merchant, TestClock
from tests.delivery_servers import Mailbox
from tests.integration.test_pages_staff import Staff
from tests.integration.test_pages_staff_messages import worker

smtp_server = delivery_servers.smtp_server

OLDER = re.compile(r'<a href="(/staff/messages\?[^"]+)" rel="next" data-testid="older">')


def _found(page: str) -> list[str]:
    """The addresses of the messages the page lists, in its order."""
    listed = page.split('data-testid="messages-found"')
    if len(listed) == 1:
        return []
    items = re.findall(r"<li>(.*?)</li>", listed[1].split("</ul>")[0], re.S)
    return [re.search(r"\S+@\S+\.example", html.unescape(i)).group(0) for i in items]  # type: ignore[union-attr]


def _paid(merchant: Merchant, name: str, email: str) -> None:
    person = merchant.customer(name, email=email)
    tab = merchant.tab(person["id"])
    service = merchant.service(price=380)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 380})
    assert paid.status_code == 201, paid.text


def _a_late_payer_then_a_busy_month(
    runtime: Runtime, merchant: Merchant, clock: TestClock, smtp: tuple[str, Mailbox]
) -> str:
    """Sara owes since three weeks ago (her reminders went); 22 receipts since."""
    sara = merchant.customer("Sara Lopes", email="sara@late.example")
    tab = merchant.tab(sara["id"])
    service = merchant.service(price=4500)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"]})
    assert merchant.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
    worker(runtime, merchant, smtp).drain()
    clock.advance(seconds=21 * 86400)
    worker(runtime, merchant, smtp).drain()
    for n in range(22):
        _paid(merchant, f"Guest {n}", f"guest{n}@cafe.example")
    worker(runtime, merchant, smtp).drain()
    return str(sara["id"])


def test_an_owner_finds_a_late_payer_s_reminders_by_name_id_or_older_pages(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    signed_in: Callable[..., Staff],
    smtp_server: tuple[str, Mailbox],
) -> None:
    sara = _a_late_payer_then_a_busy_month(runtime, merchant, clock, smtp_server)
    api = merchant.get(f"/v1/messages?customer_id={sara}").json()["data"]
    assert api, "the reminders were planned"
    owner = signed_in(merchant, "owner")

    newest = owner.get("/staff/messages").text
    assert len(_found(newest)) == 20 and "sara@late.example" not in _found(newest)
    # Older pages, one after another, until hers.
    pages, link = 0, OLDER.search(newest)
    seen = _found(newest)
    while link is not None:
        older = owner.get(html.unescape(link.group(1))).text
        seen += _found(older)
        pages, link = pages + 1, OLDER.search(older)
    assert pages >= 1
    assert seen.count("sara@late.example") == len(api)
    # Every message once, none skipped or repeated at a page's edge.
    assert len(seen) == len(merchant.get("/v1/messages?limit=200").json()["data"])

    for typed in ("sara", "Sara Lopes", "late.example", sara):
        found = owner.get("/staff/messages", params={"customer": typed}).text
        assert _found(found) == ["sara@late.example"] * len(api), typed
        assert f'value="{typed}"' in found


def test_the_failed_ones_and_a_wrong_search_in_portuguese(
    runtime: Runtime,
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    smtp_server: tuple[str, Mailbox],
) -> None:
    smtp_server[1].refuse.add("gone@cafe.example")
    _paid(merchant, "Rui Gomes", "gone@cafe.example")
    _paid(merchant, "Ana Reis", "ana@cafe.example")
    worker(runtime, merchant, smtp_server).drain()
    owner = signed_in(merchant, "owner")
    failed = owner.get("/staff/messages", params={"state": "failed"}).text
    assert _found(failed) == ["gone@cafe.example"]
    assert '<option value="failed" selected>' in failed

    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    nobody = owner.get("/staff/messages", params={"customer": "Zé Ninguém"}).text
    assert _found(nobody) == [] and "Nenhuma mensagem corresponde." in nobody
    wrong = owner.get("/staff/messages", params={"customer": "Ana", "state": "lost"})
    assert wrong.status_code == 422
    assert 'id="search-state-error">Escolha um estado da lista.</p>' in wrong.text
    assert 'aria-describedby="search-state-error"' in wrong.text
    assert 'value="Ana"' in wrong.text
    # A page's cursor mangled by hand is refused too, said above the search.
    mangled = owner.get("/staff/messages", params={"after": "msg\x00"})
    assert mangled.status_code == 422 and 'id="search-error"' in mangled.text
    long = owner.get("/staff/messages", params={"customer": "a" * 300})
    assert long.status_code == 422
    assert 'id="search-customer-error"' in long.text and 'aria-invalid="true"' in long.text


def test_a_customer_s_page_leads_a_manager_to_their_messages(
    runtime: Runtime,
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    smtp_server: tuple[str, Mailbox],
) -> None:
    _paid(merchant, "Rui Gomes", "rui@cafe.example")
    _paid(merchant, "Ana Reis", "ana@cafe.example")
    worker(runtime, merchant, smtp_server).drain()
    [rui] = [c for c in merchant.get("/v1/customers").json()["data"] if c["name"] == "Rui Gomes"]
    manager = signed_in(merchant, "manager")
    link = re.search(
        r'href="([^"]+)" data-testid="customer-messages"',
        manager.get(f"/staff/customers/{rui['id']}").text,
    )
    assert link, "the customer's page links to their messages"
    assert _found(manager.get(html.unescape(link.group(1))).text) == ["rui@cafe.example"]
    # A staff member cannot open the Messages page: no link to it.
    member = signed_in(merchant, "staff")
    assert 'data-testid="customer-messages"' not in member.get(f"/staff/customers/{rui['id']}").text

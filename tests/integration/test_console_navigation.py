"""The menu on every console page: only what one's access opens, the current page marked."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.conftest import Merchant
from tests.integration.test_pages_staff import Staff, https_client, new_staff  # noqa: F401

NAV = re.compile(r'<nav class="staff-nav"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"( class="current" aria-current="page")?>([^<]+)</a>')


def menu_of(html: str) -> list[tuple[str, bool, str]]:
    found = NAV.search(html)
    assert found, "no menu on the page"
    return [(href, bool(current), name) for href, current, name in LINK.findall(found.group(1))]


def signed_in(new_staff: Callable[..., Staff], merchant: Merchant, access: str) -> Staff:  # noqa: F811
    person = new_staff(merchant, access=access)
    assert person.sign_in().status_code == 200
    return person


def test_a_staff_member_sees_the_counter_not_the_messages(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    person = signed_in(new_staff, merchant, "staff")
    links = menu_of(person.get("/staff").text)
    hrefs = [href for href, _, _ in links]
    assert "/staff" in hrefs and "/staff/customers" in hrefs
    assert "/staff/messages" not in hrefs
    assert [href for href, current, _ in links if current] == ["/staff"]


def test_a_manager_sees_messages_marked_current_there(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    person = signed_in(new_staff, merchant, "manager")
    links = menu_of(person.get("/staff/messages").text)
    assert [href for href, current, _ in links if current] == ["/staff/messages"]


@pytest.mark.parametrize("path", ["/staff", "/staff/customers", "/staff/find?code=NOPE42"])
def test_every_console_page_has_the_menu(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
    path: str,
) -> None:
    person = signed_in(new_staff, merchant, "owner")
    assert menu_of(person.get(path).text)


def test_a_tab_and_a_customer_page_have_the_menu(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    person = signed_in(new_staff, merchant, "staff")
    tab = merchant.served_tab(450)
    on_tab = menu_of(person.get(f"/staff/tabs/{tab['id']}").text)
    assert [href for href, current, _ in on_tab if current] == ["/staff"]
    on_customer = menu_of(person.get(f"/staff/customers/{tab['customer_id']}").text)
    assert [href for href, current, _ in on_customer if current] == ["/staff/customers"]


def test_the_forbidden_page_keeps_the_menu_of_what_one_may_open(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    person = signed_in(new_staff, merchant, "staff")
    page = person.get("/staff/messages")
    assert page.status_code == 403
    assert "/staff/messages" not in [href for href, _, _ in menu_of(page.text)]


def test_the_menu_speaks_the_members_language(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    merchant.post("/v1/merchant", {"locale": "pt_PT"})
    person = signed_in(new_staff, merchant, "manager")
    names = [name for _, _, name in menu_of(person.get("/staff").text)]
    assert names[:3] == ["Hoje", "Balcão", "Clientes"] and "Mensagens" in names


#: The member's own password, beside "Sign out" at the top of every console page.
OWN = re.compile(
    r'<div class="staff-account">\s*<a class="staff-own" href="/staff/settings/password"'
    r'( aria-current="page")?>([^<]+)</a>\s*<form method="post" action="/staff/sign-out"'
)


@pytest.mark.parametrize("access", ["staff", "manager", "owner"])
@pytest.mark.parametrize(
    ("language", "words"), [("en", "Your password"), ("pt", "A sua palavra-passe")]
)
def test_every_member_finds_their_password_beside_signing_out(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
    access: str,
    language: str,
    words: str,
) -> None:
    person = signed_in(new_staff, merchant, access)
    if language == "pt":
        assert person.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    for path in ("/staff/today", "/staff", "/staff/customers", "/staff/settings"):
        found = OWN.search(person.get(path).text)
        assert found, path
        assert found.group(2) == words and not found.group(1), path
    own = person.get("/staff/settings/password")
    assert own.status_code == 200
    found = OWN.search(own.text)
    assert found and found.group(1), "the link is marked on the page it opens"

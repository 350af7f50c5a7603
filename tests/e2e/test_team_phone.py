"""An owner runs the team on a 390 px phone, in English and in Portuguese:
adds a barista with a console login (a weak first password is refused beside
its field, what was typed kept), makes her a manager, and she signs in on her
own phone to a manager's console. Each state fits the screen and has no
serious accessibility violation (axe)."""

from __future__ import annotations

from typing import Any

import pytest

from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.e2e.conftest import PHONE, Screenshot
from tests.e2e.test_accessibility import context_at, violations
from tests.e2e.test_back_office_phone import _fits_the_phone, _signed_in

pytestmark = pytest.mark.browser
__all__ = ["context_at"]  # a fixture, used by name

FIRST_PASSWORD = "morning shift 7"

#: What each language says: the add form's summary and fields, the refusal of a
#: short password, the notices, the access form and how the row reads after.
WORDS = {
    "en": {
        "new": "New team member",
        "name": "Name",
        "title": "Job title",
        "access": "Access",
        "email": "E-mail",
        "password": "First password",
        "add": "Add to the team",
        "short": "A password needs at least 10 characters.",
        "added": "Added to the team: they sign in at /staff",
        "change": "Change title or access",
        "manager": "manager",
        "save": "Save title and access",
        "saved": "Title and access saved",
        "row": "barista · manager",
    },
    "pt_PT": {
        "new": "Novo membro da equipa",
        "name": "Nome",
        "title": "Função",
        "access": "Acesso",
        "email": "Endereço de e-mail",
        "password": "Primeira palavra-passe",
        "add": "Adicionar à equipa",
        "short": "A palavra-passe precisa de ter pelo menos 10 caracteres.",
        "added": "Novo membro adicionado à equipa: entra em /staff",
        "change": "Alterar função ou acesso",
        "manager": "gerente",
        "save": "Guardar função e acesso",
        "saved": "Função e acesso guardados",
        "row": "barista · gerente",
    },
}


@pytest.mark.parametrize("locale", sorted(WORDS))
def test_an_owner_adds_a_barista_and_makes_her_a_manager_on_a_phone(
    context_at: Any,
    browser: Any,
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    screenshot: Screenshot,
    locale: str,
) -> None:
    page, base, words = context_at(PHONE), live_server, WORDS[locale]
    if locale != "en":
        assert live_merchant.post("/v1/merchant", {"locale": locale}).status_code == 200
    _signed_in(page, base, runtime, live_merchant, "owner")
    page.goto(f"{base}/staff/team")
    _fits_the_phone(page)

    # The new member, with a first password too short: refused beside it, the rest kept.
    add = page.locator("section[aria-labelledby='add-member-heading']")
    add.get_by_text(words["new"], exact=True).click()
    email = f"joana.{locale.lower()}.{live_merchant.id[-6:]}@azul.example"
    add.get_by_label(words["name"]).fill("Joana Reis")
    add.get_by_label(words["title"]).fill("barista")
    add.get_by_label(words["email"]).fill(email)
    add.get_by_label(words["password"]).fill("short 1")
    add.get_by_role("button", name=words["add"]).click()
    refusal = add.locator("#new-password-error")
    assert refusal.inner_text() == words["short"]
    assert refusal.is_visible()
    assert add.get_by_label(words["name"]).input_value() == "Joana Reis"
    assert add.get_by_label(words["email"]).input_value() == email
    assert add.get_by_label(words["password"]).input_value() == ""
    _fits_the_phone(page)
    assert violations(page) == []
    screenshot(page, f"staff-team-add-refused-{locale}")
    add.get_by_label(words["password"]).fill(FIRST_PASSWORD)
    add.get_by_role("button", name=words["add"]).click()
    page.wait_for_url("**/staff/team?done=added_login")
    assert page.get_by_text(words["added"]).is_visible()

    # Her title and access: made a manager from her row.
    row = page.get_by_test_id("team").locator("li", has_text="Joana Reis")
    row.get_by_text(words["change"], exact=True).click()
    row.get_by_label(words["access"]).select_option(label=words["manager"])
    _fits_the_phone(page)
    row.get_by_role("button", name=words["save"]).click()
    page.wait_for_url("**/staff/team?done=access")
    assert page.get_by_text(words["saved"]).is_visible()
    row = page.get_by_test_id("team").locator("li", has_text="Joana Reis")
    assert words["row"] in row.inner_text()
    _fits_the_phone(page)
    assert violations(page) == []
    screenshot(page, f"staff-team-access-saved-{locale}")
    joana = next(m for m in live_merchant.get("/v1/staff").json()["data"] if m["email"] == email)
    assert (joana["role"], joana["access"], joana["can_sign_in"]) == ("barista", "manager", True)

    # Joana signs in on her own phone with the first password: a manager's console.
    hers = browser.new_context(viewport=PHONE)
    try:
        own = hers.new_page()
        own.set_default_timeout(10_000)
        own.goto(f"{base}/staff")
        own.get_by_label("E-mail").fill(email)
        own.get_by_label("Password").fill(FIRST_PASSWORD)
        own.get_by_role("button", name="Sign in").click()
        own.wait_for_url(f"{base}/staff/today?done=signed_in")
        assert own.goto(f"{base}/staff/close-day").status == 200
        assert own.goto(f"{base}/staff/team").status == 403
    finally:
        hers.close()

"""An owner runs the team from the console: adds a barista who then signs in
with the first password the owner gave, adds a stylist who never signs in,
makes someone a manager, and is refused, beside the field and in the
reader's language, what the staff service refuses (the last owner stepping
down, a weak password, an e-mail that already has a login...). Nothing is
written on a refusal; managers may do none of it."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Merchant
from tests.integration.test_pages_staff import PASSWORD, Staff, https_client  # noqa: F401
from tests.integration.test_pages_team import own_id, section
from tests.integration.test_refund_pages import _portuguese

PAGE = "/staff/team"
COMMISSION_WORDS = (
    "Give the commission as a percent from 0 to 100, with at most two decimals, like 12.5."
)


def everyone(merchant: Merchant) -> list[dict[str, Any]]:
    found = merchant.get("/v1/staff", params={"include_inactive": "true"}).json()["data"]
    return list(found)


def named(merchant: Merchant, name: str) -> dict[str, Any]:
    return next(m for m in everyone(merchant) if m["name"] == name)


def new_email() -> str:
    return f"joana.{secrets.token_hex(4)}@lume.example"


def joana(**changes: str) -> dict[str, str]:
    """The add form as an owner fills it for Joana, a barista who signs in."""
    return {
        "name": "Joana Reis",
        "role": "barista",
        "access": "staff",
        "email": new_email(),
        "password": "morning shift 7",
        **changes,
    }


def beside(page: str, field_id: str) -> str:
    """The refusal said beside the field whose error element is ``field_id``."""
    found = re.search(rf'<span class="field-error" role="alert" id="{field_id}">(.*?)</span>', page)
    assert found, page
    assert f'aria-describedby="{field_id}"' in page
    return found.group(1)


# --- adding someone --------------------------------------------------------------------------


def test_the_owner_adds_a_barista_who_then_signs_in_with_the_password_given(
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    https_client: Callable[[], Any],  # noqa: F811
) -> None:
    owner = signed_in(merchant, "owner")
    form = joana()
    added = owner.post(PAGE, form, follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"] == f"{PAGE}?done=added_login"
    page = owner.get(added.headers["location"]).text
    assert "they sign in at /staff with the e-mail and the password you chose" in page
    assert "Joana Reis" in section(page, "team-heading")
    assert "barista · staff" in section(page, "team-heading")
    assert 'name="role" required maxlength="40"' in page  # the title's limit, before sending
    member = named(merchant, "Joana Reis")
    assert (member["role"], member["access"]) == ("barista", "staff")
    assert (member["email"], member["can_sign_in"]) == (form["email"], True)

    # Joana signs in on her own phone with the first password, and sees the counter, not the team.
    barista = Staff(https_client(), merchant, form["email"])
    assert barista.sign_in(form["password"]).status_code == 200
    assert barista.get("/staff/today").status_code == 200
    assert barista.get(PAGE).status_code == 403


def test_a_stylist_who_never_signs_in_is_added_for_bookings_and_lines(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    form = {"name": "Sofia Marques", "role": "stylist", "access": "staff"}
    added = owner.post(PAGE, form, follow_redirects=True)
    assert added.status_code == 200 and "Added to the team." in added.text
    sofia = named(merchant, "Sofia Marques")
    assert (sofia["email"], sofia["can_sign_in"], sofia["active"]) == (None, False, True)
    team = section(added.text, "team-heading")
    assert "no sign-in" in team[team.index("Sofia Marques") :].split("</li>")[0]
    # She is offered at the desk at once.
    tab = merchant.tab()
    assert f'value="{sofia["id"]}"' in owner.get(f"/staff/tabs/{tab['id']}").text


REFUSED_ADDITIONS = [
    ({"name": "  "}, "name", 422, "A staff member needs a name."),
    ({"role": ""}, "role", 422, "Give a job title of 1 to 40 characters."),
    ({"role": "x" * 41}, "role", 422, "Give a job title of 1 to 40 characters."),
    ({"access": "admin"}, "access", 422, "Choose owner, manager or staff access."),
    ({"email": "joana@"}, "email", 422, "Enter a valid e-mail address."),
    ({"password": ""}, "password", 422, "A sign-in needs both an e-mail and a password."),
    ({"email": ""}, "email", 422, "A sign-in needs both an e-mail and a password."),
    ({"password": "short 1"}, "password", 422, "A password needs at least 10 characters."),
    ({"password": "aaaaaaaaaaaa"}, "password", 422, "That password is too easy to guess."),
    (
        {"commission": "150"},
        "commission",
        422,
        COMMISSION_WORDS,
    ),
]


@pytest.mark.parametrize(("changes", "field", "status", "words"), REFUSED_ADDITIONS)
def test_a_refused_new_member_is_said_beside_its_field_and_nothing_is_written(
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    changes: dict[str, str],
    field: str,
    status: int,
    words: str,
) -> None:
    owner = signed_in(merchant, "owner")
    before = everyone(merchant)
    form = joana(**changes)
    refused = owner.post(PAGE, form)
    assert refused.status_code == status, refused.text
    assert beside(refused.text, f"new-{field}-error") == words
    assert everyone(merchant) == before
    # What was typed comes back (the password never does), the form open.
    add_form = section(refused.text, "add-member-heading")
    assert "<details open>" in add_form
    for typed in ("name", "role", "email"):
        assert f'value="{form[typed]}"' in add_form, typed
    assert '<option value="staff" selected>' in add_form or field == "access"
    if form["password"]:
        assert form["password"] not in refused.text


def test_an_e_mail_that_already_has_a_login_is_refused_beside_it(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    form = joana()
    assert owner.post(PAGE, form, follow_redirects=False).status_code == 303
    before = everyone(merchant)
    again = owner.post(PAGE, {**form, "name": "Joana R."})
    assert again.status_code == 409
    assert beside(again.text, "new-email-error") == f"{form['email']} already has a login here."
    assert everyone(merchant) == before


def test_in_portuguese_a_new_member_is_refused_in_portuguese(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    _portuguese(merchant, owner)
    page = owner.get(PAGE).text
    for words in ("Adicionar alguém à equipa", "Primeira palavra-passe", "Adicionar à equipa"):
        assert words in page, words
    no_name = owner.post(PAGE, joana(name=""))
    assert beside(no_name.text, "new-name-error") == "Indique o nome do membro da equipa."
    weak = owner.post(PAGE, joana(password="short 1"))
    assert (
        beside(weak.text, "new-password-error")
        == "A palavra-passe precisa de ter pelo menos 10 caracteres."
    )
    form = joana()
    added = owner.post(PAGE, form, follow_redirects=True)
    assert "Novo membro adicionado à equipa" in added.text
    taken = owner.post(PAGE, {**form, "name": "Joana R."})
    assert beside(taken.text, "new-email-error") == (
        f"{form['email']} já tem acesso à consola deste negócio."
    )


def test_a_manager_may_not_add_anyone(merchant: Merchant, signed_in: Callable[..., Staff]) -> None:
    manager = signed_in(merchant, "manager")
    before = everyone(merchant)
    refused = manager.post(PAGE, joana())
    assert refused.status_code == 403 and "Not allowed" in refused.text
    assert everyone(merchant) == before


def test_a_stale_add_form_writes_nothing_and_keeps_what_was_typed(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    before = everyone(merchant)
    owner.csrf = "stale"
    refused = owner.post(PAGE, joana())
    assert refused.status_code == 403 and "This form had expired" in refused.text
    assert 'value="Joana Reis"' in refused.text
    assert everyone(merchant) == before


# --- changing a member's title or access ------------------------------------------------------


def test_the_owner_makes_a_barista_a_manager_and_her_console_opens_to_it_at_once(
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    https_client: Callable[[], Any],  # noqa: F811
) -> None:
    owner = signed_in(merchant, "owner")
    form = joana()
    assert owner.post(PAGE, form, follow_redirects=False).status_code == 303
    barista = Staff(https_client(), merchant, form["email"])
    assert barista.sign_in(form["password"]).status_code == 200
    assert barista.get("/staff/messages").status_code == 403
    member = named(merchant, "Joana Reis")

    changed = owner.post(
        f"{PAGE}/{member['id']}/access",
        {"role": "head barista", "access": "manager"},
        follow_redirects=False,
    )
    assert changed.status_code == 303 and changed.headers["location"] == f"{PAGE}?done=access"
    page = owner.get(changed.headers["location"]).text
    assert "Title and access saved" in page
    assert "head barista · manager" in section(page, "team-heading")
    after = named(merchant, "Joana Reis")
    assert (after["role"], after["access"]) == ("head barista", "manager")
    # Her session, still open, now opens a manager's pages.
    assert barista.get("/staff/messages").status_code == 200


def test_the_last_owner_may_not_give_up_owner_access(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    me = own_id(owner)
    refused = owner.post(f"{PAGE}/{me}/access", {"role": "owner", "access": "manager"})
    assert refused.status_code == 409
    assert (
        beside(refused.text, f"access-{me}-error")
        == "Rita owner is the last owner: make someone else an owner first."
    )
    assert merchant.get(f"/v1/staff/{me}").json()["access"] == "owner"
    assert owner.get(PAGE).status_code == 200


def test_an_owner_may_step_down_while_another_owner_remains(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    other = merchant.post("/v1/staff", {"name": "Sara Reis", "access": "owner"}).json()
    me = own_id(owner)
    stepped = owner.post(
        f"{PAGE}/{me}/access", {"role": "manager", "access": "manager"}, follow_redirects=False
    )
    assert stepped.status_code == 303
    assert stepped.headers["location"] == "/staff/today?done=access_changed"
    assert "Your access has changed" in owner.get(stepped.headers["location"]).text
    assert owner.get(PAGE).status_code == 403
    assert merchant.get(f"/v1/staff/{other['id']}").json()["access"] == "owner"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"role": " "}, "role", "Give a job title of 1 to 40 characters."),
        ({"access": "boss"}, "access", "Choose owner, manager or staff access."),
        (
            {"commission": "12.345"},
            "commission",
            COMMISSION_WORDS,
        ),
    ],
)
def test_a_refused_title_or_access_is_said_beside_it_and_nothing_changes(
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    changes: dict[str, str],
    field: str,
    words: str,
) -> None:
    owner = signed_in(merchant, "owner")
    sofia = merchant.post("/v1/staff", {"name": "Sofia Marques", "role": "stylist"}).json()
    form = {"role": "senior stylist", "access": "manager", **changes}
    refused = owner.post(f"{PAGE}/{sofia['id']}/access", form)
    assert refused.status_code == 422
    assert beside(refused.text, f"{field}-{sofia['id']}-error") == words
    now = merchant.get(f"/v1/staff/{sofia['id']}").json()
    assert (now["role"], now["access"], now["commission_rate_bps"]) == ("stylist", "staff", 0)


def test_no_such_member_is_said_above_the_page(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    refused = owner.post(f"{PAGE}/stf_nobody/access", {"role": "barista", "access": "staff"})
    assert refused.status_code == 404
    assert "There is no such team member." in refused.text


def test_a_manager_may_not_change_anyones_access(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    me = own_id(manager)
    refused = manager.post(f"{PAGE}/{me}/access", {"role": "owner", "access": "owner"})
    assert refused.status_code == 403 and "Not allowed" in refused.text
    assert merchant.get(f"/v1/staff/{me}").json()["access"] == "manager"


def test_a_stale_access_form_changes_nothing(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    sofia = merchant.post("/v1/staff", {"name": "Sofia Marques", "role": "stylist"}).json()
    owner.csrf = "stale"
    refused = owner.post(f"{PAGE}/{sofia['id']}/access", {"role": "stylist", "access": "owner"})
    assert refused.status_code == 403 and "This form had expired" in refused.text
    assert merchant.get(f"/v1/staff/{sofia['id']}").json()["access"] == "staff"


def test_in_portuguese_the_last_owner_is_refused_in_portuguese(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    _portuguese(merchant, owner)
    me = own_id(owner)
    assert "Alterar função, acesso ou comissão" in owner.get(PAGE).text
    refused = owner.post(f"{PAGE}/{me}/access", {"role": "owner", "access": "staff"})
    assert refused.status_code == 409
    assert beside(refused.text, f"access-{me}-error") == (
        "Rita owner é a última pessoa titular: torne primeiro outra pessoa titular."
    )
    sofia = merchant.post("/v1/staff", {"name": "Sofia Marques", "role": "stylist"}).json()
    saved = owner.post(
        f"{PAGE}/{sofia['id']}/access",
        {"role": "stylist", "access": "manager"},
        follow_redirects=True,
    )
    assert "Função e acesso guardados" in saved.text


def team_form_pages(merchant: Merchant, person: Staff) -> dict[str, str]:
    """The team page with each form refused, for the HTML check: the add form
    (a weak password) and a member's title and access (no title)."""
    weak = person.post(PAGE, joana(password="short 1"))
    assert weak.status_code == 422, weak.text
    sofia = merchant.post("/v1/staff", {"name": "Sofia Marques", "role": "stylist"}).json()
    untitled = person.post(f"{PAGE}/{sofia['id']}/access", {"role": "", "access": "staff"})
    assert untitled.status_code == 422, untitled.text
    return {"staff-team-add-refused": weak.text, "staff-team-access-refused": untitled.text}


# --- commission ---------------------------------------------------------------------------------


def test_the_owner_sets_a_commission_when_adding_and_changes_it_later(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    form = {"name": "Sofia Marques", "role": "stylist", "access": "staff", "commission": "15"}
    assert owner.post(PAGE, form, follow_redirects=False).status_code == 303
    sofia = named(merchant, "Sofia Marques")
    assert sofia["commission_rate_bps"] == 1500
    assert 'name="commission" inputmode="decimal" value="15"' in owner.get(PAGE).text
    # Blank leaves it as it is; a new rate counts from now on.
    keep = {"role": "stylist", "access": "staff", "commission": ""}
    assert owner.post(f"{PAGE}/{sofia['id']}/access", keep).status_code == 200
    assert named(merchant, "Sofia Marques")["commission_rate_bps"] == 1500
    raised = {"role": "stylist", "access": "staff", "commission": "17.5 %"}
    assert owner.post(f"{PAGE}/{sofia['id']}/access", raised).status_code == 200
    assert named(merchant, "Sofia Marques")["commission_rate_bps"] == 1750


def test_in_portuguese_a_commission_is_typed_and_shown_with_a_decimal_comma(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    _portuguese(merchant, owner)
    sofia = merchant.post("/v1/staff", {"name": "Sofia Marques", "role": "stylist"}).json()
    form = {"role": "stylist", "access": "staff", "commission": "12,5"}
    saved = owner.post(f"{PAGE}/{sofia['id']}/access", form, follow_redirects=True)
    assert saved.status_code == 200
    assert merchant.get(f"/v1/staff/{sofia['id']}").json()["commission_rate_bps"] == 1250
    assert 'name="commission" inputmode="decimal" value="12,5"' in saved.text
    refused = owner.post(f"{PAGE}/{sofia['id']}/access", {**form, "commission": "doze"})
    assert refused.status_code == 422
    assert beside(refused.text, f"commission-{sofia['id']}-error") == (
        "Indique a comissão em percentagem, de 0 a 100, com duas casas decimais no máximo,"
        " por exemplo 12,5."
    )
    assert 'value="doze"' in refused.text  # what was typed comes back
    assert merchant.get(f"/v1/staff/{sofia['id']}").json()["commission_rate_bps"] == 1250

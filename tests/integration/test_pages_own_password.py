"""A member changes their own console password: a barista replaces the first
password the owner chose, signs in with the new one (the old one no longer
opens the console), and the other browsers signed in as them are signed out
while this one stays. Each refusal is said beside its field, in the reader's
language, writes nothing and never gives a password back; a wrong current
password counts on the sign-in's own throttle, so the page guesses no faster
than the sign-in form."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from servefirst.runtime import Runtime
from servefirst.staff import password_change
from servefirst.staff.models import StaffAccount, StaffSession
from servefirst.staff.rules import EMAIL_FAILURE_LIMIT
from servefirst.staff.service import hasher
from servefirst.staff.signing_in import verifies
from tests.conftest import Merchant, TestClock
from tests.integration.test_pages_staff import (  # noqa: F401
    PASSWORD,
    Staff,
    https_client,
    new_staff,
)

PAGE = "/staff/settings/password"
NEW = "green tea at noon 7"
NUL = "\x00"


def beside(page: str, error_id: str) -> str:
    """The refusal said beside the field that the element ``error_id`` describes."""
    found = re.search(rf'<span class="field-error" role="alert" id="{error_id}">(.*?)</span>', page)
    assert found, page
    assert re.search(rf'aria-describedby="([^"]* )?{error_id}"', page), page
    return found.group(1)


def member_signed_in(new_staff: Callable[..., Staff], merchant: Merchant, access: str) -> Staff:  # noqa: F811
    person = new_staff(merchant, access=access)
    assert person.sign_in().status_code == 200
    return person


def another_browser(person: Staff, https_client: Callable[[], Any]) -> Staff:  # noqa: F811
    """The same member signed in on a second device."""
    other = Staff(https_client(), person.merchant, person.email)
    assert other.sign_in().status_code == 200
    return other


def change(person: Staff, current: str = PASSWORD, new: str = NEW, again: str | None = None) -> Any:
    form = {"current_password": current, "new_password": new, "confirm_password": again or new}
    return person.post(PAGE, form, follow_redirects=False)


def stored(runtime: Runtime, merchant: Merchant, email: str) -> tuple[str, int]:
    """The account's password hash and how many sessions it has."""
    with runtime.uow(merchant.id, write=False) as uow:
        account = uow.session.scalars(
            select(StaffAccount).where(
                StaffAccount.merchant_id == merchant.id, StaffAccount.email == email
            )
        ).one()
        sessions = uow.session.scalar(
            select(func.count()).where(
                StaffSession.merchant_id == merchant.id,
                StaffSession.staff_id == account.staff_id,
            )
        )
        return account.password_hash, int(sessions or 0)


def signs_in(person: Staff, https_client: Callable[[], Any], password: str) -> int:  # noqa: F811
    """The status of a sign-in with ``password`` from a new browser."""
    return int(Staff(https_client(), person.merchant, person.email).sign_in(password).status_code)


# --- the change ---------------------------------------------------------------------------------


@pytest.mark.parametrize("access", ["staff", "owner"])
def test_a_member_changes_their_password_and_only_the_new_one_signs_in(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
    https_client: Callable[[], Any],  # noqa: F811
    access: str,
) -> None:
    person = member_signed_in(new_staff, merchant, access)
    settings = person.get("/staff/settings").text
    assert f'href="{PAGE}"' in settings  # reached from the member's own settings
    form = person.get(PAGE)
    assert form.status_code == 200 and 'name="current_password"' in form.text
    assert 'aria-current="page"' in form.text.split('href="/staff/settings"', 1)[1][:40]

    changed = change(person)
    assert changed.status_code == 303, changed.text
    assert changed.headers["location"] == f"{PAGE}?done=password_changed"
    notice = person.get(changed.headers["location"]).text
    assert "Password changed. Every other browser signed in as you has been signed out." in notice
    assert person.get("/staff/today").status_code == 200  # this browser stays signed in

    assert signs_in(person, https_client, NEW) == 200
    assert signs_in(person, https_client, PASSWORD) == 401


def test_changing_the_password_signs_out_the_members_other_browsers_only(
    runtime: Runtime,
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
    https_client: Callable[[], Any],  # noqa: F811
) -> None:
    person = member_signed_in(new_staff, merchant, "staff")
    phone = another_browser(person, https_client)
    colleague = member_signed_in(new_staff, merchant, "staff")
    assert stored(runtime, merchant, person.email)[1] == 2

    assert change(person).status_code == 303
    assert stored(runtime, merchant, person.email)[1] == 1
    assert person.get("/staff/today").status_code == 200
    assert phone.get("/staff/today", follow_redirects=False).headers["location"] == "/staff"
    assert colleague.get("/staff/today").status_code == 200  # someone else's sessions stay
    # The phone's next form meets a console that asks it to sign in again.
    late = change(phone, current=NEW, new="another secret 42")
    assert late.status_code == 401 and "Your session has ended" in late.text


# --- refusals ------------------------------------------------------------------------------------


REFUSALS = [
    pytest.param(
        {"current_password": "wrong password 1"},
        "current_password",
        422,
        "That is not the password you sign in with now.",
        id="wrong-current",
    ),
    pytest.param(
        {"current_password": ""},
        "current_password",
        422,
        "Type the password you sign in with now.",
        id="no-current",
    ),
    pytest.param(
        {"new_password": "short 1", "confirm_password": "short 1"},
        "new_password",
        422,
        "A password needs at least 10 characters.",
        id="too-short",
    ),
    pytest.param(
        {"new_password": "abababababab", "confirm_password": "abababababab"},
        "new_password",
        422,
        "That password is too easy to guess.",
        id="too-easy",
    ),
    pytest.param(
        {"confirm_password": "green tea at noon 8"},
        "confirm_password",
        422,
        "The two new passwords differ: type the same one in both boxes.",
        id="confirmation-differs",
    ),
    pytest.param(
        {"new_password": f"green{NUL}tea at noon", "confirm_password": f"green{NUL}tea at noon"},
        "new_password",
        422,
        "holds a character that cannot be kept (a NUL character)",
        id="nul",
    ),
]


@pytest.mark.parametrize(("typed", "field", "status", "words"), REFUSALS)
def test_a_refused_change_is_said_beside_its_field_and_writes_nothing(
    runtime: Runtime,
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
    https_client: Callable[[], Any],  # noqa: F811
    typed: dict[str, str],
    field: str,
    status: int,
    words: str,
) -> None:
    person = member_signed_in(new_staff, merchant, "staff")
    phone = another_browser(person, https_client)
    before = stored(runtime, merchant, person.email)
    form = {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW, **typed}
    refused = person.post(PAGE, form)
    assert refused.status_code == status, refused.text
    assert words in beside(refused.text, f"{field}-error")
    assert 'aria-invalid="true"' in refused.text.split(f'id="{field}"', 1)[1].split(">", 1)[0]
    for sent in form.values():
        if sent:
            assert sent.replace(NUL, "") not in refused.text  # no password given back
    assert re.findall(r'<input type="password"[^>]*value=', refused.text) == []
    assert stored(runtime, merchant, person.email) == before
    assert phone.get("/staff/today").status_code == 200
    assert signs_in(person, https_client, PASSWORD) == 200


def test_the_new_password_may_not_be_the_members_e_mail(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    person = member_signed_in(new_staff, merchant, "staff")
    refused = change(person, new=person.email.upper())
    assert refused.status_code == 422
    said = beside(refused.text, "new_password-error")
    assert said == "The password must not be the e-mail address."


def test_a_stale_form_is_given_back_and_changes_nothing(
    runtime: Runtime,
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    person = member_signed_in(new_staff, merchant, "staff")
    before = stored(runtime, merchant, person.email)
    form = {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW}
    stale = person.client.post(PAGE, data={**form, "csrf_token": "from another session"})
    assert stale.status_code == 403
    assert "This form had expired, so nothing was saved." in stale.text
    assert stored(runtime, merchant, person.email) == before


def test_a_password_changed_in_another_window_meanwhile_is_not_overwritten(
    runtime: Runtime,
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person = member_signed_in(new_staff, merchant, "staff")
    elsewhere = hasher.hash("changed in the other window")

    def checked_while_another_window_changes_it(password_hash: str, password: str) -> bool:
        with runtime.uow(merchant.id) as uow:
            account = uow.session.scalars(
                select(StaffAccount).where(StaffAccount.email == person.email)
            ).one()
            account.password_hash = elsewhere
            uow.commit()
        return verifies(password_hash, password)

    monkeypatch.setattr(password_change, "verifies", checked_while_another_window_changes_it)
    refused = change(person)
    assert refused.status_code == 409
    assert beside(refused.text, "current_password-error") == (
        "Your password was changed in another window meanwhile: type the one you sign in with now."
    )
    assert stored(runtime, merchant, person.email)[0] == elsewhere


# --- the sign-in's throttle ----------------------------------------------------------------------


def test_wrong_current_passwords_lock_the_page_and_the_sign_in_out_like_sign_in_failures(
    runtime: Runtime,
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
    clock: TestClock,
) -> None:
    person = member_signed_in(new_staff, merchant, "staff")
    before = stored(runtime, merchant, person.email)
    for n in range(EMAIL_FAILURE_LIMIT):
        assert change(person, current=f"guess number {n}").status_code == 422
    locked = change(person)  # even the right one, once locked
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    said = beside(locked.text, "current_password-error")
    assert said == "Too many wrong passwords. Wait 15 minutes, then try again."
    assert stored(runtime, merchant, person.email) == before
    # The same count as the sign-in form's: this browser (its known-device
    # cookie kept, its session cookie dropped) cannot sign in either.
    person.client.cookies.delete("sf_staff")
    assert person.sign_in().status_code == 429

    clock.advance(minutes=16)
    assert person.sign_in().status_code == 200
    assert change(person).status_code == 303


# --- Portuguese ----------------------------------------------------------------------------------


def test_the_page_and_its_refusals_in_the_members_portuguese(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    person = member_signed_in(new_staff, merchant, "staff")
    assert person.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    assert "Alterar a palavra-passe" in person.get("/staff/settings").text
    form = person.get(PAGE).text
    assert "Palavra-passe atual" in form and "Repita a nova palavra-passe" in form

    differs = change(person, again="green tea at noon 8")
    assert beside(differs.text, "confirm_password-error") == (
        "As duas novas palavras-passe não são iguais: escreva a mesma nos dois campos."
    )
    short = change(person, new="curta 1")
    assert beside(short.text, "new_password-error") == (
        "A palavra-passe precisa de ter pelo menos 10 caracteres."
    )
    done = person.get(change(person).headers["location"]).text
    assert (
        "Palavra-passe alterada. As sessões abertas noutros navegadores foram terminadas." in done
    )

    wrong = change(person, current=PASSWORD)  # the old one, no longer
    assert beside(wrong.text, "current_password-error") == (
        "Essa não é a palavra-passe com que entra agora."
    )
    for n in range(EMAIL_FAILURE_LIMIT - 1):
        assert change(person, current=f"palpite {n}", new=PASSWORD).status_code == 422
    locked = change(person, current=NEW, new=PASSWORD)
    assert locked.status_code == 429
    assert beside(locked.text, "current_password-error") == (
        "Demasiadas palavras-passe erradas. Aguarde 15 minutos e tente de novo."
    )


# --- the HTML check ------------------------------------------------------------------------------


def own_password_pages(person: Staff) -> dict[str, str]:
    """The password page as a member meets it, for the HTML check: empty,
    refused beside each field, and with its notice. Nothing is changed (the
    notice is the page after a change), so ``person`` signs in as before."""
    pages = {"staff-password": person.get(PAGE).text}
    pages["staff-password-changed"] = person.get(f"{PAGE}?done=password_changed").text
    refusals = {"no-current": {"current_password": ""}, "short": {"new_password": "x"}}
    refusals["differs"] = {"confirm_password": secrets.token_hex(8)}
    for name, typed in refusals.items():
        form = {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW}
        refused = person.post(PAGE, {**form, **typed})
        assert refused.status_code == 422, refused.text
        pages[f"staff-password-refused-{name}"] = refused.text
    return pages

"""What a member's change of their own password is refused for before the
current password is checked (``rules.new_password_refusal``): plain values,
no database, each refusal naming the field it is said beside."""

from __future__ import annotations

import pytest

from servefirst.staff.rules import (
    CONFIRMATION_DIFFERS,
    CURRENT_MISSING,
    MAX_PASSWORD_LENGTH,
    new_password_refusal,
)

EMAIL = "ana@azul.example"
NEW = "green tea at noon 7"


@pytest.mark.parametrize(
    ("current", "new", "again", "field", "message"),
    [
        ("", NEW, NEW, "current_password", CURRENT_MISSING),
        (
            "old one",
            "short 1",
            "short 1",
            "new_password",
            "A password needs at least 10 characters.",
        ),
        (
            "old one",
            "xy " * MAX_PASSWORD_LENGTH,
            "",
            "new_password",
            f"A password may have at most {MAX_PASSWORD_LENGTH} characters.",
        ),
        (
            "old one",
            "abababababab",
            "abababababab",
            "new_password",
            "That password is too easy to guess.",
        ),
        (
            "old one",
            " ANA@azul.example ",
            " ANA@azul.example ",
            "new_password",
            "The password must not be the e-mail address.",
        ),
        ("old one", NEW, NEW + " ", "confirm_password", CONFIRMATION_DIFFERS),
    ],
)
def test_a_change_is_refused_beside_the_field_at_fault(
    current: str, new: str, again: str, field: str, message: str
) -> None:
    refusal = new_password_refusal(current, new, again, EMAIL)
    assert refusal is not None and refusal.param == field and refusal.status == 422
    assert refusal.message == message


def test_a_strong_new_password_typed_twice_passes_to_the_check_of_the_current_one() -> None:
    assert new_password_refusal("whatever was typed", NEW, NEW, EMAIL) is None

"""The payment reminders' days as typed in the console: whole days, read the
same way the member's language writes numbers, and never a decimal silently
read as two days ("1,5" is one and a half in Portuguese, not days 1 and 5)."""

from __future__ import annotations

import pytest

from servefirst.kit.errors import InvalidRequest
from servefirst.messages.settings_form import WHOLE_DAYS, days_shown, reminder_days_from


@pytest.mark.parametrize("typed", ["1, 3, 7", "1,3,7", "1 3 7", "1;3;7", " 1 ;3,  7 ", "1,3,7,"])
def test_in_english_days_are_separated_by_commas_spaces_or_semicolons(typed: str) -> None:
    assert reminder_days_from(typed, decimal_comma=False) == [1, 3, 7]


@pytest.mark.parametrize("typed", ["1; 3; 7", "1;3;7", "1 3 7", "1, 3, 7", "1 ,3 ,7"])
def test_in_portuguese_days_are_separated_by_semicolons_spaces_or_a_comma_and_a_space(
    typed: str,
) -> None:
    assert reminder_days_from(typed, decimal_comma=True) == [1, 3, 7]


@pytest.mark.parametrize(
    ("typed", "decimal_comma"),
    [
        ("1.5", False),  # one and a half, in English
        ("2, 4.5", False),
        ("1,5", True),  # one and a half, in Portuguese: never days 1 and 5
        ("1,3,7", True),  # 1,3 and 7, or 1, 3 and 7? not guessed
        ("2; 4,5", True),
        ("1.5", True),
        ("soon", False),
        ("2 days", True),
    ],
)
def test_what_is_not_whole_days_is_refused_on_the_field(typed: str, decimal_comma: bool) -> None:
    with pytest.raises(InvalidRequest) as refused:
        reminder_days_from(typed, decimal_comma=decimal_comma)
    assert (refused.value.code, refused.value.param) == (WHOLE_DAYS, "reminder_days")


def test_no_days_is_no_reminders() -> None:
    assert reminder_days_from("  ", decimal_comma=True) == []


def test_the_days_are_shown_as_the_field_reads_them_back() -> None:
    assert days_shown([1.0, 3.0, 7.0], decimal_comma=False) == "1, 3, 7"
    assert days_shown([1.0, 3.0, 7.0], decimal_comma=True) == "1; 3; 7"
    for decimal_comma in (False, True):
        shown = days_shown([2.0, 4.0, 10.0], decimal_comma=decimal_comma)
        assert reminder_days_from(shown, decimal_comma=decimal_comma) == [2, 4, 10]
    # A fractional day set through the API is shown as the language writes it.
    assert days_shown([1.5], decimal_comma=True) == "1,5"

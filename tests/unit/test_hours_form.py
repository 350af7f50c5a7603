"""The console's text for working hours, split into the pairs the hours API takes."""

from __future__ import annotations

import pytest

from servefirst.kit.errors import InvalidRequest
from servefirst.staff.hours_form import exceptions_of, ranges_of, text_of_exceptions, text_of_ranges


def test_a_day_is_ranges_separated_by_commas_or_spaces() -> None:
    assert ranges_of("09:00-13:00, 14:00-18:00", param="p") == [
        ["09:00", "13:00"],
        ["14:00", "18:00"],
    ]
    assert ranges_of(" 09:00 – 13:00 ;14:00 - 18:00 ", param="p") == [
        ["09:00", "13:00"],
        ["14:00", "18:00"],
    ]
    assert ranges_of("", param="p") == []


def test_a_part_that_is_not_a_range_is_refused_naming_the_day() -> None:
    with pytest.raises(InvalidRequest) as refused:
        ranges_of("09:00-13:00, lunch", param="weekly.mon")
    assert refused.value.code == "hours_invalid" and refused.value.param == "weekly.mon"


def test_an_exception_is_a_date_and_its_hours_or_the_date_alone_for_a_day_off() -> None:
    text = "2026-12-24\n\n2026-12-31 09:00-13:00"
    found = exceptions_of(text)
    assert found == [
        {"date": "2026-12-24", "hours": []},
        {"date": "2026-12-31", "hours": [["09:00", "13:00"]]},
    ]
    assert text_of_exceptions(found) == "2026-12-24\n2026-12-31 09:00-13:00"
    assert text_of_ranges([["09:00", "13:00"], ["14:00", "18:00"]]) == "09:00-13:00, 14:00-18:00"


def test_a_portuguese_exception_is_written_day_first_and_kept_in_iso() -> None:
    found = exceptions_of("24/12/2026\n31-12-2026 09:00-13:00", "pt")
    assert found == [
        {"date": "2026-12-24", "hours": []},
        {"date": "2026-12-31", "hours": [["09:00", "13:00"]]},
    ]
    assert text_of_exceptions(found, "pt") == "24/12/2026\n31/12/2026 09:00-13:00"


def test_an_exception_that_names_no_day_goes_on_as_typed_for_the_hours_check() -> None:
    assert exceptions_of("31/02/2026", "pt") == [{"date": "31/02/2026", "hours": []}]

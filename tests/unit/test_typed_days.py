"""A day typed in a form field is read as its reader writes it: a Portuguese
owner's 05/12/2026 is the fifth of December, an English page's 2026-12-05 the
same day, and a day the calendar does not have is refused in words."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servefirst.kit import i18n
from servefirst.kit.errors import InvalidRequest
from servefirst.kit.refusals import in_words
from servefirst.kit.typed_days import day_example, form_of, read_day, shown_day

DAYS = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


@given(day=DAYS, language=st.sampled_from(i18n.LANGUAGES))
def test_a_day_shown_in_a_field_reads_back_as_that_day(day: date, language: str) -> None:
    assert read_day(shown_day(day, language), language, param="date") == day


@given(day=DAYS, language=st.sampled_from(i18n.LANGUAGES))
def test_the_iso_form_links_send_reads_in_every_language(day: date, language: str) -> None:
    assert read_day(day.isoformat(), language, param="date") == day


@given(
    day=st.integers(0, 40),
    month=st.integers(0, 15),
    year=st.integers(1, 9999),
    separator=st.sampled_from("/-."),
)
def test_a_portuguese_day_first_date_is_that_day_or_refused(
    day: int, month: int, year: int, separator: str
) -> None:
    typed = f"{day:02d}{separator}{month:02d}{separator}{year:04d}"
    try:
        expected: date | None = date(year, month, day)
    except ValueError:
        expected = None
    if expected is None:
        with pytest.raises(InvalidRequest) as refused:
            read_day(typed, "pt", param="date")
        assert refused.value.code == "date_invalid" and refused.value.param == "date"
    else:
        assert read_day(typed, "pt", param="date") == expected


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("05/12/2026", date(2026, 12, 5)),
        ("5/12/2026", date(2026, 12, 5)),
        (" 05-12-2026 ", date(2026, 12, 5)),
        ("05.12.2026", date(2026, 12, 5)),
        ("2026-12-05", date(2026, 12, 5)),
        ("29/02/2028", date(2028, 2, 29)),
    ],
)
def test_a_portuguese_owner_types_the_day_first(typed: str, day: date) -> None:
    assert read_day(typed, "pt", param="date") == day


def test_an_english_page_keeps_reading_iso_only() -> None:
    assert read_day("2026-12-05", "en", param="from") == date(2026, 12, 5)
    with pytest.raises(InvalidRequest):
        read_day("05/12/2026", "en", param="from")


@pytest.mark.parametrize(
    "typed",
    [
        "05/12",
        "05/12/26",
        "5 de dezembro",
        "05/12/2026 10:00",
        "1/2/3/2026",
        "abc",
        "",
        "٠٥/١٢/٢٠٢٦",
    ],
)
def test_what_is_no_day_is_refused_with_the_form_to_write(typed: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        read_day(typed, "pt", param="from")
    with i18n.use_language("pt"):
        assert in_words(refused.value) == "Escreva o dia como dd/mm/aaaa, p. ex. 25/11/2026."
    with i18n.use_language("en"):
        assert in_words(refused.value) == "Write the day as dd/mm/aaaa, e.g. 25/11/2026."
    assert refused.value.param == "from"


def test_the_thirty_first_of_february_is_refused_with_the_month_length() -> None:
    with pytest.raises(InvalidRequest) as refused:
        read_day("31/02/2026", "pt", param="date")
    with i18n.use_language("pt"):
        said = in_words(refused.value)
    assert said == "O dia 31/02/2026 não existe: fevereiro de 2026 tem 28 dias."


def test_a_month_over_twelve_is_refused_not_swapped_with_the_day() -> None:
    """Babel reads 05/13/2026 as the 13th of May; a Portuguese 05/13 is a slip."""
    with pytest.raises(InvalidRequest) as refused:
        read_day("05/13/2026", "pt", param="date")
    with i18n.use_language("pt"):
        assert in_words(refused.value) == "O dia 05/13/2026 não existe no calendário."


def test_the_hint_names_the_form_in_the_readers_letters() -> None:
    assert (form_of("pt_PT").letters, day_example("pt")) == ("dd/mm/aaaa", "25/11/2026")
    assert (form_of("en").letters, day_example("en")) == ("YYYY-MM-DD", "2026-11-25")
    assert shown_day(date(2026, 12, 5), "pt") == "05/12/2026"

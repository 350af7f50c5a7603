"""Money, numbers and times as the merchant's customers read them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from servefirst.kit import formats, i18n
from servefirst.kit.money import Money

SUMMER_AFTERNOON = datetime(2026, 7, 4, 13, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "amount", "currency", "shown"),
    [
        ("pt_PT", 450, "EUR", "4,50\xa0€"),
        ("en", 450, "EUR", "€4.50"),
        ("en_GB", 123456, "GBP", "£1,234.56"),
        ("de_DE", 450, "EUR", "4,50\xa0€"),
        ("en", 500, "JPY", "JP¥500"),
        ("no such thing", 450, "EUR", "€4.50"),
    ],
)
def test_money_follows_the_merchants_locale(
    locale: str, amount: int, currency: str, shown: str
) -> None:
    with formats.use_place(locale, "UTC"):
        assert formats.money(amount, currency) == shown
        assert formats.money(Money(amount, currency)) == shown


def test_times_are_on_the_merchants_clock() -> None:
    with formats.use_place("pt_PT", "Europe/Lisbon"), i18n.use_language("pt"):
        assert formats.format_time(SUMMER_AFTERNOON) == "14:30"
        assert formats.format_date(SUMMER_AFTERNOON, "full") == "sábado, 4 de julho de 2026"
    with formats.use_place("en", "Asia/Tokyo"), i18n.use_language("en"):
        assert formats.format_datetime(SUMMER_AFTERNOON) == "4 Jul 2026, 22:30"


def test_the_words_of_a_date_follow_the_readers_language() -> None:
    # An English-speaking member of a Lisbon café: English month names, Lisbon's clock.
    with formats.use_place("pt_PT", "Europe/Lisbon"), i18n.use_language("en"):
        assert formats.format_datetime(SUMMER_AFTERNOON) == "4 Jul 2026, 14:30"
        assert formats.money(450, "EUR") == "4,50\xa0€"


def test_a_wrong_zone_reads_as_utc_rather_than_failing_a_page() -> None:
    with formats.use_place("en", "Mars/Olympus"):
        assert formats.format_time(SUMMER_AFTERNOON) == "13:30"


def test_nothing_shows_as_nothing() -> None:
    assert formats.money(None) == "" and formats.format_time(None) == ""
    with pytest.raises(ValueError, match="currency"):
        formats.money(450)


def test_a_count_in_a_sentence_is_grouped_as_its_language_writes_it() -> None:
    """'2,000' in a Portuguese sentence reads as two: counts follow the
    reader's language, and the business's own grouping when it speaks it."""
    with formats.use_place("en", "UTC"), i18n.use_language("en"):
        assert formats.count(10080) == "10,080"
    with formats.use_place("en", "UTC"), i18n.use_language("pt"):
        assert formats.count(10080) == "10.080"
    with formats.use_place("pt_PT", "Europe/Lisbon"), i18n.use_language("pt"):
        assert formats.count(10080) == "10\u00a0080"

"""A customer's reward and progress in words, as a Lisbon café's customer reads
them: no article guessed before a service's name (Portuguese would need to
know its gender), and a percent with the place's decimal comma."""

from __future__ import annotations

from decimal import Decimal

from servefirst.kit import formats, i18n
from servefirst.loyalty.rules import LoyaltyProgram, ProgramKind, RewardSpec, RewardType
from servefirst.loyalty.words import progress_words, reward_words

TOSTA = RewardSpec(RewardType.FREE_SERVICE, service_id="svc_tosta")


def test_a_free_tosta_mista_reads_without_a_masculine_article() -> None:
    stamps = LoyaltyProgram(ProgramKind.VISITS, TOSTA, visits_per_reward=10)
    with i18n.use_language("pt"), formats.use_place("pt_PT", "Europe/Lisbon"):
        assert reward_words(TOSTA, "EUR", "Tosta mista") == "tosta mista grátis"
        assert progress_words(stamps, 2, "EUR", "Tosta mista") == (
            "Faltam 2 visitas para ganhar tosta mista grátis"
        )
        assert (
            progress_words(stamps, 1, "EUR", "Galão") == "Falta 1 visita para ganhar galão grátis"
        )
    with i18n.use_language("en"):
        assert (
            progress_words(stamps, 2, "EUR", "Flat white") == "2 more visits to a free flat white"
        )


def test_a_percent_off_is_written_with_the_places_decimal_mark() -> None:
    half_off = RewardSpec(RewardType.PERCENT_OFF, percent=Decimal("12.5"))
    with i18n.use_language("pt"), formats.use_place("pt_PT", "Europe/Lisbon"):
        assert reward_words(half_off, "EUR", None) == "12,5% de desconto"
    with i18n.use_language("en"), formats.use_place("en_GB", "Europe/London"):
        assert reward_words(half_off, "EUR", None) == "12.5% off"

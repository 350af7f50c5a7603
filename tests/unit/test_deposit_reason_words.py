"""Why a deposit was or was not asked reads in the page's language: every
reason the deposit rules, the no-show model and the card steps write is of a
known set, said back in Portuguese with its numbers; anything else stays as
written (the API keeps the English)."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from decimal import Decimal

import pytest

from servefirst.bookings.rules import DepositPolicy, decide_deposit
from servefirst.kit import i18n
from servefirst.risk.decision import decide
from servefirst.risk.model import _REFERENCE, DEFAULT, FEATURES, INDEX, WEEKDAYS, factors
from servefirst.trust.rules import Tier
from servefirst.web.deposit_reason_words import deposit_reason_words

#: English words that would show a reason left untranslated on a Portuguese page.
ENGLISH = (
    "no-show",
    "booked",
    "chance",
    "likely",
    "eposit",
    "customer",
    "Card ",
    "card ",
    "kept",
    "ahead",
    "before",
    "starts",
    "price",
    "first",
    "other",
    " on a ",
)


def in_portuguese(reason: str) -> str:
    with i18n.use_language("pt"):
        return deposit_reason_words(reason)


#: A model fit on a merchant's history weighs every factor (the default only some).
FITTED = replace(
    DEFAULT,
    version="fitted-test",
    coefficients={name: 0.4 for name in FEATURES} | {"faded_visits": -0.3, "price_log": 0.2},
)


def model_reasons() -> list[str]:
    """What a no-show model writes of bookings that differ in each of its
    factors: lead time, weekday, hour, history, and a few together."""
    reasons = set()
    leads = [0, 1, 2, 10, 14, 35]
    for lead, weekday, hour, history in itertools.product(
        leads, [None, *WEEKDAYS], ["", "starts_early", "starts_late"], range(5)
    ):
        row = [_REFERENCE[name] for name in FEATURES]
        row[INDEX["lead_log"]] = math.log1p(lead)
        if weekday:
            row[INDEX[f"weekday_{weekday}"]] = 1.0
        if hour:
            row[INDEX[hour]] = 1.0
        facts = {"lead_days": lead}
        if history == 1:  # missed before
            row[INDEX["first_visit"]] = 0.0
            row[INDEX["faded_no_shows"]] = 2.0
            facts.update(no_shows=2, visits=1)
        elif history == 2:  # kept visits before, one booked early in the morning
            row[INDEX["first_visit"]] = 0.0
            row[INDEX["faded_visits"]] = 5.0
            row[INDEX["booked_early"]] = 1.0
            facts.update(visits=5)
        elif history == 3:  # others still to come, a dear service
            row[INDEX["pending_log"]] = math.log1p(3)
            row[INDEX["price_log"]] = math.log1p(200)
        elif history == 4:  # booked before, never came yet: still a first visit
            row[INDEX["bookings_before_log"]] = math.log1p(3)
        for price, share in ((4000, 0.3), (400, 0.0), (40000, 1.0)):
            reasons.add(decide(DEFAULT, row, price=price, facts=facts, ask_share=share).reason)
            reasons.add(decide(FITTED, row, price=price, facts=facts, ask_share=share).reason)
        # Every factor a model names, not only the two strongest a reason keeps.
        for words, _ in factors(FITTED, row, facts):
            reasons.add(f"Deposit asked: a 12% chance of a no-show ({words}).")
    return sorted(reasons)


def test_the_model_s_reasons_all_read_in_portuguese() -> None:
    reasons = model_reasons()
    assert len(reasons) > 20
    for words in (
        "on a ",
        "starts before",
        "starts at",
        "booked before",
        "missed booking",
        "kept before",
        "first visit",
        "other bookings",
        "price of",
        "weeks ahead",
        "days ahead",
        "1 day ahead",
    ):
        assert any(words in r for r in reasons), words
    assert any(r.startswith("Deposit asked") for r in reasons)
    assert any(r.startswith("No deposit needed") for r in reasons)
    left = [
        (r, said) for r in reasons for said in [in_portuguese(r)] if any(w in said for w in ENGLISH)
    ]
    assert left == []


def test_a_model_reason_keeps_its_numbers_in_the_reader_s_way() -> None:
    reason = (
        "Deposit asked: a 30% chance of a no-show (booked 1 day ahead: no-shows are 2.8"
        " times as likely; 2 missed bookings before: no-shows are 2.2 times as likely)."
    )
    assert in_portuguese(reason) == (
        "Sinal pedido: 30% de probabilidade de falta (marcado com 1 dia de antecedência:"
        " as faltas são 2,8 vezes mais prováveis; 2 marcações falhadas antes: as faltas"
        " são 2,2 vezes mais prováveis)."
    )
    with i18n.use_language("en"):
        assert deposit_reason_words(reason) == reason


@pytest.mark.parametrize("tier", list(Tier))
@pytest.mark.parametrize("no_shows", [0, 1, 3])
def test_the_rules_reasons_all_read_in_portuguese(tier: Tier, no_shows: int) -> None:
    for policy in (
        DepositPolicy(enabled=True, percent=Decimal("15"), minimum=200),
        DepositPolicy(),  # no deposits
        DepositPolicy(enabled=True),  # asks for nothing
    ):
        for always in (frozenset(), frozenset(Tier)):
            reason = decide_deposit(
                policy, price=4000, tier=tier, no_shows=no_shows, required_for=always
            ).reason
            said = in_portuguese(reason)
            assert not any(w in said for w in ENGLISH), (reason, said)


@pytest.mark.parametrize(
    ("reason", "said"),
    [
        (
            "New customer: a small deposit holds the slot. Card ending 4242 charged now: the"
            " booking is too far ahead for a card hold.",
            "Cliente novo: um pequeno sinal reserva a marcação. Cartão terminado em 4242"
            " cobrado já: a marcação é demasiado distante para uma cativação no cartão.",
        ),
        (
            "The card hold lapsed and could not be renewed (card_declined).",
            "A cativação no cartão expirou e não pôde ser renovada (card_declined).",
        ),
        (
            "The rest of the deposit could not be held again on the card (expired_card).",
            "O resto do sinal não pôde voltar a ser cativado no cartão (expired_card).",
        ),
    ],
)
def test_what_the_card_steps_add_reads_in_portuguese(reason: str, said: str) -> None:
    assert in_portuguese(reason) == said


def test_words_not_of_the_set_stay_as_written() -> None:
    cut_short = "New customer: a small deposit holds the slot. Card ending 4242 charged no"
    assert in_portuguese(cut_short) == (
        "Cliente novo: um pequeno sinal reserva a marcação. Card ending 4242 charged no"
    )
    assert in_portuguese("Asked by hand.") == "Asked by hand."
    assert in_portuguese("") == ""

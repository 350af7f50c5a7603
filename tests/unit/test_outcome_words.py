"""How a booking ended reads in the console's language: every sentence the
cancellation, no-show and move rules write of it, numbers kept, beside what
the note says of a refund the card processor refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from servefirst.bookings import refund_notes
from servefirst.bookings.rules import (
    CancelledBy,
    DepositPolicy,
    settle_cancellation,
    settle_no_show,
)
from servefirst.kit import formats, i18n
from servefirst.web.booking_words import note_words

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
POLICY = DepositPolicy(enabled=True, preset="fair", cancel_window_hours=24)
FREE = DepositPolicy(enabled=True, preset="flexible", cancel_window_hours=24)


def cancelled(policy: DepositPolicy, hours: float, by: CancelledBy) -> str:
    return settle_cancellation(
        policy, price=4000, deposit=600, starts_at=NOW + timedelta(hours=hours), now=NOW, by=by
    ).reason


def missed(days: float) -> str:
    starts = NOW - timedelta(days=days)
    return settle_no_show(POLICY, price=4000, deposit=600, starts_at=starts, now=NOW).reason


@pytest.mark.parametrize(
    ("note", "said"),
    [
        (
            cancelled(POLICY, 5, CancelledBy.BUSINESS),
            "Cancelada pelo estabelecimento: o sinal é devolvido na totalidade.",
        ),
        (
            cancelled(POLICY, 48, CancelledBy.CUSTOMER),
            "Cancelada com 24 h ou mais de antecedência.",
        ),
        (
            cancelled(POLICY, 5, CancelledBy.CUSTOMER),
            "Cancelada com menos de 24 h de antecedência: aplica-se a taxa de cancelamento tardio.",
        ),
        (
            cancelled(FREE, 5, CancelledBy.CUSTOMER),
            "Cancelamento tardio, mas a política não cobra nada.",
        ),
        (missed(1), "Falta: aplica-se a taxa de falta."),
        (missed(20), "Mais de 14 dias depois da hora marcada: fechada sem cobrança."),
        (
            "No-show: the no-show fee applies. The card hold had lapsed and the card was"
            " declined (card_declined): nothing was charged.",
            "Falta: aplica-se a taxa de falta. A cativação no cartão tinha expirado e o cartão"
            " foi recusado (card_declined): nada foi cobrado.",
        ),
        (
            refund_notes.refused(cancelled(POLICY, 5, CancelledBy.BUSINESS), "charge_disputed"),
            "Cancelada pelo estabelecimento: o sinal é devolvido na totalidade. O processador"
            " de cartões recusou devolver o sinal (charge_disputed): devolva-o de outra forma.",
        ),
    ],
)
def test_how_a_booking_ended_reads_in_portuguese(note: str, said: str) -> None:
    with i18n.use_language("pt"):
        assert note_words(note, "EUR") == said
    with i18n.use_language("en"):
        assert note_words(note, "EUR") == note


def test_a_note_not_of_the_rules_stays_as_written() -> None:
    with i18n.use_language("pt"):
        assert note_words("Staff wrote this by hand.", "EUR") == "Staff wrote this by hand."


def test_a_late_moves_fee_reads_as_money_in_the_readers_language() -> None:
    note = (
        "Moved less than 24 h ahead: the late-cancellation fee (400 in minor units) was"
        " kept from the deposit."
    )
    with i18n.use_language("pt"), formats.use_place("pt_PT", "Europe/Lisbon"):
        assert note_words(note, "EUR") == (
            "Mudada com menos de 24 h de antecedência: a taxa de cancelamento tardio de"
            " 4,00\xa0€ foi retida do sinal."
        )
    with i18n.use_language("en"), formats.use_place("en_IE", "Europe/Dublin"):
        assert note_words(note, "EUR") == (
            "Moved less than 24 h ahead: the late-cancellation fee of €4.00 was kept from"
            " the deposit."
        )

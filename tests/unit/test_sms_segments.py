"""A text to a phone-only customer costs at most two SMS, in English and in
Portuguese, whatever the business and service are called: the segment count
(GSM 03.38 septets or UCS-2), and every kind of text rendered with long names."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from servefirst.messages.compose import text_message, written_as
from servefirst.messages.rules import MessageKind
from servefirst.messages.sms_segments import in_gsm, is_gsm, segments

# --- counting -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # the euro sign is an escape and a septet: two
        ("€" * 81, 2),
        ("a" * 152 + "€" + "a" * 153, 3),  # an escape pair is never split between parts
        ("a" * 151 + "€" + "a" * 153, 2),
        ("ç" * 70, 1),  # lowercase ç is not GSM: UCS-2
        ("ç" * 71, 2),
        ("ã" * 134, 2),
        ("ã" * 135, 3),
        ("a" * 66 + "\U0001f600" + "a" * 67, 3),  # nor is a surrogate pair
        ("a" * 65 + "\U0001f600" + "a" * 67, 2),
        ("", 1),
    ],
)
def test_a_text_costs_the_segments_its_alphabet_allows(text: str, count: int) -> None:
    assert segments(text) == count


def test_portuguese_letters_outside_gsm_are_written_as_their_base_letter() -> None:
    assert in_gsm("Marcação às 15h no Estúdio, coração") == "Marcacao às 15h no Estudio, coracao"
    assert in_gsm("5,00\xa0€ — “já”") == '5,00 € - "ja"'
    assert in_gsm("Café Ç é à") == "Café Ç é à"  # GSM's own letters stay
    assert not is_gsm(in_gsm("Salão 美"))  # no base letter: kept, and the text is UCS-2


# --- every text, in both languages ------------------------------------------------------

LISBON = ZoneInfo("Europe/Lisbon")
#: The longest names a busy salon in Lisbon might really have.
BUSINESS = "Cabeleireiro e Estética Conceição & Filhas, Lda."
SERVICE = "Coloração completa com madeixas e tratamento de hidratação profunda"
#: A public address as long as a business's own subdomain makes it, and a
#: real token's length (the merchant, then 24 characters).
STOP = "https://reservas.salao-conceicao.pt/u/mer_abcdefgh.Yq3xK9mZ2pLr8TvW4nBc6DsF"
SATURDAY = datetime(2026, 12, 5, 15, 0, tzinfo=UTC).astimezone(LISBON)  # "sáb." in Portuguese

BOOKING = {"service": SERVICE, "starts_at": SATURDAY}
CANCELLED = {
    **BOOKING,
    "currency": "EUR",
    "deposit": 1250,
    "fee_kept": 625,
    "deposit_back": 625,
    "on_hold": True,
}
REFUND = {"currency": "EUR", "refunded_in_all": 123456, "refunded_on": SATURDAY}
KINDS: dict[MessageKind, dict[str, Any]] = {
    MessageKind.BOOKING_CONFIRMATION: BOOKING,
    MessageKind.BOOKING_REMINDER: BOOKING,
    MessageKind.BOOKING_CANCELLED: CANCELLED,
    MessageKind.REFUND: REFUND,
}


def texted(kind: MessageKind, language: str, **values: Any) -> str:
    locale = {"en": "en_GB", "pt": "pt_PT"}[language]
    with written_as(locale, language):
        return text_message(
            kind, {"business": BUSINESS, "unsubscribe_url": STOP, **KINDS[kind], **values}
        )


@pytest.mark.parametrize("language", ["en", "pt"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_text_fits_in_two_sms_with_long_names_and_its_whole_stop_link(
    kind: MessageKind, language: str
) -> None:
    text = texted(kind, language)
    assert segments(text) <= 2, (segments(text), len(text), text)
    assert text.endswith(STOP)
    assert "\n" not in text


@pytest.mark.parametrize("language", ["en", "pt"])
def test_a_cancellation_keeps_the_service_and_its_money_whole(language: str) -> None:
    text = texted(MessageKind.BOOKING_CANCELLED, language)
    assert in_gsm(SERVICE) in text and "6,25 €" in text.replace("€6.25", "6,25 €")


def test_a_portuguese_text_is_one_sms_in_gsm_letters_where_its_accents_would_make_two() -> None:
    text = texted(MessageKind.BOOKING_REMINDER, "pt", business="Salão Lume", service="Corte")
    assert text.startswith("Salao Lume: lembrete, Corte sabado 5 dez. 15:00. Parar: ")
    assert is_gsm(text) and segments(text) == 1


@pytest.mark.parametrize("language", ["en", "pt"])
def test_a_name_beyond_any_reason_is_shortened_never_the_link(language: str) -> None:
    text = texted(MessageKind.BOOKING_CONFIRMATION, language, service="Massagem " * 40)
    assert segments(text) <= 2 and text.endswith(STOP)
    assert "Massagem Massagem" in text and "..." in text

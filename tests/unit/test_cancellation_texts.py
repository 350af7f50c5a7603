"""The cancellation text says what became of the deposit as the e-mail does,
in a few words: refunded, a fee kept and the rest refunded, all kept; for a
hold on the card, released, a fee charged and the rest released, all charged."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from servefirst.kit import i18n
from servefirst.messages.compose import _env, text_message, written_as
from servefirst.messages.rules import MessageKind
from servefirst.messages.sms_segments import segments

VALUES = {
    "business": "Café Azul",
    "service": "Cut",
    "starts_at": datetime(2026, 12, 10, 15, 0, tzinfo=UTC),
    "currency": "EUR",
    "unsubscribe_url": "https://x.example/u/t",
}


def text(**deposit: object) -> str:
    with i18n.use_language("en"):
        return _env.get_template("sms/booking_cancelled.txt").render({**VALUES, **deposit}).strip()


@pytest.mark.parametrize(
    ("on_hold", "fee", "back", "said"),
    [
        (False, 0, 600, "Deposit €6.00 refunded."),
        (False, 400, 200, "Fee €4.00 kept, €2.00 refunded."),
        (False, 600, 0, "Deposit €6.00 kept as late fee."),
        (True, 0, 600, "Card hold of €6.00 released."),
        (True, 400, 200, "Fee €4.00 charged, €2.00 released."),
        (True, 600, 0, "Card hold of €6.00 charged as late fee."),
    ],
)
def test_the_text_says_what_became_of_the_deposit(
    on_hold: bool, fee: int, back: int, said: str
) -> None:
    written = text(deposit=fee + back, fee_kept=fee, deposit_back=back, on_hold=on_hold)
    assert written == (
        f"Café Azul: booking cancelled, Cut Thu 10 Dec 15:00. {said} Stop: https://x.example/u/t"
    )


def test_without_a_deposit_the_text_names_only_the_booking() -> None:
    written = text(deposit=0, fee_kept=0, deposit_back=0, on_hold=False)
    assert (
        written == "Café Azul: booking cancelled, Cut Thu 10 Dec 15:00. Stop: https://x.example/u/t"
    )


@pytest.mark.parametrize(
    ("state", "move_fee", "fee", "back", "said"),
    [
        ("refused", 0, 0, 600, "Deposit refund of €6.00 refused by the card processor:"
         " still held, owed to you."),
        ("pending", 0, 0, 600, "Deposit: €6.00 on its way back to your card."),
        # What a late move kept counts among the fees: never "€2.00 refunded" alone.
        ("", 400, 0, 200, "Fee €4.00 kept, €2.00 refunded."),
        ("", 400, 100, 100, "Fee €5.00 kept, €1.00 refunded."),
    ],
)  # fmt: skip
def test_the_text_says_where_the_money_is_and_counts_a_late_move_s_fee(
    state: str, move_fee: int, fee: int, back: int, said: str
) -> None:
    written = text(
        deposit=fee + back + move_fee,
        fee_kept=fee,
        move_fee=move_fee,
        deposit_back=back,
        on_hold=False,
        refund_state=state,
    )
    assert written == (
        f"Café Azul: booking cancelled, Cut Thu 10 Dec 15:00. {said} Stop: https://x.example/u/t"
    )


@pytest.mark.parametrize(
    ("fee", "back", "said"),
    [
        (0, 600, "Cativacao de 6,00 € no cartao libertada."),
        (600, 0, "Cativacao de 6,00 € no cartao cobrada como taxa de cancelamento."),
    ],
)
def test_a_card_hold_is_a_cativacao_in_the_portuguese_text(fee: int, back: int, said: str) -> None:
    """Lisbon calls a card hold "cativação", as every other Portuguese word in
    servefirst does; "cativo" is what the money is, never the hold itself."""
    values = {**VALUES, "deposit": fee + back, "fee_kept": fee, "deposit_back": back}
    with written_as("pt_PT", "pt"):
        written = text_message(MessageKind.BOOKING_CANCELLED, {**values, "on_hold": True})
    assert written == (
        f"Café Azul: marcacao cancelada, Cut quinta 10 dez. 15:00. {said} Parar: https://x.example/u/t"
    )
    assert segments(written) <= 2

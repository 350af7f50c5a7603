"""A booking's note of a refused deposit refund, retold as the bank moves the money."""

from __future__ import annotations

from servefirst.bookings import refund_notes


def test_the_bank_s_return_replaces_the_ask_to_give_the_deposit_back() -> None:
    note = refund_notes.refused("Cancelled in time.", "charge_disputed")
    returned = refund_notes.retold(note, refund_notes.RETURNED)
    assert returned == f"Cancelled in time. {refund_notes.RETURNED}"
    assert refund_notes.retold(returned, refund_notes.OWED_AGAIN) == (
        f"Cancelled in time. {refund_notes.OWED_AGAIN}"
    )


def test_a_long_note_keeps_the_bank_s_word_whole() -> None:
    long = "Moved late. " * 20
    returned = refund_notes.retold(
        refund_notes.refused(long, "charge_disputed"), refund_notes.RETURNED
    )
    assert len(returned) <= refund_notes.LIMIT
    assert returned.endswith(refund_notes.RETURNED)
    assert "give it back another way" not in returned

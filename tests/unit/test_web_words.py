"""What the customer's pages say instead of codes and statuses."""

from __future__ import annotations

from servefirst.web.words import (
    belongs_to_pay_form,
    card_refusal,
    concern_words,
    is_test_mode,
)


def test_a_refused_card_in_words() -> None:
    assert card_refusal("card_declined") == "Your card was declined. Try another card."
    assert card_refusal("insufficient_funds") == "Your card has insufficient funds."
    assert card_refusal("something_new") == "Your card was not accepted. Try another card."


def test_only_the_sandbox_is_test_mode() -> None:
    assert is_test_mode("sandbox")
    assert not is_test_mode("stripe") and not is_test_mode("manual")


def test_card_and_payment_form_mistakes_are_shown_by_the_card() -> None:
    assert belongs_to_pay_form("card_error", None)
    assert belongs_to_pay_form("invalid_request_error", "custom_tip")
    assert belongs_to_pay_form("invalid_request_error", "expected_due")
    assert not belongs_to_pay_form("invalid_request_error", "reason")
    assert not belongs_to_pay_form("invalid_request_error", None)


def test_a_concern_as_its_customer_reads_it() -> None:
    upheld = concern_words("waive", "approved", 200, "EUR")
    assert upheld.headline == "Your concern was upheld: €2.00 off."
    assert upheld.asked == "You asked us to waive the charge."
    assert concern_words("redo", "approved", 0, "EUR").headline == "Your concern was upheld."
    assert concern_words("partial", "rejected", 0, "EUR").headline == (
        "Your concern was not upheld."
    )
    pending = concern_words("partial", "pending", 0, "JPY")
    assert pending.headline == "Your concern is with the staff."
    assert pending.asked == "You asked for a partial discount."

"""Why a booking's deposit refund still pending waits is said only while one
is pending: a code kept on a refund since answered is no reason to wait."""

from __future__ import annotations

from servefirst.bookings.refund_answers import answered
from servefirst.payments.refund_rules import KEY_REUSED


def test_a_held_up_refund_on_its_way_says_why_it_waits() -> None:
    answers = answered(600, {"pending": 600}, None, KEY_REUSED)
    assert (answers.pending, answers.status, answers.why_pending) == (600, "pending", KEY_REUSED)


def test_a_refund_simply_on_its_way_names_no_reason() -> None:
    assert answered(600, {"pending": 600}, None).why_pending is None


def test_nothing_pending_names_no_reason_to_wait() -> None:
    made = answered(600, {"succeeded": 600}, None, KEY_REUSED)
    assert (made.back, made.status, made.why_pending) == (600, "succeeded", None)

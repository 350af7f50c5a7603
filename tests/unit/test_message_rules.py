"""Dunning that asks first, quiet hours, booking reminders, consent, backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servefirst.messages.overdue_rules import final_notice_day, overdue_at
from servefirst.messages.rules import (
    MessageKind,
    MessagePolicy,
    booking_reminder_at,
    channel_for,
    dunning_steps,
    is_quiet,
    next_attempt,
    out_of_quiet_hours,
    still_due,
    superseded,
    went_at_its_time,
)
from servefirst.messages.smtp_target import parse_smtp_url

SERVED = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # a Monday afternoon
DEFAULT = MessagePolicy()


def days_after(steps: list, anchor: datetime = SERVED) -> list[float]:
    return [(s.due_at - anchor) / timedelta(days=1) for s in steps]


def test_a_standard_customer_is_reminded_on_days_1_3_7_then_a_final_notice() -> None:
    steps = dunning_steps(SERVED, "standard", DEFAULT)
    assert [s.kind for s in steps] == [MessageKind.PAYMENT_REMINDER] * 3 + [
        MessageKind.FINAL_NOTICE
    ]
    assert days_after(steps) == [1, 3, 7, 12]  # the final notice 2 days before overdue at 14
    assert [s.step for s in steps] == [1, 2, 3, 4]


def test_trust_moves_the_first_reminder() -> None:
    trusted = days_after(dunning_steps(SERVED, "trusted", DEFAULT))
    restricted = days_after(dunning_steps(SERVED, "restricted", DEFAULT))
    assert trusted[0] == 2 and trusted[1:] == [3, 7, 12]
    # Half a day after 14:00 is 02:00, in the quiet hours: 08:00 instead.
    assert restricted[0] == 0.75 and restricted[1:] == [3, 7, 12]
    noon = SERVED.replace(hour=8)
    assert days_after(dunning_steps(noon, "restricted", DEFAULT), noon)[0] == 0.5


def test_a_merchants_own_schedule_is_followed() -> None:
    policy = MessagePolicy.of({"messages": {"reminder_days": [2, 5], "overdue_day": 10}})
    assert days_after(dunning_steps(SERVED, "new", policy)) == [2, 5, 8]


def test_no_reminder_comes_in_the_quiet_hours() -> None:
    late = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)
    assert is_quiet(late, DEFAULT)
    assert out_of_quiet_hours(late, DEFAULT) == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    early = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)
    assert out_of_quiet_hours(early, DEFAULT) == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    assert not is_quiet(datetime(2026, 3, 3, 20, 59, tzinfo=UTC), DEFAULT)
    # A tab served at 22:00 is first reminded at 08:00, not 22:00, the next day.
    night = datetime(2026, 3, 2, 22, 0, tzinfo=UTC)
    assert dunning_steps(night, "standard", DEFAULT)[0].due_at == datetime(
        2026, 3, 4, 8, 0, tzinfo=UTC
    )


def test_quiet_hours_are_the_merchants_local_hours() -> None:
    lisbon_summer = MessagePolicy(timezone="Europe/Lisbon")  # UTC+1 in July
    at = datetime(2026, 7, 1, 20, 30, tzinfo=UTC)  # 21:30 in Lisbon
    assert is_quiet(at, lisbon_summer) and not is_quiet(at, DEFAULT)
    assert out_of_quiet_hours(at, lisbon_summer) == datetime(2026, 7, 2, 7, 0, tzinfo=UTC)


def test_a_booking_is_reminded_a_day_before_but_never_in_the_night() -> None:
    booked = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    afternoon = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
    assert booking_reminder_at(afternoon, booked, DEFAULT) == afternoon - timedelta(hours=24)
    # 07:00 the day before is quiet, and 08:00 the day before is fine.
    early = datetime(2026, 3, 5, 7, 0, tzinfo=UTC)
    assert booking_reminder_at(early, booked, DEFAULT) == datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
    # Booked for in three hours: the confirmation is reminder enough.
    assert booking_reminder_at(booked + timedelta(hours=3), booked, DEFAULT) is None
    two_hours = MessagePolicy(booking_reminder_hours=2)
    at_eight = datetime(2026, 3, 5, 8, 30, tzinfo=UTC)  # 06:30 is quiet, 08:00 too late
    assert booking_reminder_at(at_eight, booked, two_hours) == datetime(
        2026, 3, 4, 20, 59, tzinfo=UTC
    )


def test_consent_and_channels() -> None:
    assert channel_for(MessageKind.RECEIPT, "a@example.com", None, False) == "email"
    assert channel_for(MessageKind.RECEIPT, "a@example.com", None, True) is None
    assert channel_for(MessageKind.RECEIPT, None, "+351 912 345 678", False) is None
    assert channel_for(MessageKind.BOOKING_REMINDER, None, "+351 912 345 678", False) == "sms"
    assert channel_for(MessageKind.BOOKING_REMINDER, None, "+351 912 345 678", True) is None


@pytest.mark.parametrize(
    "kind",
    [
        MessageKind.BOOKING_CONFIRMATION,
        MessageKind.BOOKING_REMINDER,
        MessageKind.BOOKING_CANCELLED,
        MessageKind.REFUND,
    ],
)
def test_a_customer_with_only_a_phone_is_texted_their_bookings_and_refunds(
    kind: MessageKind,
) -> None:
    assert channel_for(kind, None, "+351 912 345 678", False) == "sms"
    assert channel_for(kind, "a@example.com", "+351 912 345 678", False) == "email"
    assert channel_for(kind, None, "+351 912 345 678", True) is None  # opted out: nothing
    assert channel_for(kind, None, None, False) is None


@pytest.mark.parametrize("stored", ["---", "+351 91", "ext. 12", "   "])
def test_a_phone_kept_before_phones_needed_six_digits_is_never_texted(stored: str) -> None:
    """Old customers may still have a phone such as "---", kept before a phone
    needed six digits: it stays on their record, but no text goes to it."""
    assert channel_for(MessageKind.BOOKING_CONFIRMATION, None, stored, False) is None
    assert channel_for(MessageKind.BOOKING_CONFIRMATION, "a@example.com", stored, False) == "email"


def test_a_bill_is_never_chased_by_text() -> None:
    for kind in (MessageKind.RECEIPT, MessageKind.PAYMENT_REMINDER, MessageKind.FINAL_NOTICE):
        assert channel_for(kind, None, "+351 912 345 678", False) is None


def test_paying_or_a_concern_ends_the_dunning() -> None:
    reminder = MessageKind.PAYMENT_REMINDER
    assert still_due(reminder, subject_status="served", concern_raised=False)
    assert not still_due(reminder, subject_status="paid", concern_raised=False)
    assert not still_due(reminder, subject_status="served", concern_raised=True)
    assert still_due(MessageKind.RECEIPT, subject_status="paid", concern_raised=True)
    assert not still_due(
        MessageKind.BOOKING_REMINDER, subject_status="cancelled", concern_raised=False
    )


def test_a_booking_s_cancellation_is_told_only_while_it_stays_cancelled() -> None:
    told = MessageKind.BOOKING_CANCELLED
    assert still_due(told, subject_status="cancelled", concern_raised=False)
    assert not still_due(told, subject_status="confirmed", concern_raised=False)


def test_a_reminder_overtaken_by_the_next_is_not_sent() -> None:
    day = timedelta(days=1)
    assert superseded([SERVED + 2 * day, SERVED + 6 * day], SERVED + 3 * day)
    assert not superseded([SERVED + 2 * day], SERVED + day)
    assert not superseded([], SERVED)


def test_a_message_is_retried_with_growing_waits_then_given_up() -> None:
    now = SERVED
    waits = [next_attempt(n, now) for n in range(1, 7)]
    assert waits[0] == now + timedelta(seconds=30)
    assert all(a < b for a, b in zip(waits[:4], waits[1:5], strict=True))  # type: ignore[operator]
    assert waits[5] is None


def test_smtp_urls() -> None:
    target = parse_smtp_url("smtp://mailer:s%40cret@mail.example.com:587?starttls=1")
    assert (target.host, target.port, target.user, target.password, target.starttls) == (
        "mail.example.com",
        587,
        "mailer",
        "s@cret",
        True,
    )
    assert parse_smtp_url("smtps://mail.example.com").port == 465
    assert parse_smtp_url("smtp://127.0.0.1:2525").starttls is False
    with pytest.raises(ValueError):
        parse_smtp_url("http://mail.example.com")


@given(
    sent_after_days=st.floats(min_value=0, max_value=60),
    invoice_after_days=st.one_of(st.none(), st.floats(min_value=-30, max_value=30)),
    overdue_already=st.booleans(),
)
def test_a_final_notice_never_names_a_day_gone_by(
    sent_after_days: float, invoice_after_days: float | None, overdue_already: bool
) -> None:
    now = SERVED + timedelta(days=sent_after_days)
    invoice_at = None if invoice_after_days is None else now + timedelta(days=invoice_after_days)
    day = final_notice_day(
        SERVED,
        MessagePolicy(),
        now=now,
        invoice_overdue_at=invoice_at,
        overdue_already=overdue_already,
    )
    assert day is None or day > now
    if day is None:  # then it is overdue already, and says so
        assert overdue_already or (invoice_at is not None and invoice_at <= now)


def test_a_late_final_notice_moves_the_overdue_day_it_names() -> None:
    policy = MessagePolicy()
    assert overdue_at(SERVED, policy) == SERVED + timedelta(days=14)
    on_time = SERVED + timedelta(days=12)
    assert overdue_at(SERVED, policy, final_notice_sent_at=on_time) == SERVED + timedelta(days=14)
    late = SERVED + timedelta(days=20)
    assert overdue_at(SERVED, policy, final_notice_sent_at=late) == late + timedelta(days=2)


def test_a_reminder_of_the_past_went_if_the_tab_was_paid_only_after_it() -> None:
    due = SERVED + timedelta(days=1)
    late = dict(subject_status="paid", due_at=due, concern_raised=False)
    assert went_at_its_time(MessageKind.PAYMENT_REMINDER, closed_at=due + timedelta(days=2), **late)
    assert not went_at_its_time(
        MessageKind.PAYMENT_REMINDER, closed_at=due - timedelta(hours=1), **late
    )
    # Still unpaid: it went; a concern raised ends the chase, as when sending.
    assert went_at_its_time(
        MessageKind.FINAL_NOTICE,
        subject_status="overdue",
        closed_at=None,
        due_at=due,
        concern_raised=False,
    )
    assert not went_at_its_time(
        MessageKind.FINAL_NOTICE,
        subject_status="served",
        closed_at=None,
        due_at=due,
        concern_raised=True,
    )


def test_a_booking_of_the_past_was_reminded_of_before_it_was_checked_in_or_called_off() -> None:
    due = SERVED
    for status in ("checked_in", "cancelled", "no_show"):
        later = dict(subject_status=status, due_at=due, concern_raised=False)
        assert went_at_its_time(
            MessageKind.BOOKING_REMINDER, closed_at=due + timedelta(hours=20), **later
        )
        assert not went_at_its_time(
            MessageKind.BOOKING_REMINDER, closed_at=due - timedelta(hours=1), **later
        )
    # Its cancellation is told as it happens: the booking closed at that moment.
    assert went_at_its_time(
        MessageKind.BOOKING_CANCELLED,
        subject_status="cancelled",
        closed_at=due,
        due_at=due,
        concern_raised=False,
    )
    assert went_at_its_time(
        MessageKind.RECEIPT,
        subject_status="paid",
        closed_at=due,
        due_at=due,
        concern_raised=False,
    )

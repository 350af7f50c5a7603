"""What to send, to whom and when: pure rules, no database, no I/O.

Dunning asks first: the first reminder of a served, unpaid tab asks whether
something was not right (a concern is cheaper than a write-off) before it asks
for money. Its schedule is the merchant's (default 1, 3 and 7 days after
serving, a final notice before the tab turns overdue at 14 days) and follows
trust: a trusted customer is reminded later, a restricted one sooner. Nothing
is sent in the quiet hours (21:00-08:00 in the merchant's time zone).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from servefirst.customers.rules import is_phone
from servefirst.kit.errors import InvalidRequest


@dataclass(frozen=True)
class OutboxEvent:
    """An event as the delivery worker reads it from the ``events`` table."""

    merchant_id: str
    event_id: str
    type: str
    object_id: str
    data: dict[str, Any]
    created_at: datetime


class MessageKind(StrEnum):
    RECEIPT = "receipt"  # the tab is paid: what was paid, with the tab link
    #: Money was given back (a refund succeeded): how much of the bill and of
    #: the tip, why, and where it went (the card, cash, the terminal).
    REFUND = "refund"
    #: A refund of a tab's payment that went through (the customer was told
    #: of it) and then failed at the card processor (their bank sent it
    #: back): how much, that the business has it again and will be in touch,
    #: and how to reach the business.
    REFUND_FAILED = "refund_failed"
    BOOKING_CONFIRMATION = "booking_confirmation"  # with the .ics attached
    BOOKING_REMINDER = "booking_reminder"  # the day before (by default)
    #: The booking was cancelled (by the business or the customer): which one,
    #: what became of the deposit, with an .ics that takes it off the calendar.
    BOOKING_CANCELLED = "booking_cancelled"
    #: The card processor refused to refund the booking's deposit after the
    #: customer was told it was on its way: how much, that the business still
    #: owes it and will be in touch, and how to reach the business.
    DEPOSIT_REFUND_FAILED = "deposit_refund_failed"
    PAYMENT_REMINDER = "payment_reminder"  # a served tab is still unpaid
    FINAL_NOTICE = "final_notice"  # the last word before the tab turns overdue
    #: A one-time code the reader asked for on the booking page, to an e-mail
    #: that may be nobody's yet (``availability.codes``).
    BOOKING_CODE = "booking_code"
    #: To the merchant's owners: a webhook endpoint was turned off (it answered
    #: 410, or failed for days) and their integration no longer hears of events.
    ENDPOINT_DISABLED = "endpoint_disabled"


#: Kinds never turned off. A one-time code is asked for by the person who
#: reads it, a moment before; an owner's notice is the only way the owner
#: learns that an integration stopped hearing of events.
ALWAYS_SENT = (MessageKind.BOOKING_CODE, MessageKind.ENDPOINT_DISABLED)
#: The kinds a merchant may turn off.
SWITCHABLE = tuple(k for k in MessageKind if k not in ALWAYS_SENT)
#: Kinds that go to the merchant's own people, not to a customer: no
#: unsubscribe link, and a customer's opt-out has nothing to say about them.
TO_THE_MERCHANT = (MessageKind.ENDPOINT_DISABLED,)


class MessageStatus(StrEnum):
    PENDING = "pending"  # waiting for its time, or being sent
    SENT = "sent"  # the mail server (or SMS provider) took it
    FAILED = "failed"  # gave up after its attempts; staff can send it again
    SKIPPED = "skipped"  # no longer due (paid, concern raised, opted out, cancelled)


#: Delays before each retry of a message the mail server did not take.
MESSAGE_BACKOFF = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
)

#: How much sooner or later than the schedule's first step a tier's customers
#: are first reminded (a factor on the first step's delay).
FIRST_REMINDER_FACTOR = {"trusted": 2.0, "restricted": 0.5}


@dataclass(frozen=True)
class MessagePolicy:
    """A merchant's message settings (``merchant.policy["messages"]``)."""

    sender: str | None = None
    booking_reminder_hours: float = 24.0
    reminder_days: tuple[float, ...] = (1.0, 3.0, 7.0)
    overdue_day: float = 14.0
    final_notice_days_before: float = 2.0
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    timezone: str = "UTC"
    #: The kinds the merchant turned off: none of them is sent.
    off: frozenset[MessageKind] = frozenset()

    @classmethod
    def of(cls, policy: Mapping[str, Any] | None, timezone: str | None = None) -> MessagePolicy:
        raw = dict((policy or {}).get("messages") or {})
        days = tuple(float(d) for d in raw.get("reminder_days", cls.reminder_days))
        kinds = raw.get("kinds") or {}
        return cls(
            sender=raw.get("sender"),
            booking_reminder_hours=float(
                raw.get("booking_reminder_hours", cls.booking_reminder_hours)
            ),
            reminder_days=tuple(sorted(d for d in days if d > 0)),
            overdue_day=float(raw.get("overdue_day", cls.overdue_day)),
            final_notice_days_before=float(
                raw.get("final_notice_days_before", cls.final_notice_days_before)
            ),
            quiet_start=time.fromisoformat(raw.get("quiet_start", "21:00")),
            quiet_end=time.fromisoformat(raw.get("quiet_end", "08:00")),
            timezone=timezone or raw.get("timezone") or "UTC",
            off=frozenset(k for k in SWITCHABLE if kinds.get(k.value) is False),
        )

    def sends(self, kind: MessageKind) -> bool:
        return kind not in self.off

    def as_dict(self) -> dict[str, Any]:
        """The settings as stored and shown (the time zone is the merchant's own)."""
        return {
            "sender": self.sender,
            "booking_reminder_hours": self.booking_reminder_hours,
            "reminder_days": list(self.reminder_days),
            "overdue_day": self.overdue_day,
            "final_notice_days_before": self.final_notice_days_before,
            "quiet_start": self.quiet_start.strftime("%H:%M"),
            "quiet_end": self.quiet_end.strftime("%H:%M"),
            "kinds": {k.value: k not in self.off for k in SWITCHABLE},
        }

    def updated(self, changes: Mapping[str, Any]) -> MessagePolicy:
        """These settings with ``changes`` applied, checked as a whole (a 4xx
        naming the field): the dunning steps must fit before the final notice."""
        merged = {**self.as_dict(), **changes}
        merged["kinds"] = {**self.as_dict()["kinds"], **(changes.get("kinds") or {})}
        unknown = set(merged["kinds"]) - {k.value for k in SWITCHABLE}
        if unknown:
            raise InvalidRequest(
                f"kinds may name {', '.join(k.value for k in SWITCHABLE)};"
                f" not {', '.join(sorted(unknown))}.",
                param="kinds",
            )
        sender = merged["sender"]
        # 254: the longest address SMTP carries (the API's schema caps it too;
        # the console's form comes through here only).
        if sender is not None and (len(sender) > 254 or not _ADDRESS.fullmatch(sender)):
            raise InvalidRequest("sender must be an e-mail address, or null.", param="sender")
        hours = merged["booking_reminder_hours"]
        if not 1 <= hours <= 24 * 14:
            raise InvalidRequest(
                "booking_reminder_hours must be from 1 to 336 (two weeks).",
                param="booking_reminder_hours",
            )
        for name in ("quiet_start", "quiet_end"):
            if not _CLOCK.fullmatch(str(merged[name])):
                raise InvalidRequest(f"{name} must be a time of day, HH:MM.", param=name)
        overdue, before = merged["overdue_day"], merged["final_notice_days_before"]
        if not 1 <= overdue <= 365:
            raise InvalidRequest("overdue_day must be from 1 to 365.", param="overdue_day")
        if not 0 < before < overdue:
            raise InvalidRequest(
                "final_notice_days_before must be more than 0 and less than overdue_day.",
                param="final_notice_days_before",
            )
        days = list(merged["reminder_days"])
        # Only the days sent: days stored before this rule (through the API)
        # keep working and do not block a change to another field.
        if "reminder_days" in changes and not all(_whole(d) for d in days):
            raise InvalidRequest(
                "reminder_days are whole days: 2, not 1.5.", code=WHOLE_DAYS, param="reminder_days"
            )
        final_day = overdue - before
        if days != sorted(set(days)) or any(not 0 < d < final_day for d in days):
            raise InvalidRequest(
                "reminder_days must be increasing, each more than 0 and before the final"
                f" notice (day {final_day:g}).",
                param="reminder_days",
            )
        return MessagePolicy.of({"messages": merged}, self.timezone)


#: The refusal of reminder days that are not whole numbers, by the API and
#: the console's form alike (one and a half days is no day the owner can
#: write in every language: "1,5" reads as two days where a comma separates).
WHOLE_DAYS = "reminder_days_not_whole"


def _whole(day: Any) -> bool:
    """Whether ``day`` is a whole number (2 or 2.0; never NaN or infinity)."""
    return not isinstance(day, bool) and float(day).is_integer()


_ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")
_CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def is_quiet(at: datetime, policy: MessagePolicy) -> bool:
    local = at.astimezone(ZoneInfo(policy.timezone)).time()
    start, end = policy.quiet_start, policy.quiet_end
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def out_of_quiet_hours(
    at: datetime, policy: MessagePolicy, *, latest: datetime | None = None
) -> datetime:
    """``at``, or the end of the quiet hours it falls in; if that would be after
    ``latest`` (a reminder must come before its booking), the last minute
    before the quiet hours began instead."""
    if not is_quiet(at, policy):
        return at
    zone = ZoneInfo(policy.timezone)
    local = at.astimezone(zone)
    end = datetime.combine(local.date(), policy.quiet_end, zone)
    if end <= local:
        end += timedelta(days=1)
    if latest is None or end <= latest:
        return end.astimezone(at.tzinfo)
    start = datetime.combine(local.date(), policy.quiet_start, zone)
    if start > local:
        start -= timedelta(days=1)
    return (start - timedelta(minutes=1)).astimezone(at.tzinfo)


@dataclass(frozen=True)
class Planned:
    kind: MessageKind
    step: int
    due_at: datetime


def dunning_steps(anchor: datetime, tier: str, policy: MessagePolicy) -> list[Planned]:
    """The reminders for a served tab, counted from ``anchor`` (when it was
    served, or its due date): step 1 asks first, the last is the final notice."""
    days = list(policy.reminder_days)
    if days:
        first = days[0] * FIRST_REMINDER_FACTOR.get(tier, 1.0)
        later = [d for d in days[1:] if d > first]
        days = [first, *later]
    final_day = policy.overdue_day - policy.final_notice_days_before
    days = [d for d in days if d < final_day]
    steps = [
        Planned(MessageKind.PAYMENT_REMINDER, i, anchor + timedelta(days=d))
        for i, d in enumerate(days, start=1)
    ]
    steps.append(
        Planned(MessageKind.FINAL_NOTICE, len(days) + 1, anchor + timedelta(days=final_day))
    )
    return [Planned(s.kind, s.step, out_of_quiet_hours(s.due_at, policy)) for s in steps]


def booking_reminder_at(
    starts_at: datetime, booked_at: datetime, policy: MessagePolicy
) -> datetime | None:
    """When to remind the customer of a booking; None when it was booked so
    close to its start that the confirmation is reminder enough."""
    at = out_of_quiet_hours(
        starts_at - timedelta(hours=policy.booking_reminder_hours),
        policy,
        latest=starts_at - timedelta(hours=1),
    )
    if at <= booked_at + timedelta(hours=1) or at >= starts_at:
        return None
    return at


#: What a customer with only a phone is texted: where silence costs them. The
#: reminder prevents a no-show; without the confirmation a customer booked by
#: staff over the phone has nothing that says when; without the cancellation
#: they come to an appointment that no longer exists; without the refund's
#: word they do not know money came back, nor without the refusal's (of a
#: deposit's refund, or of a refund that went through and then failed) that
#: it did not, when they were told it would. A receipt (with its PDF) and the
#: dunning stay e-mail: the customer was at the counter, and a bill chased by
#: text is a step the merchant has not chosen.
TEXTED = (
    MessageKind.BOOKING_CONFIRMATION,
    MessageKind.BOOKING_REMINDER,
    MessageKind.BOOKING_CANCELLED,
    MessageKind.REFUND,
    MessageKind.REFUND_FAILED,
    MessageKind.DEPOSIT_REFUND_FAILED,
)


def channel_for(
    kind: MessageKind, email: str | None, phone: str | None, opted_out: bool
) -> str | None:
    """E-mail when there is an address; a customer with only a phone is
    texted what ``TEXTED`` names. None: nothing is sent (no address, or the
    customer said no to messages)."""
    if opted_out:
        return None
    if email:
        return "email"
    if phone and kind in TEXTED and takes_texts(phone):
        return "sms"
    return None


def takes_texts(phone: str) -> bool:
    """Whether a kept phone is one a text can go to: some old records hold a
    phone kept before a phone needed six digits ("---"), which stays on the
    record as it was typed but is never texted."""
    return is_phone(phone.strip())


def still_due(kind: MessageKind, *, subject_status: str, concern_raised: bool) -> bool:
    """Whether a planned message should still go, just before it is sent.
    Paying, or raising a concern, ends the dunning sequence."""
    if kind in (MessageKind.PAYMENT_REMINDER, MessageKind.FINAL_NOTICE):
        return subject_status in ("served", "overdue") and not concern_raised
    # A booking called off (or already begun) before its confirmation went:
    # the customer hears only of what still holds.
    if kind in (MessageKind.BOOKING_CONFIRMATION, MessageKind.BOOKING_REMINDER):
        return subject_status == "confirmed"
    if kind is MessageKind.BOOKING_CANCELLED:
        return subject_status == "cancelled"
    return True


#: What a message's subject was while the message was still to be sent: a
#: tab being chased was served, a booking being confirmed or reminded of stood.
_WAITING_FOR_IT = {
    MessageKind.PAYMENT_REMINDER: "served",
    MessageKind.FINAL_NOTICE: "served",
    MessageKind.BOOKING_CONFIRMATION: "confirmed",
    MessageKind.BOOKING_REMINDER: "confirmed",
}


def went_at_its_time(
    kind: MessageKind,
    *,
    subject_status: str,
    closed_at: datetime | None,
    due_at: datetime,
    concern_raised: bool,
) -> bool:
    """Whether a message of a past nobody mailed (the demo's made-up weeks)
    would have gone when it was due, its subject judged as it stood then: a
    tab paid, or a booking checked in, called off or missed, after that moment
    was still waiting for it (a late payer's reminder went before he paid)."""
    if closed_at is not None and closed_at > due_at:
        subject_status = _WAITING_FOR_IT.get(kind, subject_status)
    return still_due(kind, subject_status=subject_status, concern_raised=concern_raised)


def superseded(later_steps_due: list[datetime], now: datetime) -> bool:
    """A dunning step whose next step is already due is not sent (the worker
    was stopped for days): the customer gets the latest word, not a pile."""
    return any(due <= now for due in later_steps_due)


def next_attempt(attempts: int, now: datetime) -> datetime | None:
    """When to try again after ``attempts`` failed tries; None: give up."""
    if attempts > len(MESSAGE_BACKOFF):
        return None
    return now + MESSAGE_BACKOFF[attempts - 1]

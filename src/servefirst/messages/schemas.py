from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, WithJsonSchema

from servefirst.api.fields import Body, Out
from servefirst.messages.models import Message
from servefirst.messages.rules import MessageKind


class MessageOut(Out):
    id: str = Field(description="Also the e-mail's Message-ID (<id@servefirst>).")
    object: Literal["message"] = "message"
    kind: str = Field(
        examples=["receipt"],
        description="What it is: " + ", ".join(f"`{k.value}`" for k in MessageKind) + ".",
    )
    channel: Literal["email", "sms"] = Field(
        description="`sms`: a text to a customer with a phone and no e-mail address (a"
        " booking's confirmation, reminder and cancellation, a refund, a refund that failed"
        " after it went through, and a deposit refund refused); `email` otherwise."
    )
    to: str = Field(description="The address or number it was sent to.")
    customer_id: str = Field(
        description="The customer it went to; for a one-time booking code (kind"
        " booking_code), the code's own id: whose e-mail it is is not known when it is sent;"
        " for a notice to the business's owners (kind endpoint_disabled), the owner's staff id."
    )
    about: str = Field(
        description="The tab or booking it is about (the refund, for kinds refund and"
        " refund_failed; the booking whose deposit refund was refused, for kind"
        " deposit_refund_failed; or the booking code)."
    )
    subject: str | None
    status: Literal["pending", "sent", "failed", "skipped"]
    attempts: int
    last_error: str | None = Field(
        description="In English, why the last attempt failed or why the message was skipped;"
        " null when it was sent or not tried yet."
    )
    due_at: datetime = Field(description="When it was (or is) to be sent.")
    sent_at: datetime | None
    created_at: datetime

    @classmethod
    def build(cls, message: Message) -> MessageOut:
        return cls(
            id=message.message_id,
            kind=message.kind,
            channel=message.channel,  # type: ignore[arg-type]
            to=message.to_address,
            customer_id=message.customer_id,
            about=message.subject_id,
            subject=message.subject,
            status=message.status,  # type: ignore[arg-type]
            attempts=message.attempts,
            last_error=message.last_error,
            due_at=message.due_at,
            sent_at=message.sent_at,
            created_at=message.created_at,
        )


class MessageList(Out):
    object: Literal["list"] = "list"
    data: list[MessageOut]
    has_more: bool = Field(
        description="Older messages follow this page: ask again with `starting_after` set to"
        " the last message's id."
    )


#: A reminder's day: read as a number, so that 2.0 is day 2 and 1.5 is refused
#: by the settings' own check with its code (``rules.WHOLE_DAYS``), not as a
#: generic type error; an integer in the schema, which is what a client sends.
WholeDay = Annotated[float, WithJsonSchema({"type": "integer", "examples": [1]})]
Clock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["21:00"])]
Kind = Literal[
    "receipt",
    "refund",
    "refund_failed",
    "booking_confirmation",
    "booking_reminder",
    "booking_cancelled",
    "deposit_refund_failed",
    "payment_reminder",
    "final_notice",
]


class MessageSettingsIn(Body):
    """Only the fields sent change; the others keep their value."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sender": "hello@cafe-azul.pt",
                    "booking_reminder_hours": 24,
                    "quiet_start": "21:00",
                    "quiet_end": "08:00",
                    "reminder_days": [1, 3, 7],
                    "overdue_day": 14,
                    "final_notice_days_before": 2,
                    "kinds": {"booking_reminder": True, "payment_reminder": False},
                }
            ]
        }
    )

    sender: str | None = Field(
        default=None,
        max_length=254,
        description="The address e-mails come from; null: the server's (SERVEFIRST_MAIL_FROM).",
    )
    booking_reminder_hours: float | None = Field(
        default=None, ge=1, le=336, description="How long before a booking its reminder goes."
    )
    quiet_start: Clock | None = Field(
        default=None, description="Nothing is sent from this time (the merchant's time zone)..."
    )
    quiet_end: Clock | None = Field(default=None, description="...until this time.")
    reminder_days: list[WholeDay] | None = Field(
        default=None,
        max_length=10,
        description="Days after serving (or the due date) of each payment reminder: whole"
        " days, increasing (`[1, 3, 7]`); `1.5` is refused with 422 `reminder_days_not_whole`,"
        " as the console's form refuses it.",
    )
    overdue_day: float | None = Field(
        default=None, ge=1, le=365, description="The day the unpaid tab turns overdue."
    )
    final_notice_days_before: float | None = Field(
        default=None, gt=0, description="Days before overdue_day that the final notice goes."
    )
    kinds: dict[Kind, bool] | None = Field(
        default=None, description="Each kind of message on (true) or off (false)."
    )


class MessageSettingsOut(Out):
    object: Literal["message_settings"] = "message_settings"
    sender: str | None
    booking_reminder_hours: float
    quiet_start: str
    quiet_end: str
    reminder_days: list[float]
    overdue_day: float
    final_notice_days_before: float
    kinds: dict[str, bool]
    timezone: str = Field(description="The merchant's time zone, in which quiet hours are read.")

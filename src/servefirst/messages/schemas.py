from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from servefirst.api.fields import Out
from servefirst.messages.models import Message


class MessageOut(Out):
    id: str = Field(description="Also the e-mail's Message-ID (<id@servefirst>).")
    object: Literal["message"] = "message"
    kind: str = Field(examples=["receipt"])
    channel: Literal["email", "sms"]
    to: str = Field(description="The address or number it was sent to.")
    customer_id: str
    about: str = Field(description="The tab or booking it is about.")
    subject: str | None
    status: Literal["pending", "sent", "failed", "skipped"]
    attempts: int
    last_error: str | None
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

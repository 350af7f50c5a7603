"""Messages to the merchant's own people, planned from the outbox like a
customer's: today one, to every owner who signs in, when a webhook endpoint
was turned off (it answered 410 Gone, or every delivery failed for days).

The console's Today page says it too, but an integration that stops hearing
of payments is news an owner should not have to look for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from servefirst.db.uow import UnitOfWork
from servefirst.messages.models import Message
from servefirst.messages.rules import MessageKind, OutboxEvent
from servefirst.staff import service as staff
from servefirst.staff.rules import Access

if TYPE_CHECKING:
    from servefirst.staff.models import StaffAccount

#: The outbox events an owner is told of, and the kind of message each calls for.
TOLD_TO_OWNERS = {"webhook_endpoint.disabled": MessageKind.ENDPOINT_DISABLED}


def plan(uow: UnitOfWork, event: OutboxEvent) -> int:
    """One e-mail per owner for ``event``; how many."""
    kind = TOLD_TO_OWNERS[event.type]
    planned = 0
    for owner in staff.owners(uow):
        uow.session.add(
            Message.pending(
                uow.merchant,
                # The queue is the owner's: their notices go in order, apart
                # from every customer's. No unsubscribe link is ever shown:
                # an owner cannot leave the business's news.
                recipient=owner.staff_id,
                event_id=event.event_id,
                kind=kind.value,
                subject_id=event.object_id,
                to_address=owner.email,
                due_at=event.created_at,
                created_at=event.created_at,
            )
        )
        planned += 1
    return planned


def reader(uow: UnitOfWork, message: Message) -> StaffAccount | None:
    """The owner a notice is for, if they still are one (else it is not sent)."""
    account = staff.account_of(uow, message.customer_id)
    if account is None or account.access != Access.OWNER:
        return None
    return account

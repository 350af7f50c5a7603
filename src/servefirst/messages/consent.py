"""A customer's consent to messages, from the unsubscribe link every message
to a customer carries (RFC 8058's one click, and taking it back)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import exists, select

from servefirst.customers import service as customers
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import NotFound
from servefirst.kit.ids import merchant_of_credential
from servefirst.messages.models import Message

if TYPE_CHECKING:
    from servefirst.customers.models import Customer


def unsubscribe(uow: UnitOfWork, token: str, *, opt_out: bool = True) -> Customer:
    """The customer a message went to says no to every further message (or,
    ``opt_out=False``, from the same link, changes their mind)."""
    message = uow.session.scalar(
        select(Message).where(
            Message.merchant_id == uow.merchant, Message.unsubscribe_token == token
        )
    )
    unknown = NotFound("This unsubscribe link is not known.", param="token")
    if message is None:
        raise unknown
    try:
        customer = customers.get_customer(uow, message.customer_id)
    except NotFound:  # a code's or an owner's notice: no customer to opt out
        raise unknown from None
    uow.customers.write(customer, messages_opt_out=opt_out)
    return customer


def merchant_of_token(token: str) -> str | None:
    return merchant_of_credential(token)


def token_known(uow: UnitOfWork, token: str) -> bool:
    return bool(
        uow.session.scalar(
            select(
                exists().where(
                    Message.merchant_id == uow.merchant, Message.unsubscribe_token == token
                )
            )
        )
    )

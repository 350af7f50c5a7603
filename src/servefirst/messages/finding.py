"""Finding a message on the console's Messages page: by customer (a name, an
e-mail or phone as typed at the counter, or the customer's id), by state (a
failed one), and page by page back in time, newest first.

The page used to list only the newest twenty, so a payment reminder of three
weeks ago could be reached only through ``GET /v1/messages?customer_id=``. A
page is cut after its last message (a keyset cursor, the last message's id),
not by an offset: messages planned meanwhile do not shift the older pages.
``GET /v1/messages`` pages the same way, in Stripe's words (``list_page``):
``starting_after`` the last id of a page, ``has_more`` when older ones follow.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, select

from servefirst.customers import service as customers
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import InvalidRequest, NotFound
from servefirst.kit.typed import refuse_nul
from servefirst.messages.models import Message
from servefirst.messages.rules import MessageStatus

#: Messages a page lists: what an owner reads at once on a phone.
PAGE_SIZE = 20
#: Customers a typed name may stand for (``Ana`` matches every Ana): enough for one business.
CUSTOMERS_MATCHED = 200
#: The longest search kept: a name or an e-mail address (RFC 5321 caps one at 254).
SEARCH_MAX = 254
#: The states a page may ask for, by the words of ``MessageStatus``.
STATES = tuple(s.value for s in MessageStatus)


@dataclass(frozen=True)
class MessageSearch:
    """What the page was asked: all three may be blank (every message, newest first)."""

    customer: str = ""
    state: str = ""
    after: str = ""  # the id of the last message of the page before (older ones follow it)

    @property
    def narrowed(self) -> bool:
        return bool(self.customer.strip() or self.state)


@dataclass(frozen=True)
class MessagesFound:
    messages: list[Message]
    #: The cursor of the page of older ones, None when there are no more.
    older: str | None


@dataclass(frozen=True)
class MessagePage:
    """A page of ``GET /v1/messages``."""

    messages: list[Message]
    #: Older messages follow the page's last one (ask with it as ``starting_after``).
    has_more: bool


#: The list's one order, newest first; messages planned together (a tab's
#: reminders) by when they are due, and the id last, so each has one place.
NEWEST_FIRST = (Message.created_at.desc(), Message.due_at.desc(), Message.message_id.desc())


def checked(search: MessageSearch) -> MessageSearch:
    """The search, or a refusal naming the field (``customer``, ``state``) it is about."""
    refuse_nul([("customer", search.customer), ("after", search.after)])
    if len(search.customer) > SEARCH_MAX:
        raise InvalidRequest(
            "Search by a name, an e-mail or a phone number.",
            code="search_too_long",
            param="customer",
        )
    if search.state and search.state not in STATES:
        raise InvalidRequest("Choose a state from the list.", code="state_invalid", param="state")
    return search


def find_messages(
    uow: UnitOfWork, search: MessageSearch, *, limit: int = PAGE_SIZE
) -> MessagesFound:
    """One page of the merchant's messages matching ``search``, newest first
    (as ``service.list_messages`` orders them), after the cursor if one is given."""
    search = checked(search)
    query = select(Message).where(Message.merchant_id == uow.merchant)
    if search.state:
        query = query.where(Message.status == search.state)
    text = search.customer.strip()
    if text:
        query = query.where(_to_customer(uow, text))
    last = uow.session.get(Message, (uow.merchant, search.after)) if search.after else None
    if last is not None:
        query = query.where(_older_than(last))
    found = list(uow.session.scalars(query.order_by(*NEWEST_FIRST).limit(limit + 1)))
    more = len(found) > limit
    page = found[:limit]
    return MessagesFound(page, page[-1].message_id if more and page else None)


def list_page(
    uow: UnitOfWork,
    *,
    status: str | None = None,
    customer_id: str | None = None,
    starting_after: str | None = None,
    limit: int,
) -> MessagePage:
    """Up to ``limit`` of the merchant's messages, newest first, those after
    the message ``starting_after`` only. A cursor that is no message of this
    merchant is refused (404 naming ``starting_after``): read as "from the
    start" it would hand an integrator the same page again, forever."""
    query = select(Message).where(Message.merchant_id == uow.merchant)
    if status:
        query = query.where(Message.status == status)
    if customer_id:
        query = query.where(Message.customer_id == customer_id)
    if starting_after is not None:
        last = uow.session.get(Message, (uow.merchant, starting_after))
        if last is None:
            raise NotFound(f"No such message: '{starting_after}'.", param="starting_after")
        query = query.where(_older_than(last))
    found = list(uow.session.scalars(query.order_by(*NEWEST_FIRST).limit(limit + 1)))
    return MessagePage(found[:limit], has_more=len(found) > limit)


def _to_customer(uow: UnitOfWork, text: str) -> ColumnElement[bool]:
    """Messages to the customer with this id, to anyone whose name, e-mail or
    phone holds the text, or sent to an address holding it (an e-mail since changed)."""
    try:
        return Message.customer_id == customers.get_customer(uow, text).customer_id
    except NotFound:
        pass
    found = [c.customer_id for c in customers.search_customers(uow, text, limit=CUSTOMERS_MATCHED)]
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    sent_to = Message.to_address.ilike(f"%{escaped}%", escape="\\")
    return or_(Message.customer_id.in_(found), sent_to) if found else sent_to


def _older_than(last: Message) -> ColumnElement[bool]:
    """After ``last`` in the list's order (created, then due, then id, each newest first)."""
    return or_(
        Message.created_at < last.created_at,
        and_(
            Message.created_at == last.created_at,
            or_(
                Message.due_at < last.due_at,
                and_(Message.due_at == last.due_at, Message.message_id < last.message_id),
            ),
        ),
    )

"""Merging a duplicate customer into the one kept.

Everything the duplicate had moves: tabs (open ones too), bookings with their
deposits and holds, the trust history, pending messages, and the customers
they referred. Both histories are counted as one and both trust evidences
combined (faded to now, then added). The duplicate's row goes, so its id
answers 404 from then on; ``customer_merges`` remembers where it went, so the
same merge asked again answers as the first did. One transaction: nothing
half-merged is ever seen.
"""

from __future__ import annotations

from servefirst.bookings import service as bookings
from servefirst.customers import rules
from servefirst.customers.merge_repository import MergeRepository
from servefirst.customers.models import Customer
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.errors import InvalidRequest, NotFound
from servefirst.loyalty import service as loyalty
from servefirst.messages import service as messages
from servefirst.tabs import service as tabs
from servefirst.trust import service as trust


def merge_customer(uow: UnitOfWork, merged_id: str, into_id: str) -> Customer:
    """Merge ``merged_id`` into ``into_id``; returns the customer kept."""
    if merged_id == into_id:
        raise InvalidRequest("A customer cannot be merged into themselves.", param="into")
    merges = MergeRepository(uow)
    if merges.merged_into(merged_id) == into_id:
        # Asked again (a retry after a lost answer): already done.
        return uow.customers.get(into_id)
    # Lock order: both customers' tabs first (in tab id order), then their
    # credit locks and rows in id order: two merges of the same pair, either
    # way round, queue at the tabs instead of deadlocking. Only then is it
    # known that both still exist (the other merge may just have removed one).
    tabs.lock_tabs_of(uow, (merged_id, into_id))
    try:
        uow.customers.get(merged_id)  # 404 before anything is written
    except NotFound:
        if merges.merged_into(merged_id) == into_id:  # the same merge, just done
            return uow.customers.get(into_id)
        raise
    uow.customers.get(into_id)
    moved: dict[str, int] = {"tabs": tabs.move_customer(uow, merged_id, into_id)}
    first, second = sorted((merged_id, into_id))
    uow.customers.lock_credit(first)
    uow.customers.lock_credit(second)
    held = {cid: uow.customers.lock(cid).customer for cid in (first, second)}
    kept, merged = held[into_id], held[merged_id]
    moved["bookings"] = bookings.move_customer(uow, merged_id, into_id)
    moved["trust_events"] = trust.move_customer(uow, merged_id, into_id)
    moved["messages"] = messages.move_customer(uow, merged_id, into_id)
    moved["referrals"] = merges.move_referrals(merged_id, into_id)
    moved["loyalty"] = loyalty.move_customer(uow, merged_id, into_id)
    contact = rules.merged_contact(_contact(kept), _contact(merged))
    counts = rules.merged_counts(_counts(kept), _counts(merged))
    referred_by = _referrer(kept, merged)
    trust.merge_evidence(
        uow,
        kept,
        merged,
        policy=trust.policy_for(uow),
        now=uow.clock.now(),
        also={
            **counts,
            "email": contact.email,
            "phone": contact.phone,
            "email_key": rules.email_key(contact.email),
            "phone_key": rules.phone_key(contact.phone),
            "referred_by": referred_by,
            "messages_opt_out": bool(kept.messages_opt_out or merged.messages_opt_out),
        },
    )
    merges.remove(merged, into_id, uow.clock.now())
    emit(uow, "customer.merged", into_id, {"merged": merged_id, "moved": moved})
    return kept


def _contact(customer: Customer) -> rules.Contact:
    return rules.Contact(customer.name, customer.email, customer.phone)


def _counts(customer: Customer) -> dict[str, int]:
    return {k: int(getattr(customer, k) or 0) for k in rules.HISTORY_COUNTS}


def _referrer(kept: Customer, merged: Customer) -> str | None:
    """Who brought the customer kept: their own referrer, else the duplicate's;
    never one of the two themselves."""
    for candidate in (kept.referred_by, merged.referred_by):
        if candidate not in (None, kept.customer_id, merged.customer_id):
            return candidate
    return None

"""The end of the dunning schedule: which served, unpaid tabs have reached
their overdue day (their final notice gone, no concern raised) and marking
them overdue. The worker asks this once a round, merchant by merchant."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from servefirst.db.uow import UnitOfWork
from servefirst.guarantee.service import concern_raised
from servefirst.merchants.service import get_merchant
from servefirst.messages.models import Message
from servefirst.messages.overdue_rules import turns_overdue
from servefirst.messages.rules import MessageKind, MessageStatus
from servefirst.messages.service import policy_of
from servefirst.tabs import service as tabs


def overdue_now(uow: UnitOfWork, now: datetime, *, limit: int = 50) -> list[str]:
    """The merchant's served, unpaid tabs whose overdue day has come, their
    final notice gone (the schedule of ``message_settings``), oldest first."""
    merchant = get_merchant(uow)
    policy = policy_of(merchant)
    zone = ZoneInfo(merchant.timezone)
    cutoff = now - timedelta(days=policy.overdue_day)
    # An invoice is overdue the day after its due date: that date was the
    # customer's notice, so no final notice has to go first.
    today = now.astimezone(zone).date()
    due: list[str] = [
        tab.tab_id
        for tab in uow.tabs.invoices_due_before(today, limit=limit)
        if tab.due_date is not None
        and tabs.invoice_overdue(tab.due_date, today)
        and not concern_raised(uow, tab.tab_id)
    ]
    for tab in uow.tabs.served_before(cutoff, limit=limit):
        if tab.due_date is not None:
            continue  # an invoice: its due date decides (above)
        anchor = tab.served_at
        pending_notice, notice_sent_at = _final_notice(uow, tab.tab_id)
        if anchor is not None and turns_overdue(
            now,
            anchor,
            policy,
            final_notice_pending=pending_notice,
            final_notice_sent_at=notice_sent_at,
            concern_raised=concern_raised(uow, tab.tab_id),
        ):
            due.append(tab.tab_id)
    return due


def _final_notice(uow: UnitOfWork, tab_id: str) -> tuple[bool, datetime | None]:
    """Whether the tab's final notice still waits to go, and when it went."""
    rows = uow.session.execute(
        select(Message.status, Message.sent_at).where(
            Message.merchant_id == uow.merchant,
            Message.subject_id == tab_id,
            Message.kind == MessageKind.FINAL_NOTICE.value,
        )
    ).all()
    pending = any(status == MessageStatus.PENDING.value for status, _ in rows)
    sent = [at for status, at in rows if status == MessageStatus.SENT.value and at is not None]
    return pending, max(sent, default=None)


def mark_overdue(uow: UnitOfWork, tab_ids: list[str]) -> list[str]:
    """Mark these tabs overdue (the tabs' own use case: the event, the
    status), each only if still served; the ones marked."""
    marked = []
    for tab_id in tab_ids:
        if uow.tabs.lock(tab_id).status == "served":  # paid meanwhile: nothing to do
            tabs.mark_overdue(uow, tab_id)
            marked.append(tab_id)
    return marked

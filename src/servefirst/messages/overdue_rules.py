"""The end of the dunning schedule: when a served tab still unpaid turns
overdue, and what its final notice may say of that day. Pure: the worker
(``messages.overdue``) and the composer (``messages.compose``) ask."""

from __future__ import annotations

from datetime import datetime, timedelta

from servefirst.messages.rules import MessagePolicy


def overdue_at(
    anchor: datetime, policy: MessagePolicy, *, final_notice_sent_at: datetime | None = None
) -> datetime:
    """When a served tab still unpaid turns overdue: day 14 by default, or
    later if its final notice went late (a stopped worker, no mail server for
    a while): the notice still gives the customer its days from when it went,
    as it says."""
    on_time = anchor + timedelta(days=policy.overdue_day)
    if final_notice_sent_at is None:
        return on_time
    return max(on_time, final_notice_sent_at + timedelta(days=policy.final_notice_days_before))


def turns_overdue(
    now: datetime,
    anchor: datetime,
    policy: MessagePolicy,
    *,
    final_notice_pending: bool,
    final_notice_sent_at: datetime | None,
    concern_raised: bool,
) -> bool:
    """Whether a served, unpaid tab is to be marked overdue now: its day has
    come and its final notice has gone first (a final notice waiting out
    quiet hours, or a stopped worker, holds it back). A concern ends the
    sequence: staff settle it, not the schedule."""
    day = overdue_at(anchor, policy, final_notice_sent_at=final_notice_sent_at)
    return now >= day and not final_notice_pending and not concern_raised


def final_notice_day(
    anchor: datetime,
    policy: MessagePolicy,
    *,
    now: datetime,
    invoice_overdue_at: datetime | None,
    overdue_already: bool,
) -> datetime | None:
    """The overdue day a final notice sent ``now`` names, or None when the
    bill is overdue already and the notice must say so: a tab marked overdue
    by hand, or an invoice past its due date (that date was its notice and
    does not move). Never a day gone by."""
    if overdue_already:
        return None
    if invoice_overdue_at is not None:
        return invoice_overdue_at if invoice_overdue_at > now else None
    return overdue_at(anchor, policy, final_notice_sent_at=now)

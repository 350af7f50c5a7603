"""Trust use cases: read a customer's trust now, count an event, show the
history, and the merchant's view of how the tiers performed.

The customer row carries its evidence faded to ``trust_as_of``; counting an
event fades it to now and adds one (the caller holds the customer's row lock),
and reading fades it to now without writing. Each event is also kept in
``trust_events`` with the score and tier before and after, for the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, func, select

from servefirst.db.appended import append, write_appended
from servefirst.db.direct import move_rows
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.clock import as_utc
from servefirst.kit.errors import InvalidRequest
from servefirst.kit.ids import new_id
from servefirst.merchants.service import find_merchant, get_merchant
from servefirst.trust import policy_rules
from servefirst.trust.estimator import EVENT_KINDS, Evidence, Tally, add, combined, decayed
from servefirst.trust.models import TrustEvent
from servefirst.trust.rules import TIER_RANK, Tier, Trust, TrustPolicy, assess

if TYPE_CHECKING:
    from servefirst.customers.models import Customer
    from servefirst.merchants.models import Merchant


def policy_of(merchant: Merchant | None) -> TrustPolicy:
    """The merchant's trust policy (the defaults without a merchant)."""
    if merchant is None:
        return TrustPolicy.of(None)
    return TrustPolicy.of(merchant.policy, merchant.currency)


def policy_for(uow: UnitOfWork) -> TrustPolicy:
    """The unit of work's merchant's trust policy."""
    return policy_of(find_merchant(uow, uow.merchant))


# --- evidence on the customer row ----------------------------------------------------


def evidence_of(customer: Customer) -> Evidence:
    raw: dict[str, Any] = customer.trust_tallies or {}
    tallies = {
        kind: Tally(
            remembered=float(t["remembered"]),
            count=int(t["count"]),
            first_at=as_utc(datetime.fromisoformat(t["first_at"])),
            last_at=as_utc(datetime.fromisoformat(t["last_at"])),
        )
        for kind, t in raw.items()
        if kind in EVENT_KINDS
    }
    as_of = customer.trust_as_of
    return Evidence(as_of=as_utc(as_of) if as_of else None, tallies=tallies)


def _store(uow: UnitOfWork, customer: Customer, evidence: Evidence, **also: Any) -> None:
    """Write the customer's evidence (and ``also``, more of their columns) in
    one UPDATE of their row, which the caller holds."""
    uow.customers.write(
        customer,
        trust_as_of=evidence.as_of,
        trust_good=evidence.good,
        trust_bad=evidence.bad,
        trust_tallies={
            kind: {
                "remembered": t.remembered,
                "count": t.count,
                "first_at": t.first_at.isoformat(),
                "last_at": t.last_at.isoformat(),
            }
            for kind, t in evidence.tallies.items()
        },
        **also,
    )


def trust_now(customer: Customer, *, policy: TrustPolicy, now: datetime) -> Trust:
    """The customer's trust as of ``now`` under ``policy``: O(1), from the row alone."""
    return assess(evidence_of(customer), policy, now)


def current_evidence(customer: Customer, policy: TrustPolicy, now: datetime) -> Evidence:
    return decayed(evidence_of(customer), now, policy.half_life_days)


def count_event(
    uow: UnitOfWork,
    customer: Customer,
    kind: str,
    *,
    policy: TrustPolicy,
    now: datetime,
    tab_id: str | None = None,
    amount: int | None = None,
    also: dict[str, Any] | None = None,
) -> None:
    """Fade the customer's evidence to ``now``, count one event, keep the history row.

    The caller holds the customer row (``FOR UPDATE`` on PostgreSQL) so two
    events of one customer at once are both counted. ``also``: more of the
    customer's columns to write in the same UPDATE (the history's count).
    """
    before_evidence = evidence_of(customer)
    before = assess(before_evidence, policy, now)
    evidence = add(before_evidence, kind, now, policy.half_life_days)
    after = assess(evidence, policy, now)
    _store(uow, customer, evidence, **(also or {}))
    weights = EVENT_KINDS[kind]
    row = {
        "merchant_id": customer.merchant_id,
        "event_id": new_id("tev"),
        "customer_id": customer.customer_id,
        "kind": kind,
        "weight": weights.good - weights.bad,
        "at": now,
        "score_before": before.score,
        "score_after": after.score,
        "tier_before": before.tier.value,
        "tier_after": after.tier.value,
        "tab_id": tab_id,
        "amount": amount,
    }
    # Append-only history: written at commit with the events (on PostgreSQL
    # in their statement), after the customer row it refers to.
    # No TrustEvent object is made (an ORM object costs a payment more): nothing
    # reads the row back in this transaction but ``history``, from the table.
    append(uow, _TRUST_EVENTS, row)


_TRUST_EVENTS = cast(Table, TrustEvent.__table__)


def history(uow: UnitOfWork, customer_id: str, *, limit: int = 100) -> list[TrustEvent]:
    """The customer's trust events, newest first."""
    write_appended(uow)  # this transaction's own too
    return list(
        uow.session.scalars(
            select(TrustEvent)
            .where(TrustEvent.merchant_id == uow.merchant, TrustEvent.customer_id == customer_id)
            .order_by(TrustEvent.at.desc(), TrustEvent.event_id.desc())
            .limit(limit)
        )
    )


# --- the merchant's view ---------------------------------------------------------------


@dataclass
class TierPerformance:
    """How customers did while they were in a tier (the tier before each event)."""

    tier: Tier
    customers: int = 0
    paid_on_time: int = 0
    paid_late: int = 0
    written_off: int = 0
    no_shows: int = 0
    late_cancellations: int = 0
    rejected_concerns: int = 0
    losses: int = 0

    @property
    def tabs_closed(self) -> int:
        return self.paid_on_time + self.paid_late + self.written_off

    @property
    def paid_on_time_rate(self) -> float | None:
        return self.paid_on_time / self.tabs_closed if self.tabs_closed else None

    @property
    def no_show_rate(self) -> float | None:
        outcomes = self.tabs_closed + self.no_shows + self.late_cancellations
        return self.no_shows / outcomes if outcomes else None


@dataclass(frozen=True)
class TrustReport:
    as_of: datetime
    currency: str
    policy: TrustPolicy
    tiers: list[TierPerformance]


_KIND_FIELD = {
    "paid_visits": "paid_on_time",
    "late_payments": "paid_late",
    "write_offs": "written_off",
    "no_shows": "no_shows",
    "late_cancellations": "late_cancellations",
    "rejected_concerns": "rejected_concerns",
}


def report(
    uow: UnitOfWork, *, since: datetime | None = None, until: datetime | None = None
) -> TrustReport:
    now = uow.clock.now()
    merchant = find_merchant(uow, uow.merchant)
    currency = merchant.currency if merchant else "EUR"
    policy = policy_of(merchant)
    tiers = {tier: TierPerformance(tier) for tier in Tier}
    # Tiers today: every customer's evidence faded to now (a scan, as a report may).
    for customer in uow.customers.every():
        tiers[trust_now(customer, policy=policy, now=now).tier].customers += 1
    # Performance: each event counted under the tier the customer had when it happened.
    write_appended(uow)
    rows = uow.session.execute(
        select(
            TrustEvent.tier_before,
            TrustEvent.kind,
            func.count(),
            func.coalesce(func.sum(TrustEvent.amount), 0),
        )
        .where(
            TrustEvent.merchant_id == uow.merchant,
            *([TrustEvent.at >= since] if since else []),
            *([TrustEvent.at < until] if until else []),
        )
        .group_by(TrustEvent.tier_before, TrustEvent.kind)
    )
    for tier_name, kind, count, amount in rows:
        perf = tiers[Tier(tier_name)]
        setattr(perf, _KIND_FIELD[kind], getattr(perf, _KIND_FIELD[kind]) + int(count))
        if kind == "write_offs":
            perf.losses += int(amount or 0)
    order = sorted(Tier, key=lambda t: -TIER_RANK[t])
    return TrustReport(now, currency, policy, [tiers[t] for t in order])


def move_customer(uow: UnitOfWork, merged_id: str, into_id: str) -> int:
    """A merge of duplicate customers: ``merged_id``'s trust history becomes
    ``into_id``'s (the evidence on the row is combined by ``merge_evidence``)."""
    return move_rows(uow, TrustEvent.customer_id, merged_id, into_id)


def merge_evidence(
    uow: UnitOfWork,
    kept: Customer,
    merged: Customer,
    *,
    policy: TrustPolicy,
    now: datetime,
    also: dict[str, Any],
) -> None:
    """Write on ``kept``'s row (which the caller holds) both customers'
    evidence as one, faded to ``now`` under ``policy`` (``estimator.combined``),
    with ``also``."""
    evidence = combined(evidence_of(kept), evidence_of(merged), now, policy.half_life_days)
    _store(uow, kept, evidence, **also)


# --- setting the policy ----------------------------------------------------------------


def set_policy(uow: UnitOfWork, changes: dict[str, Any], preset: str | None = None) -> TrustPolicy:
    """Set the merchant's trust policy: ``preset`` (or the policy in force) with
    ``changes`` over it, checked whole before anything is kept."""
    merchant = get_merchant(uow, lock=True)
    try:
        start = (
            policy_rules.preset(preset, merchant.currency)
            if preset
            else policy_rules.as_stored(policy_of(merchant))
        )
        kept = policy_rules.checked(policy_rules.merged(start, changes), merchant.currency)
    except policy_rules.PolicyInvalid as exc:
        raise InvalidRequest(exc.message, param=exc.param, figures=exc.figures) from exc
    # A new dict, so the JSON column notices the change.
    merchant.policy = {**(merchant.policy or {}), "trust": kept}
    uow.session.flush()
    emit(uow, "merchant.trust_policy_changed", uow.merchant, kept)
    return policy_of(merchant)

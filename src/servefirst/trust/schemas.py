"""Response models of the trust routes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from servefirst.api.fields import Body, Out
from servefirst.trust.models import TrustEvent
from servefirst.trust.service import TierPerformance, TrustReport

TierName = Literal["trusted", "standard", "new", "restricted"]

#: Event kinds in words, for the history.
EVENT_WORDS = {
    "paid_visits": "visit paid on time",
    "late_payments": "payment made late",
    "no_shows": "no-show",
    "late_cancellations": "late cancellation",
    "write_offs": "unpaid tab written off",
    "rejected_concerns": "concern rejected as unfounded",
}


class TrustEventOut(Out):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "tev_01",
                    "object": "trust_event",
                    "event": "no_shows",
                    "description": "no-show",
                    "weight": -1.0,
                    "at": "2026-11-25T10:00:00Z",
                    "score_before": 0.8,
                    "score_after": 0.6667,
                    "tier_before": "standard",
                    "tier_after": "standard",
                    "tab_id": None,
                    "amount": None,
                }
            ]
        }
    )

    id: str
    object: Literal["trust_event"] = "trust_event"
    event: str = Field(
        description="paid_visits, late_payments, no_shows, late_cancellations, "
        "write_offs or rejected_concerns."
    )
    description: str
    weight: float = Field(description="Good (+) or bad (-) visits this event counts as, when new.")
    at: datetime
    score_before: float = Field(description="The score just before, faded to that moment.")
    score_after: float
    tier_before: TierName
    tier_after: TierName
    tab_id: str | None
    amount: int | None = Field(
        description="Minor units: the tab's total when paid, what was lost when written off."
    )

    @classmethod
    def build(cls, event: TrustEvent) -> TrustEventOut:
        return cls(
            id=event.event_id,
            event=event.kind,
            description=EVENT_WORDS.get(event.kind, event.kind),
            weight=event.weight,
            at=event.at,
            score_before=round(event.score_before, 4),
            score_after=round(event.score_after, 4),
            tier_before=event.tier_before,  # type: ignore[arg-type]
            tier_after=event.tier_after,  # type: ignore[arg-type]
            tab_id=event.tab_id,
            amount=event.amount,
        )


class TrustHistoryOut(Out):
    object: Literal["trust_history"] = "trust_history"
    customer_id: str
    score: float = Field(description="The score now (evidence faded to now).")
    tier: TierName
    factors: list[str]
    half_life_days: float = Field(description="Evidence this old counts half.")
    data: list[TrustEventOut] = Field(description="Events, newest first.")


class TierPerformanceOut(Out):
    tier: TierName
    customers: int = Field(description="Customers in this tier today.")
    tabs_closed: int = Field(description="Tabs paid or written off while customers were in it.")
    paid_on_time: int
    paid_late: int
    written_off: int
    no_shows: int
    late_cancellations: int
    rejected_concerns: int
    paid_on_time_rate: float | None = Field(description="paid_on_time / tabs_closed.")
    no_show_rate: float | None = Field(
        description="no_shows / (tabs_closed + no_shows + late_cancellations)."
    )
    losses_written_off: int = Field(description="Minor units written off, never paid.")

    @classmethod
    def build(cls, perf: TierPerformance) -> TierPerformanceOut:
        def rate(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return cls(
            tier=perf.tier.value,
            customers=perf.customers,
            tabs_closed=perf.tabs_closed,
            paid_on_time=perf.paid_on_time,
            paid_late=perf.paid_late,
            written_off=perf.written_off,
            no_shows=perf.no_shows,
            late_cancellations=perf.late_cancellations,
            rejected_concerns=perf.rejected_concerns,
            paid_on_time_rate=rate(perf.paid_on_time_rate),
            no_show_rate=rate(perf.no_show_rate),
            losses_written_off=perf.losses,
        )


class TierPolicyOut(Out):
    tier: TierName
    pay_after: bool
    deposit_required: bool
    tab_limit_base: int
    tab_limit_step: int = Field(description="Added per on-time paid visit.")
    tab_limit_cap: int | None


class TrustReportOut(Out):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "object": "trust_report",
                    "currency": "EUR",
                    "as_of": "2026-11-25T10:00:00Z",
                    "half_life_days": 180,
                    "tiers": [
                        {
                            "tier": "trusted",
                            "customers": 12,
                            "tabs_closed": 140,
                            "paid_on_time": 138,
                            "paid_late": 2,
                            "written_off": 0,
                            "no_shows": 1,
                            "late_cancellations": 0,
                            "rejected_concerns": 0,
                            "paid_on_time_rate": 0.9857,
                            "no_show_rate": 0.0071,
                            "losses_written_off": 0,
                        }
                    ],
                }
            ]
        }
    )

    object: Literal["trust_report"] = "trust_report"
    currency: str
    as_of: datetime
    half_life_days: float
    trusted_min_score: float
    trusted_min_paid_visits: int
    restricted_below: float
    tiers: list[TierPerformanceOut] = Field(
        description="Customers per tier today, and how customers did while in each tier."
    )
    policy: list[TierPolicyOut] = Field(description="What each tier unlocks, in minor units.")

    @classmethod
    def build(cls, report: TrustReport) -> TrustReportOut:
        p = report.policy
        return cls(
            currency=report.currency,
            as_of=report.as_of,
            half_life_days=p.half_life_days,
            trusted_min_score=p.thresholds.trusted_min_score,
            trusted_min_paid_visits=p.thresholds.trusted_min_paid_visits,
            restricted_below=p.thresholds.restricted_below,
            tiers=[TierPerformanceOut.build(t) for t in report.tiers],
            policy=[
                TierPolicyOut(
                    tier=t.tier.value,
                    pay_after=p.rule(t.tier).pay_after,
                    deposit_required=p.rule(t.tier).deposit_required,
                    tab_limit_base=p.rule(t.tier).tab_limit.base,
                    tab_limit_step=p.rule(t.tier).tab_limit.step,
                    tab_limit_cap=p.rule(t.tier).tab_limit.cap,
                )
                for t in report.tiers
            ],
        )


# --- the policy itself (GET/POST /v1/merchant/trust-policy) -----------------------------


class PriorIo(BaseModel):
    good: float = Field(description="Pseudo-count of good events a stranger starts with.")
    bad: float = Field(description="Pseudo-count of bad events a stranger starts with.")


class ThresholdsIo(BaseModel):
    trusted_min_score: float = Field(description="Score (0-1) from which a customer is trusted.")
    trusted_min_paid_visits: int = Field(description="Paid visits a trusted customer needs.")
    restricted_below: float = Field(description="Below this score a customer must prepay.")


class TabLimitIo(BaseModel):
    base: int = Field(description="Minor units a customer of the tier may owe at first.")
    step: int = Field(0, description="Added per on-time paid visit.")
    cap: int | None = Field(None, description="The most it grows to (none: no cap).")


class TierRuleIo(BaseModel):
    pay_after: bool = True
    deposit_required: bool = False
    tab_limit: TabLimitIo


class TabLimitPatch(Body):
    base: int | None = None
    step: int | None = None
    cap: int | None = None


class TierRulePatch(Body):
    pay_after: bool | None = None
    deposit_required: bool | None = None
    tab_limit: TabLimitPatch | None = None


class PriorPatch(Body):
    good: float | None = None
    bad: float | None = None


class ThresholdsPatch(Body):
    trusted_min_score: float | None = None
    trusted_min_paid_visits: int | None = None
    restricted_below: float | None = None


class TrustPolicyIn(Body):
    """A preset, the fields to change, or both (the fields over the preset).
    Fields left out keep the policy in force."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"preset": "cautious"},
                {"thresholds": {"trusted_min_paid_visits": 4}},
                {"tiers": {"new": {"tab_limit": {"base": 5000, "cap": 5000}}}},
            ]
        }
    )

    preset: Literal["balanced", "cautious", "generous"] | None = None
    half_life_days: float | None = Field(None, description="Days for evidence to fade by half.")
    prior: PriorPatch | None = None
    thresholds: ThresholdsPatch | None = None
    tiers: dict[TierName, TierRulePatch] | None = None


class TrustPolicyOut(Out):
    object: Literal["trust_policy"] = "trust_policy"
    currency: str
    half_life_days: float
    prior: PriorIo
    thresholds: ThresholdsIo
    tiers: dict[TierName, TierRuleIo] = Field(description="What each tier unlocks, minor units.")

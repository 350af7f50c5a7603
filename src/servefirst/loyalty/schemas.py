"""Loyalty's shape in the API (amounts in minor units of the merchant's currency)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from servefirst.api.fields import Body, Out
from servefirst.loyalty import rules
from servefirst.loyalty.models import LoyaltyReward, LoyaltyTransaction
from servefirst.loyalty.referral_rules import ReferralProgram
from servefirst.loyalty.service import CustomerCard, expired
from servefirst.reports.loyalty import GroupFigures, LoyaltyReport


class RewardIo(BaseModel):
    type: Literal["amount_off", "percent_off", "free_service"]
    amount: int | None = Field(None, description="amount_off: minor units off the bill.")
    percent: str | None = Field(
        None, description='percent_off: a decimal string, e.g. "10" or "12.5".'
    )
    service_id: str | None = Field(None, description="free_service: the service given free.")


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _every_day() -> list[Weekday]:
    return ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class PromotionIo(BaseModel):
    weekdays: list[Weekday] = Field(default_factory=_every_day)
    starts: str = Field(
        description='Local time the window opens, e.g. "14:00".', examples=["14:00"]
    )
    ends: str = Field(description="Local time it closes (excluded).", examples=["16:00"])
    multiplier: int = Field(2, description="Points are multiplied by this inside the window.")


class LoyaltyProgramIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "visits",
                    "visits_per_reward": 10,
                    "min_spend": 0,
                    "reward": {"type": "free_service", "service_id": "svc_..."},
                    "expires_after_days": 180,
                },
                {
                    "kind": "points",
                    "points_per_unit": 1,
                    "points_per_reward": 100,
                    "reward": {"type": "amount_off", "amount": 500},
                    "promotions": [{"weekdays": ["mon"], "starts": "14:00", "ends": "16:00"}],
                },
            ]
        }
    )

    kind: Literal["visits", "points"]
    visits_per_reward: int | None = Field(None, description="visits: stamps per reward.")
    min_spend: int | None = Field(None, description="visits: a tab earns a stamp from this total.")
    points_per_unit: int | None = Field(
        None, description="points: per whole major unit (per euro) paid, before tip and tax."
    )
    points_per_reward: int | None = Field(None, description="points: points per reward.")
    reward: RewardIo
    expires_after_days: int | None = Field(
        None, description="Points, stamps and rewards lapse after this many days without a visit."
    )
    promotions: list[PromotionIo] = Field(
        default_factory=list, description="points: windows in which points are multiplied."
    )


class LoyaltyProgramOut(Out):
    object: Literal["loyalty_program"] = "loyalty_program"
    active: bool = Field(description="False until the merchant sets a programme.")
    kind: Literal["visits", "points"] | None = None
    visits_per_reward: int | None = None
    min_spend: int | None = None
    points_per_unit: int | None = None
    points_per_reward: int | None = None
    reward: RewardIo | None = None
    expires_after_days: int | None = None
    promotions: list[PromotionIo] = Field(default_factory=list)

    @classmethod
    def build(cls, program: rules.LoyaltyProgram | None) -> LoyaltyProgramOut:
        if program is None:
            return cls(active=False)
        return cls(active=True, **program.as_stored())


def body_of(body: Body) -> dict[str, Any]:
    return body.model_dump(exclude_none=True)


class RewardOut(Out):
    id: str
    object: Literal["reward"] = "reward"
    source: Literal["loyalty", "referral_friend", "referral_referrer"]
    reward: RewardIo
    status: Literal["available", "redeemed", "expired", "void"]
    issued_at: datetime
    expires_at: datetime | None
    redeemed_at: datetime | None
    tab_id: str | None = Field(description="The tab it was taken off.")
    discount: int | None = Field(description="What it took off that tab.")

    @classmethod
    def build(cls, reward: LoyaltyReward, now: datetime) -> RewardOut:
        status = reward.status
        if status == "available" and expired(reward, now):
            status = "expired"
        return cls(
            id=reward.reward_id,
            source=reward.source,  # type: ignore[arg-type]
            reward=RewardIo(**reward.reward),
            status=status,  # type: ignore[arg-type]
            issued_at=reward.issued_at,
            expires_at=reward.expires_at,
            redeemed_at=reward.redeemed_at,
            tab_id=reward.tab_id,
            discount=reward.discount,
        )


class LoyaltyMoveOut(Out):
    kind: str = Field(description="earn, take_back, give_back, convert, restore, expire or redeem.")
    points: int
    tab_id: str | None
    reward_id: str | None
    reference: str | None = Field(
        default=None,
        description="A take_back's cause: the refund's id, or the tab's voided line ('line 3').",
    )
    created_at: datetime

    @classmethod
    def build(cls, move: LoyaltyTransaction) -> LoyaltyMoveOut:
        return cls(
            kind=move.kind,
            points=move.points,
            tab_id=move.tab_id,
            reward_id=move.reward_id,
            reference=move.reference,
            created_at=move.created_at,
        )


class CustomerLoyaltyOut(Out):
    object: Literal["customer_loyalty"] = "customer_loyalty"
    customer_id: str
    program: Literal["visits", "points"] | None
    balance: int = Field(description="Stamps (visits) or points held towards the next reward.")
    to_next_reward: int | None
    progress: str | None = Field(description="The progress in words, in the merchant's language.")
    lapses_at: datetime | None = Field(description="When the balance lapses without a visit.")
    flagged: bool = Field(
        description="More than 5 loyalty movements today: staff should take a look."
    )
    rewards_available: list[RewardOut]
    rewards: list[RewardOut]
    history: list[LoyaltyMoveOut]

    @classmethod
    def build(cls, card: CustomerCard, progress: str | None, now: datetime) -> CustomerLoyaltyOut:
        return cls(
            customer_id=card.customer_id,
            program=card.program.kind.value if card.program else None,
            balance=card.balance,
            to_next_reward=card.to_next,
            progress=progress,
            lapses_at=card.lapses_at,
            flagged=card.busy_today > 0,
            rewards_available=[RewardOut.build(r, now) for r in card.available],
            rewards=[RewardOut.build(r, now) for r in card.rewards],
            history=[LoyaltyMoveOut.build(m) for m in card.history],
        )


class ReferralProgramIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "friend_reward": {"type": "amount_off", "amount": 500},
                    "referrer_reward": {"type": "percent_off", "percent": "20"},
                    "monthly_cap": 5,
                    "expires_after_days": 30,
                }
            ]
        }
    )

    friend_reward: RewardIo = Field(description="The friend's welcome, given when they sign up.")
    referrer_reward: RewardIo = Field(
        description="The referrer's thanks, once the friend's first tab is paid (not waived)."
    )
    monthly_cap: int | None = Field(
        None, description="Rewarded referrals per referrer per calendar month (default 5)."
    )
    expires_after_days: int | None = Field(
        None, description="Days a referral reward stays usable (default 30)."
    )


class ReferralProgramOut(Out):
    object: Literal["referral_program"] = "referral_program"
    active: bool = Field(description="False until the merchant sets a programme.")
    friend_reward: RewardIo | None = None
    referrer_reward: RewardIo | None = None
    monthly_cap: int | None = None
    expires_after_days: int | None = None

    @classmethod
    def build(cls, program: ReferralProgram | None) -> ReferralProgramOut:
        if program is None:
            return cls(active=False)
        return cls(active=True, **program.as_stored())


class GroupOut(Out):
    customers: int
    visits: int = Field(description="Paid tabs in the period.")
    visits_per_month: float = Field(description="Paid visits per customer per 30 days.")
    spend: int = Field(description="Paid for services in the period (after discounts, no tips).")
    spend_per_customer: int
    on_time_rate: float | None = Field(
        description="Share of their closed tabs (ever) paid on time; none without any."
    )


class LoyaltyReportOut(Out):
    object: Literal["loyalty_report"] = "loyalty_report"
    start: datetime
    end: datetime
    members: GroupOut = Field(description="Customers with any stamp, point or reward.")
    non_members: GroupOut
    rewards_issued: dict[str, int] = Field(
        description="By source: loyalty, referral_friend, referral_referrer."
    )
    rewards_redeemed: dict[str, int]
    rewards_expired: dict[str, int]
    cost: int = Field(description="What redeemed rewards took off bills, in minor units.")

    @classmethod
    def build(cls, report: LoyaltyReport) -> LoyaltyReportOut:
        def group(figures: GroupFigures, rate: float | None) -> GroupOut:
            return GroupOut(
                customers=figures.customers,
                visits=figures.visits,
                visits_per_month=figures.visits_per_month,
                spend=figures.spend,
                spend_per_customer=figures.spend_per_customer,
                on_time_rate=rate,
            )

        return cls(
            start=report.start,
            end=report.end,
            members=group(report.members, report.on_time["members"]),
            non_members=group(report.others, report.on_time["others"]),
            rewards_issued=report.issued,
            rewards_redeemed=report.redeemed,
            rewards_expired=report.expired,
            cost=report.cost,
        )

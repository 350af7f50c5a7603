"""Loyalty's SQL: the journal's sums, the rewards, and the one conditional
UPDATE that lets exactly one of two redemptions of a reward through."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from servefirst.db.uow import UnitOfWork
from servefirst.loyalty.models import LoyaltyReward, LoyaltyTransaction

AVAILABLE = "available"
REDEEMED = "redeemed"
VOID = "void"


def balance(uow: UnitOfWork, customer_id: str) -> int:
    total = uow.session.scalar(
        select(func.coalesce(func.sum(LoyaltyTransaction.points), 0)).where(
            LoyaltyTransaction.merchant_id == uow.merchant,
            LoyaltyTransaction.customer_id == customer_id,
        )
    )
    return int(total or 0)


def last_visit(uow: UnitOfWork, customer_id: str) -> datetime | None:
    """When the customer last earned (a paid visit)."""
    return uow.session.scalar(
        select(func.max(LoyaltyTransaction.created_at)).where(
            LoyaltyTransaction.merchant_id == uow.merchant,
            LoyaltyTransaction.customer_id == customer_id,
            LoyaltyTransaction.kind == "earn",
        )
    )


def add_transaction(uow: UnitOfWork, row: dict[str, Any]) -> None:
    uow.session.execute(insert(LoyaltyTransaction), [{"merchant_id": uow.merchant, **row}])


def for_tab(uow: UnitOfWork, tab_id: str) -> list[LoyaltyTransaction]:
    """What a tab earned, what was taken back from it and given back, oldest first."""
    return list(
        uow.session.scalars(
            select(LoyaltyTransaction)
            .where(
                LoyaltyTransaction.merchant_id == uow.merchant,
                LoyaltyTransaction.tab_id == tab_id,
                LoyaltyTransaction.kind.in_(("earn", "take_back", "give_back")),
            )
            .order_by(LoyaltyTransaction.created_at)
        )
    )


def history(uow: UnitOfWork, customer_id: str, limit: int = 50) -> list[LoyaltyTransaction]:
    return list(
        uow.session.scalars(
            select(LoyaltyTransaction)
            .where(
                LoyaltyTransaction.merchant_id == uow.merchant,
                LoyaltyTransaction.customer_id == customer_id,
            )
            .order_by(LoyaltyTransaction.created_at.desc(), LoyaltyTransaction.transaction_id)
            .limit(limit)
        )
    )


def count_between(uow: UnitOfWork, customer_id: str, start: datetime, end: datetime) -> int:
    return int(
        uow.session.scalar(
            select(func.count()).where(
                LoyaltyTransaction.merchant_id == uow.merchant,
                LoyaltyTransaction.customer_id == customer_id,
                LoyaltyTransaction.created_at >= start,
                LoyaltyTransaction.created_at < end,
            )
        )
        or 0
    )


def busy_customers(
    uow: UnitOfWork, start: datetime, end: datetime, more_than: int
) -> dict[str, int]:
    """Customers with more than ``more_than`` transactions in ``[start, end)``."""
    rows = uow.session.execute(
        select(LoyaltyTransaction.customer_id, func.count())
        .where(
            LoyaltyTransaction.merchant_id == uow.merchant,
            LoyaltyTransaction.created_at >= start,
            LoyaltyTransaction.created_at < end,
        )
        .group_by(LoyaltyTransaction.customer_id)
        .having(func.count() > more_than)
    )
    return {customer: int(n) for customer, n in rows}


def add_reward(uow: UnitOfWork, reward: LoyaltyReward) -> None:
    uow.session.add(reward)
    uow.session.flush()


def reward(uow: UnitOfWork, reward_id: str) -> LoyaltyReward | None:
    return uow.session.get(LoyaltyReward, (uow.merchant, reward_id), populate_existing=True)


def rewards_of(
    uow: UnitOfWork, customer_id: str, *, status: str | None = None
) -> list[LoyaltyReward]:
    query = select(LoyaltyReward).where(
        LoyaltyReward.merchant_id == uow.merchant, LoyaltyReward.customer_id == customer_id
    )
    if status is not None:
        query = query.where(LoyaltyReward.status == status)
    return list(uow.session.scalars(query.order_by(LoyaltyReward.issued_at.desc())))


def all_rewards(uow: UnitOfWork) -> list[LoyaltyReward]:
    return list(
        uow.session.scalars(select(LoyaltyReward).where(LoyaltyReward.merchant_id == uow.merchant))
    )


def claim(uow: UnitOfWork, reward_id: str, *, tab_id: str, discount: int, at: datetime) -> bool:
    """Mark the reward used on ``tab_id``, if it is still available: whoever
    changes the row first wins, the other sees no row to change (on
    PostgreSQL it waits for the winner's commit, then finds it redeemed)."""
    done = uow.session.execute(
        update(LoyaltyReward)
        .where(
            LoyaltyReward.merchant_id == uow.merchant,
            LoyaltyReward.reward_id == reward_id,
            LoyaltyReward.status == AVAILABLE,
        )
        .values(status=REDEEMED, tab_id=tab_id, discount=discount, redeemed_at=at)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def void(uow: UnitOfWork, reward_id: str) -> bool:
    """Take back an unused reward (its points were taken back)."""
    done = uow.session.execute(
        update(LoyaltyReward)
        .where(
            LoyaltyReward.merchant_id == uow.merchant,
            LoyaltyReward.reward_id == reward_id,
            LoyaltyReward.status == AVAILABLE,
        )
        .values(status=VOID)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def unvoid(uow: UnitOfWork, reward_id: str) -> bool:
    """A reward voided by a take-back made available again: the money whose
    take-back voided it came back (a dispute won after its loss)."""
    done = uow.session.execute(
        update(LoyaltyReward)
        .where(
            LoyaltyReward.merchant_id == uow.merchant,
            LoyaltyReward.reward_id == reward_id,
            LoyaltyReward.status == VOID,
        )
        .values(status=AVAILABLE)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def restored_by(uow: UnitOfWork, tab_id: str, reference: str) -> list[str]:
    """The rewards a take-back of ``tab_id`` named ``reference`` voided (their
    cost restored to take it from), newest first."""
    rows = uow.session.scalars(
        select(LoyaltyTransaction.reward_id)
        .where(
            LoyaltyTransaction.merchant_id == uow.merchant,
            LoyaltyTransaction.tab_id == tab_id,
            LoyaltyTransaction.reference == reference,
            LoyaltyTransaction.kind == "restore",
        )
        .order_by(LoyaltyTransaction.created_at.desc())
    )
    return [str(reward_id) for reward_id in rows if reward_id]


def referrals_rewarded_since(uow: UnitOfWork, referrer_id: str, since: datetime) -> int:
    return int(
        uow.session.scalar(
            select(func.count()).where(
                LoyaltyReward.merchant_id == uow.merchant,
                LoyaltyReward.customer_id == referrer_id,
                LoyaltyReward.source == "referral_referrer",
                LoyaltyReward.issued_at >= since,
            )
        )
        or 0
    )


def referral_rewarded_for(uow: UnitOfWork, friend_id: str) -> bool:
    """Whether the referrer already got their thanks for ``friend_id``."""
    found = uow.session.scalar(
        select(LoyaltyReward.reward_id)
        .where(
            LoyaltyReward.merchant_id == uow.merchant,
            LoyaltyReward.source == "referral_referrer",
            LoyaltyReward.referred_customer_id == friend_id,
        )
        .limit(1)
    )
    return found is not None


def referrer_thanks_for(uow: UnitOfWork, friend_id: str) -> LoyaltyReward | None:
    """The referrer's thanks for ``friend_id``, if it was given (once at most)."""
    return uow.session.scalar(
        select(LoyaltyReward)
        .where(
            LoyaltyReward.merchant_id == uow.merchant,
            LoyaltyReward.source == "referral_referrer",
            LoyaltyReward.referred_customer_id == friend_id,
        )
        .limit(1)
    )


def move_customer(uow: UnitOfWork, merged_id: str, into_id: str) -> int:
    """A merge: the duplicate's stamps, points and rewards go to the customer kept."""
    moved = 0
    for table in (LoyaltyTransaction, LoyaltyReward):
        done = uow.session.execute(
            update(table)
            .where(table.merchant_id == uow.merchant, table.customer_id == merged_id)
            .values(customer_id=into_id)
            .execution_options(synchronize_session=False)
        )
        moved += int(done.rowcount)  # type: ignore[attr-defined]
    return moved

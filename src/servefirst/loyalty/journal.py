"""The two writes every loyalty use case shares: a row of the customer's
``loyalty_transactions`` journal (a balance is its sum), and a reward issued
to them. Earning, taking back, redeeming and referrals all write through here,
and both programmes check a free service they would issue exists
(``ensure_service``)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from servefirst.catalog.service import get_service
from servefirst.events.service import emit
from servefirst.kit.errors import InvalidRequest, NotFound
from servefirst.kit.ids import new_id
from servefirst.loyalty import repository as loyalty
from servefirst.loyalty.models import LoyaltyReward
from servefirst.loyalty.rules import RewardSpec, RewardType

if TYPE_CHECKING:
    from servefirst.db.uow import UnitOfWork


def move(uow: UnitOfWork, customer_id: str, kind: str, points: int, **about: Any) -> None:
    """One row of the journal; ``about``: the tab, reward or reference it names."""
    loyalty.add_transaction(
        uow,
        {
            "transaction_id": new_id("ltx"),
            "customer_id": customer_id,
            "kind": kind,
            "points": points,
            "tab_id": about.get("tab_id"),
            "reward_id": about.get("reward_id"),
            "reference": about.get("reference"),
            "created_at": uow.clock.now(),
        },
    )


def issue(
    uow: UnitOfWork,
    customer_id: str,
    source: str,
    spec: RewardSpec,
    expires_after_days: int | None,
    referred_customer_id: str | None = None,
) -> LoyaltyReward:
    now = uow.clock.now()
    reward = LoyaltyReward(
        merchant_id=uow.merchant,
        reward_id=new_id("rwd"),
        customer_id=customer_id,
        source=source,
        reward=spec.as_stored(),
        status=loyalty.AVAILABLE,
        cost=0,
        referred_customer_id=referred_customer_id,
        issued_at=now,
        expires_at=now + timedelta(days=expires_after_days) if expires_after_days else None,
    )
    loyalty.add_reward(uow, reward)
    emit(
        uow,
        "loyalty.reward_issued",
        reward.reward_id,
        {"customer_id": customer_id, "source": source},
    )
    return reward


def ensure_service(uow: UnitOfWork, reward: RewardSpec, param: str) -> None:
    """A free-service reward names a service of this merchant's (422 on ``param``)."""
    if reward.type is RewardType.FREE_SERVICE:
        try:
            get_service(uow, reward.service_id or "")
        except NotFound:
            raise InvalidRequest(f"No such service: '{reward.service_id}'.", param=param) from None

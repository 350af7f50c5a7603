"""What a customer may owe: their tier's tab limit, grown by their on-time
visits, against what they owe across their unpaid tabs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from servefirst.catalog.service import get_service
from servefirst.customers.repository import Parties
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import NotFound, PolicyRefused
from servefirst.kit.money import Money
from servefirst.merchants.service import get_merchant
from servefirst.trust.rules import TabLimitRule, Tier, Trust, TrustPolicy
from servefirst.trust.service import trust_now
from servefirst.trust.unlock import over_limit_unlocks

if TYPE_CHECKING:
    from servefirst.customers.models import Customer
    from servefirst.merchants.models import Merchant


@dataclass(frozen=True)
class TabLimit:
    tier: Tier
    pay_after: bool
    limit: int  # minor units
    outstanding: int  # owed across the customer's unpaid tabs
    on_time_visits: int = 0
    rule: TabLimitRule | None = None
    currency: str = "EUR"

    def shown(self, amount: int) -> str:
        """An amount as staff read it aloud: '€50.00', not 5000."""
        return Money(amount, self.currency).format()

    @property
    def available(self) -> int:
        return max(self.limit - self.outstanding, 0)


def tab_limit_for(uow: UnitOfWork, merchant: Merchant, customer: Customer) -> TabLimit:
    """The tier's limit, grown by the customer's on-time paid visits, and what
    they owe now across all their unpaid tabs."""
    policy = TrustPolicy.of(merchant.policy, merchant.currency)
    return limit_under(
        uow, policy, trust_now(customer, policy=policy, now=uow.clock.now()), customer
    )


def limit_under(uow: UnitOfWork, policy: TrustPolicy, trust: Trust, customer: Customer) -> TabLimit:
    """The limit of ``trust``'s tier under ``policy``, and what the customer owes."""
    rule = policy.rule(trust.tier)
    visits = customer.paid_visits
    return TabLimit(
        trust.tier,
        rule.pay_after,
        rule.tab_limit.limit(visits),
        uow.tabs.outstanding(customer.customer_id),
        visits,
        rule.tab_limit,
        policy.currency,
    )


def refuse_over_limit(limit: TabLimit, adding: int) -> None:
    unlock = over_limit_unlocks(limit, adding)
    raise PolicyRefused(
        f"This would take the customer past their tab limit ({limit.tier.value} tier: "
        f"{limit.shown(limit.limit)} with {limit.shown(limit.outstanding)} already owed, "
        f"{limit.shown(limit.available)} available). " + " ".join(u["message"] for u in unlock),
        code="tab_limit_exceeded",
        details={
            "tier": limit.tier.value,
            "limit": limit.limit,
            "tab_limit": limit.limit,
            "outstanding": limit.outstanding,
            "available": limit.available,
            "requested": adding,
            "unlock": unlock,
        },
        figures={"currency": limit.currency},
    )


def parties(
    uow: UnitOfWork, customer_id: str, *, service_id: str | None = None, credit_lock: bool
) -> Parties:
    """The customer, the merchant and (given ``service_id``) the service; with
    ``credit_lock`` the customer's credit lock is held until commit."""
    found = uow.customers.parties(customer_id, service_id=service_id, credit_lock=credit_lock)
    if found is None:
        # Say what is missing, in the order the request names things.
        if service_id is not None:
            get_service(uow, service_id)
        get_merchant(uow)  # an unknown merchant says so; else the customer is unknown
        raise NotFound(f"No such customer: '{customer_id}'.", param="customer_id")
    return found

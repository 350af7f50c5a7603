"""The merchant's deposit policy, and a service's overrides on top of it.

Read by the booking's deposit decision (``deposits``), by the no-show model's
what-if (``risk``) and by the console; it depends on neither of them.
"""

from __future__ import annotations

from servefirst.bookings.rules import DepositPolicy
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.merchants.service import get_merchant


def deposit_policy(uow: UnitOfWork, service_policy: dict[str, object] | None) -> DepositPolicy:
    """The merchant's policy, with the service's own overrides on top."""
    merchant = get_merchant(uow)
    base = dict((merchant.policy or {}).get("deposits") or {})
    base.update(service_policy or {})
    return DepositPolicy.from_dict(base)


def set_deposit_policy(uow: UnitOfWork, policy: dict[str, object]) -> DepositPolicy:
    """Replace the merchant's deposit policy (validated whole before it is kept)."""
    checked = DepositPolicy.from_dict(policy)
    merchant = get_merchant(uow, lock=True)
    # A new dict, so the JSON column notices the change.
    merchant.policy = {**(merchant.policy or {}), "deposits": checked.as_dict()}
    uow.session.flush()
    emit(uow, "merchant.deposit_policy_changed", uow.merchant, checked.as_dict())
    return checked


def merchant_deposit_policy(uow: UnitOfWork) -> DepositPolicy:
    return deposit_policy(uow, None)

"""Opening a tab for a customer, if their tier lets them pay after."""

from __future__ import annotations

from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.errors import PolicyRefused
from servefirst.kit.ids import new_id, new_tab_token
from servefirst.tabs.limits import limit_under, parties, refuse_over_limit
from servefirst.tabs.models import Tab
from servefirst.tabs.rules import TabStatus
from servefirst.trust.rules import TrustPolicy
from servefirst.trust.service import current_evidence, trust_now
from servefirst.trust.unlock import prepayment_unlocks


def open_tab(uow: UnitOfWork, *, customer_id: str, secured: bool = False) -> Tab:
    """Open a tab. ``secured``: a booking's deposit or card hold stands behind
    it (check-in), so the tier's pay-after refusal does not apply."""
    # What the customer owes is checked under their credit lock (see add_line).
    found = parties(uow, customer_id, credit_lock=not secured)
    customer, merchant = found.customer, found.merchant
    now = uow.clock.now()
    policy = TrustPolicy.of(merchant.policy, merchant.currency)
    trust = trust_now(customer, policy=policy, now=now)
    limit = limit_under(uow, policy, trust, customer)
    if not secured and not limit.pay_after:
        unlock = prepayment_unlocks(current_evidence(customer, policy, now), policy)
        raise PolicyRefused(
            f"This customer's tier ({limit.tier.value}) may not pay after. "
            + " ".join(u["message"] for u in unlock),
            code="prepayment_required",
            details={
                "tier": limit.tier.value,
                "factors": trust.factors,
                "limit": limit.limit,
                "outstanding": limit.outstanding,
                "available": limit.available,
                "unlock": unlock,
            },
        )
    if not secured and limit.outstanding >= limit.limit:
        refuse_over_limit(limit, 0)
    tab = uow.tabs.add(
        {
            "merchant_id": uow.merchant,
            "tab_id": new_id("tab"),
            "customer_id": customer.customer_id,
            "token": new_tab_token(uow.merchant),
            "status": TabStatus.OPEN.value,
            "currency": merchant.currency,
            "subtotal": 0,
            "adjustments": 0,
            "paid": 0,
            "tips": 0,
            "deposit_applied": 0,
            "refunded": 0,
            "tips_refunded": 0,
            "line_count": 0,
            "card_held": False,
            "pending_payment_id": None,
            "opened_at": now,
            "served_at": None,
            "closed_at": None,
            "terms_accepted_at": None,
            "taxes": None,
            "receipt_number": None,
            "due_date": None,
            "invoiced_at": None,
        }
    )
    emit(uow, "tab.opened", tab.tab_id, {"customer_id": customer.customer_id})
    return tab

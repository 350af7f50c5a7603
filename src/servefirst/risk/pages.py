"""The console's deposit policy simulator: the merchant's own history replayed
under other deposit policies, side by side (``/staff/deposits/simulate``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from servefirst.db.uow import UnitOfWork
from servefirst.merchants.service import get_merchant
from servefirst.risk.schedule import refit_on_schedule
from servefirst.risk.service import current_model, history, simulate_history
from servefirst.staff.web import SignInRequired, base_context, render, see_other
from servefirst.staff.web import console as signed_in

router = APIRouter(prefix="/staff", include_in_schema=False, lifespan=refit_on_schedule)


@router.get("/deposits/simulate")
def deposit_simulator(request: Request, loss_threshold: int | None = None) -> Response:
    """What each deposit policy would have done on this business's bookings."""
    try:
        with signed_in(request, write=False) as (uow, me):
            merchant = get_merchant(uow)
            simulation = simulate_history(uow, loss_threshold) if _has_history(uow) else None
            context = base_context(
                me,
                request,
                merchant_name=merchant.name,
                currency=merchant.currency,
                simulation=simulation,
                model=current_model(uow),
            )
    except SignInRequired:
        return see_other("/staff")
    return render(request, "staff/deposit_simulator.html", context)


def _has_history(uow: UnitOfWork) -> bool:
    return any(r.outcome is not None for r in history(uow))

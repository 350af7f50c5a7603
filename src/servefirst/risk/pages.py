"""The console's deposit policy simulator: the merchant's own history replayed
under other deposit policies, side by side (``/staff/deposits/simulate``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import InvalidRequest
from servefirst.kit.money import MAX_AMOUNT
from servefirst.kit.refusals import in_words
from servefirst.kit.typed import parse_int, refuse_nul
from servefirst.merchants.service import get_merchant
from servefirst.risk.schedule import refit_on_schedule
from servefirst.risk.service import current_model, history, simulate_history
from servefirst.staff.web import SignInRequired, base_context, render, see_other
from servefirst.staff.web import console as signed_in

router = APIRouter(prefix="/staff", include_in_schema=False, lifespan=refit_on_schedule)


@router.get("/deposits/simulate")
def deposit_simulator(request: Request, loss_threshold: str = "") -> Response:
    """What each deposit policy would have done on this business's bookings.
    A threshold that is no whole number (typed into the address, sent by a
    bot) is refused in words above the replay without it, not in FastAPI's JSON."""
    try:
        threshold, error = _threshold(loss_threshold), None
    except InvalidRequest as exc:
        threshold, error = None, exc
    try:
        with signed_in(request, write=False) as (uow, me):
            merchant = get_merchant(uow)
            simulation = simulate_history(uow, threshold) if _has_history(uow) else None
            context = base_context(
                me,
                request,
                merchant_name=merchant.name,
                currency=merchant.currency,
                simulation=simulation,
                model=current_model(uow),
                error=in_words(error) if error else None,
            )
    except SignInRequired:
        return see_other("/staff")
    return render(request, "staff/deposit_simulator.html", context, 422 if error else 200)


def _threshold(typed: str) -> int | None:
    """The loss threshold tried, in minor units (blank: the policy's own)."""
    if not typed.strip():
        return None
    refuse_nul([("loss_threshold", typed)])
    return parse_int(typed, param="loss_threshold", low=0, high=MAX_AMOUNT)


def _has_history(uow: UnitOfWork) -> bool:
    return any(r.outcome is not None for r in history(uow))

"""The console's card disputes (``/staff/disputes``): what Stripe told of,
for managers and owners, with what a lost one took out of the books and the
booking a deposit's dispute is of; the owner marks one lost, which only then
counts in the customer's trust history, or won, which frees its payment to
be refunded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import ServefirstError
from servefirst.kit.refusals import in_words
from servefirst.merchants.service import get_merchant, merchant_zone
from servefirst.payments import disputes
from servefirst.staff import service as staff
from servefirst.staff.rules import Access
from servefirst.staff.web import act, base_context, render, show

router = APIRouter(prefix="/staff", include_in_schema=False)

PAGE = "/staff/disputes"


def _page(
    request: Request, uow: UnitOfWork, me: staff.SignedIn, *, error: str = "", status: int = 200
) -> Response:
    listed = disputes.disputes(uow)
    context = base_context(
        me,
        request,
        merchant_name=get_merchant(uow).name,
        zone=merchant_zone(uow),
        disputes=listed,
        deposits=disputes.deposits_disputed(uow, listed),
        can_mark=me.access.allows(Access.OWNER),
        marked=request.query_params.get("marked") == "1",
        won=request.query_params.get("won") == "1",
        error=error,
    )
    return render(request, "staff/disputes.html", context, status=status)


@router.get("/disputes")
def disputes_page(request: Request) -> Response:
    return show(request, lambda uow, me: _page(request, uow, me), needs=Access.MANAGER)


@router.post("/disputes/{dispute_id}/lost")
def mark_lost(
    request: Request, dispute_id: str, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    return _mark(request, csrf_token, lambda uow: disputes.mark_lost(uow, dispute_id), "marked")


@router.post("/disputes/{dispute_id}/won")
def mark_won(
    request: Request, dispute_id: str, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    return _mark(request, csrf_token, lambda uow: disputes.mark_won(uow, dispute_id), "won")


def _mark(
    request: Request, csrf_token: str, mark: Callable[[UnitOfWork], object], said: str
) -> Response:
    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        mark(uow)
        return f"{PAGE}?{said}=1"

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        return _page(request, uow, me, error=in_words(exc), status=exc.status)

    return act(request, csrf_token, change, on_error, needs=Access.OWNER)

"""The debtors page (owners and managers): receivables by age, each debt with
"mark overdue" and "write off" (a confirm box and a reason). The changes go
through the tabs' own transitions (``tabs.service``); a refusal, a missing
reason or confirm, or a stale form gives the page back with what was typed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from servefirst.db.uow import UnitOfWork
from servefirst.kit import i18n
from servefirst.kit.errors import InvalidRequest, ServefirstError
from servefirst.kit.refusals import in_words
from servefirst.merchants.service import get_merchant
from servefirst.reports.debtors import debtors
from servefirst.staff import service as staff
from servefirst.staff.kept_forms import act_keeping
from servefirst.staff.rules import Access
from servefirst.staff.web import base_context, render, show
from servefirst.tabs import service as tabs

router = APIRouter(prefix="/staff", include_in_schema=False)

DONE = {"overdue": "Marked overdue.", "written_off": "Written off."}


def _page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    entries: dict[str, str] | None = None,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    merchant = get_merchant(uow)
    done = DONE.get(request.query_params.get("done", ""))
    context: dict[str, Any] = base_context(
        me,
        request,
        merchant_name=merchant.name,
        currency=merchant.currency,
        view=debtors(uow),
        entries=entries or {},
        error=i18n.gettext(error) if error else None,
    )
    if done and not error:
        context["notice"] = i18n.gettext(done)
    return render(request, "staff/debtors.html", context, status)


@router.get("/debtors")
def debtors_page(request: Request) -> Response:
    return show(request, lambda uow, me: _page(request, uow, me), needs=Access.MANAGER)


@router.post("/debtors/{tab_id}/overdue")
async def mark_overdue(request: Request, tab_id: str) -> Response:
    entries = {str(k): str(v) for k, v in (await request.form()).items()}

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        tabs.mark_overdue(uow, tab_id)
        return "/staff/debtors?done=overdue"

    def again(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        return _page(
            request, uow, me, {**entries, "tab_id": tab_id}, error=in_words(exc), status=exc.status
        )

    return act_keeping(request, entries.get("csrf_token", ""), change, again, needs=Access.MANAGER)


@router.post("/debtors/{tab_id}/write-off")
async def write_off(request: Request, tab_id: str) -> Response:
    entries = {str(k): str(v) for k, v in (await request.form()).items()}

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        reason = entries.get("reason", "").strip()
        if not reason:
            raise InvalidRequest(i18n.gettext("Say why this debt is written off."), param="reason")
        if entries.get("confirm") != "yes":
            raise InvalidRequest(
                i18n.gettext("Tick the box to confirm: a write-off cannot be undone."),
                param="confirm",
            )
        tabs.write_off(uow, tab_id, reason=f"{reason[:150]} ({me.account.name})")
        return "/staff/debtors?done=written_off"

    def again(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        return _page(
            request, uow, me, {**entries, "tab_id": tab_id}, error=in_words(exc), status=exc.status
        )

    return act_keeping(request, entries.get("csrf_token", ""), change, again, needs=Access.MANAGER)

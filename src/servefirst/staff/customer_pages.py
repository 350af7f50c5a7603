"""The console's customer management: the warning before a likely duplicate
is added, and merging two customers into one (managers, with a confirm)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.customers import merging
from servefirst.customers.service import get_customer, likely_duplicates, search_customers
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import Conflict, InvalidRequest, ServefirstError
from servefirst.kit.i18n import N_
from servefirst.kit.i18n import gettext as _
from servefirst.kit.refusals import in_words
from servefirst.kit.typed import NUL
from servefirst.merchants.service import get_merchant
from servefirst.staff import service as staff
from servefirst.staff.kept_forms import act_keeping
from servefirst.staff.rules import Access
from servefirst.staff.web import base_context, problem, render, searched, show

if TYPE_CHECKING:
    from servefirst.customers.models import Customer

router = APIRouter(prefix="/staff", include_in_schema=False)

FormText = Annotated[str, Form()]

#: Why a customer looks like one already here, in words.
REASONS = {"email": N_("the same e-mail"), "phone": N_("the same phone number")}


class LikelyDuplicate(Conflict):
    """A new customer shares an e-mail or phone with one already here: staff
    see who, and add them anyway only by saying so."""

    code = "customer_likely_duplicate"

    def __init__(self, matches: list[tuple[Customer, list[str]]]) -> None:
        super().__init__(_("This looks like a customer you already have."))
        self.matches = matches


def check_not_duplicate(uow: UnitOfWork, email: str | None, phone: str | None) -> None:
    """Raise ``LikelyDuplicate`` when the e-mail or phone is already a customer's."""
    matches = likely_duplicates(uow, email=email, phone=phone)
    if matches:
        raise LikelyDuplicate(matches)


def duplicate_page(
    request: Request,
    me: staff.SignedIn,
    exc: LikelyDuplicate,
    typed: dict[str, str],
    merchant_name: str,
) -> Response:
    """The warning: who is already here and why, with a way to add anyway."""
    matches = [(c, [_(REASONS[r]) for r in why]) for c, why in exc.matches]
    context = base_context(
        me, request, matches=matches, typed=typed, merchant_name=merchant_name, error=None
    )
    return render(request, "staff/customer_duplicate.html", context, status=exc.status)


def _merge_page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    customer_id: str,
    q: str,
    *,
    error: str | None = None,
    status: int = 200,
    chosen: str = "",
    searching: bool = True,
) -> Response:
    merged = get_customer(uow, customer_id)
    matches = search_customers(uow, q, limit=20) if searching else []
    found = [c for c in matches if c.customer_id != customer_id]
    context = base_context(
        me,
        request,
        merged=merged,
        query=q,
        found=found if q.strip() else [],
        chosen=chosen,
        error=error,
        merchant_name=get_merchant(uow).name,
    )
    return render(request, "staff/customer_merge.html", context, status)


@router.get("/customers/{customer_id}/merge")
def merge_page(request: Request, customer_id: str, q: str = "") -> Response:
    """Choose the customer to keep; the one in the path is merged into them."""

    def build(uow: UnitOfWork, me: staff.SignedIn) -> Response:
        query, refusal = searched(q)
        if refusal is None:
            return _merge_page(request, uow, me, customer_id, q)
        return _merge_page(
            request, uow, me, customer_id, query, error=refusal, status=422, searching=False
        )

    return show(request, build, needs=Access.MANAGER)


@router.post("/customers/{customer_id}/merge")
def merge(
    request: Request,
    customer_id: str,
    into: FormText = "",
    confirm: FormText = "",
    q: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        if not into:
            raise InvalidRequest(_("Choose the customer to keep."), param="into")
        if confirm != "yes":
            raise InvalidRequest(
                _("Tick the box to confirm the merge: it cannot be undone."), param="confirm"
            )
        kept = merging.merge_customer(uow, customer_id, into)
        return f"/staff/customers/{kept.customer_id}?done=merged"

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        try:
            return _merge_page(
                request,
                uow,
                me,
                customer_id,
                q.replace(NUL, ""),  # searched again: a NUL is what was refused
                error=in_words(exc),
                status=exc.status,
                chosen=into,
            )
        except ServefirstError as gone:  # merged meanwhile: say so, not a stack trace
            return problem(request, me, gone)

    return act_keeping(request, csrf_token, change, on_error, needs=Access.MANAGER)

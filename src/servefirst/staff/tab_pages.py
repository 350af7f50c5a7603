"""The console's customer and tab pages: a customer's page, open a tab, add
what was served, mark it served or void it, resolve a concern (finding and
adding customers is ``customer_book_pages``; taking payment at the counter,
``payment_pages``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from servefirst.db.uow import UnitOfWork
from servefirst.guarantee import service as guarantee
from servefirst.guarantee.schemas import ResolveIn
from servefirst.kit.errors import InvalidRequest, ServefirstError
from servefirst.kit.i18n import N_
from servefirst.kit.refusals import in_words
from servefirst.kit.typed import format_amount, parse_amount_or_zero, refuse_nul
from servefirst.loyalty import service as loyalty
from servefirst.staff import console
from servefirst.staff import service as staff
from servefirst.staff.home_page import page_context
from servefirst.staff.line_credit import done_by_form
from servefirst.staff.rules import Access
from servefirst.staff.schema_words import refused_field
from servefirst.staff.web import (
    act,
    base_context,
    problem,
    render,
    runtime_of,
    see_other,
    show,
)
from servefirst.tabs import service as tabs

router = APIRouter(prefix="/staff", include_in_schema=False)

FormText = Annotated[str, Form()]


#: The concern form's fields as their refusals name them.
FIELD_NAMES = {"amount": N_("discount"), "reason": N_("reason")}


def _invalid(exc: ValidationError) -> InvalidRequest:
    """A schema's complaint about a form field, in the words staff read."""
    return refused_field(exc, FIELD_NAMES)


# --- customers (finding and adding them: customer_book_pages) ---------------


def _customer_page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    customer_id: str,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    view = console.customer_view(uow, customer_id)
    card = loyalty.customer_card(uow, customer_id) if view.merchant.policy else None
    context = base_context(
        me,
        request,
        view=view,
        error=error,
        merchant_name=view.merchant.name,
        loyalty=card,
        progress=loyalty.progress_in_words(uow, card) if card else None,
        reward_words={r.reward_id: loyalty.reward_in_words(uow, r) for r in card.available}
        if card
        else {},
    )
    return render(request, "staff/customer.html", context, status)


@router.get("/customers/{customer_id}")
def customer_page(request: Request, customer_id: str) -> Response:
    return show(request, lambda uow, me: _customer_page(request, uow, me, customer_id))


@router.post("/customers/{customer_id}/tabs")
def open_tab(request: Request, customer_id: str, csrf_token: FormText = "") -> Response:
    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        tab = tabs.open_tab(uow, customer_id=customer_id)
        return f"/staff/tabs/{tab.tab_id}?done=opened"

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        try:
            return _customer_page(
                request, uow, me, customer_id, error=in_words(exc), status=exc.status
            )
        except ServefirstError as missing:
            return problem(request, me, missing)

    return act(request, csrf_token, change, on_error)


# --- tabs -------------------------------------------------------------------


@router.get("/find")
def find_tab(request: Request, code: str = "") -> Response:
    """The short code a customer reads out at the counter."""

    def build(uow: UnitOfWork, me: staff.SignedIn) -> Response:
        try:
            refuse_nul([("code", code)])  # no tab's code: not looked up
            tab = tabs.find_by_short_code(uow, code)
        except ServefirstError as exc:
            home = console.home(uow)
            context = base_context(
                me,
                request,
                home=home,
                error=in_words(exc),
                code=code,
                merchant_name=home.merchant.name,
            )
            return render(request, "staff/home.html", context, status=exc.status)
        return see_other(f"/staff/tabs/{tab.tab_id}")

    return show(request, build)


def _tab_page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    tab_id: str,
    *,
    error: str | None = None,
    status: int = 200,
    kept: dict[str, str] | None = None,
) -> Response:
    """The tab's console page; ``kept``: a refused form's entries, given back."""
    view = console.tab_view(uow, tab_id, runtime_of(request).settings.public_url)
    context = page_context(
        me,
        request,
        view=view,
        rewards=_rewards_waiting(uow, view),
        error=error,
        kept=kept or {},
        done_by=done_by_form(uow, view, me.account.staff_id, (kept or {}).get("staff_id", "")),
        merchant_name=view.merchant.name,
        due_text=format_amount(view.bill.due, view.tab.currency),
    )
    return render(request, "staff/tab.html", context, status)


def _rewards_waiting(uow: UnitOfWork, view: console.TabView) -> list[tuple[str, str]]:
    """The customer's rewards to offer at the counter (id, in words), while
    the tab takes payment."""
    if not view.takes_payment or not {"loyalty", "referral"} & set(view.merchant.policy or {}):
        return []
    return [
        (r.reward_id, loyalty.reward_in_words(uow, r))
        for r in loyalty.available_rewards(uow, view.tab.customer_id)
    ]


def _tab_action(
    request: Request,
    tab_id: str,
    csrf_token: str,
    do: Callable[[UnitOfWork, staff.SignedIn], object],
    done: str,
    *,
    needs: Access = Access.STAFF,
    kept: dict[str, str] | None = None,
    beside: tuple[str, ...] = (),
) -> Response:
    """One change on a tab, then back to the tab (or the tab with the refusal,
    and ``kept``: the form's entries, given back; a refusal of one of the
    fields ``beside`` said beside it, any other above the page)."""

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        do(uow, me)
        return f"/staff/tabs/{tab_id}?done={done}"

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        at_field = exc.param is not None and exc.param in beside
        return tab_page_refusing(request, uow, me, tab_id, exc, kept or {}, beside=at_field)

    return act(request, csrf_token, change, on_error, needs=needs)


def tab_page_refusing(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    tab_id: str,
    refusal: ServefirstError,
    kept: dict[str, str],
    *,
    beside: bool = False,
) -> Response:
    """The tab page again after a refused form, its entries ``kept``: the
    refusal said beside its field (``beside``) or above the page; a tab that
    is itself unknown, the console's problem page."""
    words = in_words(refusal)
    shown = {**kept, "invalid": refusal.param or "", "refusal": words} if beside else kept
    try:
        return _tab_page(
            request,
            uow,
            me,
            tab_id,
            error=None if beside else words,
            status=refusal.status,
            kept=shown,
        )
    except ServefirstError as missing:
        return problem(request, me, missing)


#: The tab page's actions, for the console's other pages about a tab
#: (payments, refunds, voids, invoices); ``tab_page_refusing`` gives the page
#: back after their refusals.
tab_action = _tab_action


@router.get("/tabs")
def tabs_list(request: Request) -> Response:
    """The console's list of tabs is the counter's running tabs: the address a
    member types (or trims from a tab's own) leads there, once signed in."""
    return show(request, lambda uow, me: see_other("/staff#running-heading"))


@router.get("/tabs/{tab_id}")
def tab_page(request: Request, tab_id: str) -> Response:
    return show(request, lambda uow, me: _tab_page(request, uow, me, tab_id))


@router.post("/tabs/{tab_id}/serve")
def serve(request: Request, tab_id: str, csrf_token: FormText = "") -> Response:
    return _tab_action(
        request, tab_id, csrf_token, lambda uow, me: tabs.serve(uow, tab_id), "served"
    )


@router.post("/tabs/{tab_id}/void")
def void(request: Request, tab_id: str, csrf_token: FormText = "") -> Response:
    return _tab_action(
        request, tab_id, csrf_token, lambda uow, me: tabs.void(uow, tab_id), "voided"
    )


@router.post("/tabs/{tab_id}/concerns/{concern_id}")
def resolve_concern(
    request: Request,
    tab_id: str,
    concern_id: str,
    decision: FormText = "",
    amount: FormText = "",
    reason: FormText = "",
    unfounded: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    def do(uow: UnitOfWork, me: staff.SignedIn) -> None:
        currency = tabs.get_tab(uow, tab_id).currency
        try:
            body = ResolveIn.model_validate(
                {
                    "decision": decision,
                    "amount": parse_amount_or_zero(amount, currency) if amount.strip() else None,
                    "reason": reason.strip() or None,
                    "unfounded": unfounded == "on",
                }
            )
        except ValidationError as exc:
            raise _invalid(exc) from None
        guarantee.resolve(
            uow,
            tab_id,
            concern_id,
            decision=body.decision,
            amount=body.amount,
            reason=body.reason,
            unfounded=body.unfounded,
        )

    done = "approved" if decision == "approve" else "rejected"
    # The discount typed comes back beside its field, which sits at the foot
    # of a long page: a refusal above the page would be out of sight.
    kept = {"form": f"concern-{concern_id}", "amount": amount}
    # Deciding a concern moves the bill and the customer's trust: a manager's call.
    return _tab_action(
        request, tab_id, csrf_token, do, done, needs=Access.MANAGER, kept=kept, beside=("amount",)
    )

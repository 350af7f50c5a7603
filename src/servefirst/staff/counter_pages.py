"""The counter: a tab's lines added with one tap on a grid of the merchant's
services (most sold first) with a quantity stepper, and money taken before
serving (a prepaid line, or a prepayment on the open tab) in cash or on the
card terminal. A refused line keeps what was chosen and says why in words,
with the way out the refusal suggests right there."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.bookings.hold_raises import raise_in_turn
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import InvalidRequest, ServefirstError
from servefirst.kit.i18n import N_
from servefirst.kit.i18n import gettext as _
from servefirst.kit.refusals import in_words
from servefirst.kit.typed import format_amount, parse_amount, parse_int
from servefirst.payments.prepaid import COUNTER_METHODS, add_prepaid_line
from servefirst.payments.service import pay_tab
from servefirst.staff import console
from servefirst.staff import service as staff
from servefirst.staff.kept_forms import act_keeping
from servefirst.staff.web import base_context, problem, render, runtime_of, see_other, show
from servefirst.tabs import service as tabs

router = APIRouter(prefix="/staff", include_in_schema=False)

FormText = Annotated[str, Form()]

#: The most a counter adds in one tap.
MAX_QUANTITY = 99
METHOD_WORDS = {"cash": N_("Cash"), "card_terminal": N_("Card terminal")}
NOTICES = {
    "line": N_("Added."),
    "prepaid": N_("Paid and added."),
    "prepayment": N_("Prepayment taken."),
}


def _counter_page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    tab_id: str,
    *,
    error: str | None = None,
    status: int = 200,
    chosen: dict[str, str] | None = None,
    suggested: int | None = None,
) -> Response:
    view = console.tab_view(uow, tab_id, runtime_of(request).settings.public_url)
    sold = tabs.sold_quantities(uow)
    services = sorted(view.services, key=lambda s: (-sold.get(s.service_id, 0), s.name))
    currency = view.tab.currency
    done = NOTICES.get(request.query_params.get("done", ""))
    context: dict[str, Any] = base_context(
        me,
        request,
        view=view,
        services=services,
        error=error,
        chosen=chosen or {},
        suggested=suggested,
        methods=[(m, _(METHOD_WORDS[m])) for m in COUNTER_METHODS],
        due_text=format_amount(view.bill.due, currency) if view.bill.due > 0 else "",
        stepping=f"/staff/tabs/{tab_id}/counter/quantity",
        max_quantity=MAX_QUANTITY,
        merchant_name=view.merchant.name,
    )
    context["notice"] = _(done) if done else None
    return render(request, "staff/counter.html", context, status)


@router.get("/tabs/{tab_id}/counter")
def counter(request: Request, tab_id: str, quantity: str = "") -> Response:
    """The grid; ``quantity`` (from the stepper) is the one chosen for the next tap."""
    stepped = stepped_quantity(quantity, "keep") if quantity else None
    chosen = {"quantity": str(stepped)} if stepped else None
    return show(request, lambda uow, me: _counter_page(request, uow, me, tab_id, chosen=chosen))


def stepped_quantity(typed: str, step: str) -> int:
    """The stepper's − and +: one fewer or one more than what is in the field,
    never below 1 or above the most a tap adds; what is not a whole number
    counts as 1."""
    try:
        now = int(typed.strip())
    except ValueError:
        now = 1
    change = {"down": -1, "up": 1}.get(step, 0)
    return min(max(min(max(now, 1), MAX_QUANTITY) + change, 1), MAX_QUANTITY)


@router.post("/tabs/{tab_id}/counter/quantity")
def step_quantity(tab_id: str, quantity: FormText = "1", step: FormText = "keep") -> Response:
    """The stepper without JavaScript: back to the grid with the quantity
    changed. Nothing is saved, so there is nothing to guard; the grid itself
    checks who is signed in."""
    chosen = stepped_quantity(quantity, step)
    return see_other(f"/staff/tabs/{quote(tab_id, safe='')}/counter?quantity={chosen}")


def _quantity(text: str) -> int:
    return parse_int(text or "1", param="quantity", low=1, high=MAX_QUANTITY)


def _on_error(request: Request, tab_id: str, chosen: dict[str, str]) -> Any:
    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        # What the refusal suggests (take the money first) is offered right
        # there, for the amount it names.
        suggested = None
        for hint in exc.details.get("unlock", []):
            if hint.get("action") == "prepay":
                suggested = hint.get("amount")
        try:
            return _counter_page(
                request,
                uow,
                me,
                tab_id,
                error=in_words(exc),
                status=exc.status,
                chosen=chosen,
                suggested=suggested,
            )
        except ServefirstError as missing:  # the tab itself is unknown
            return problem(request, me, missing)

    return on_error


@router.post("/tabs/{tab_id}/counter/lines")
def tap_line(
    request: Request,
    tab_id: str,
    service_id: FormText = "",
    quantity: FormText = "1",
    csrf_token: FormText = "",
) -> Response:
    """One tap on a service: ``quantity`` of it on the tab."""
    chosen = {"service_id": service_id, "quantity": quantity}

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        if not service_id:
            raise InvalidRequest(_("Tap what was served."), param="service_id")
        tabs.add_line(
            uow,
            tab_id,
            service_id=service_id,
            quantity=_quantity(quantity),
            staff_id=me.account.staff_id,
        )
        raise_in_turn(uow, tab_id)  # the card hold behind the tab grows with it
        return f"/staff/tabs/{tab_id}/counter?done=line"

    return act_keeping(request, csrf_token, change, _on_error(request, tab_id, chosen))


@router.post("/tabs/{tab_id}/counter/prepaid")
def prepaid_line(
    request: Request,
    tab_id: str,
    service_id: FormText = "",
    quantity: FormText = "1",
    method: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    """The refused line, paid for now: added and paid in one go."""
    chosen = {"service_id": service_id, "quantity": quantity, "method": method}

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        if not service_id:
            raise InvalidRequest(_("Tap what was served."), param="service_id")
        add_prepaid_line(
            uow,
            tab_id,
            service_id=service_id,
            quantity=_quantity(quantity),
            method=method,
            staff_id=me.account.staff_id,
        )
        return f"/staff/tabs/{tab_id}/counter?done=prepaid"

    return act_keeping(request, csrf_token, change, _on_error(request, tab_id, chosen))


@router.post("/tabs/{tab_id}/counter/payment")
def take_prepayment(
    request: Request,
    tab_id: str,
    amount: FormText = "",
    method: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    """Money taken at the counter on the open tab, before serving."""
    chosen = {"amount": amount, "method": method}

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        if method not in COUNTER_METHODS:
            raise InvalidRequest(_("Choose cash or the card terminal."), param="method")
        currency = tabs.get_tab(uow, tab_id).currency
        taken = parse_amount(amount, currency, param="amount")
        if not taken:
            raise InvalidRequest(_("Write the amount taken, more than zero."), param="amount")
        pay_tab(uow, tab_id, method=method, amount=taken)
        return f"/staff/tabs/{tab_id}/counter?done=prepayment"

    return act_keeping(request, csrf_token, change, _on_error(request, tab_id, chosen))

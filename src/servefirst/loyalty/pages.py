"""The owner's loyalty page (``/staff/policies/loyalty``): the programme in
force as a form (a stamp card or points, the reward, expiry), and the numbers
it has made so far. A refused form comes back as it was typed, the trouble in
words; the programme is checked whole before any of it is kept."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.catalog.service import list_services
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import ServefirstError
from servefirst.kit.i18n import N_
from servefirst.kit.i18n import gettext as _
from servefirst.kit.refusals import in_words
from servefirst.kit.typed import format_amount, parse_amount
from servefirst.loyalty import service as loyalty
from servefirst.merchants.service import get_merchant
from servefirst.staff import service as staff
from servefirst.staff.kept_forms import act_keeping
from servefirst.staff.rules import Access
from servefirst.staff.web import base_context, render, show

router = APIRouter(prefix="/staff", include_in_schema=False)

FormText = Annotated[str, Form()]
PAGE = "/staff/policies/loyalty"
NOTICES = {"saved": N_("Loyalty programme saved.")}
#: The form's fields a refusal can stand beside (the rest are said above the page).
FIELDS = {
    "kind",
    "visits_per_reward",
    "min_spend",
    "points_per_unit",
    "points_per_reward",
    "reward_type",
    "amount",
    "percent",
    "service_id",
    "expires_after_days",
}


def field_of(param: str | None) -> str | None:
    """The form's field a refusal is about: the programme's rules name the
    reward's parts by its path (``reward.percent``), the form by their own."""
    if not param:
        return None
    name = param.removeprefix("reward.")
    name = "reward_type" if name in ("type", "reward") else name
    return name if name in FIELDS else None


def _current(uow: UnitOfWork) -> dict[str, str]:
    program = loyalty.get_program(uow)
    currency = get_merchant(uow).currency
    if program is None:
        return {"kind": "visits", "visits_per_reward": "10", "min_spend": "", "reward_type": ""}
    stored = program.as_stored()
    reward = stored["reward"]
    return {
        "kind": stored["kind"],
        "visits_per_reward": str(stored.get("visits_per_reward") or ""),
        "min_spend": format_amount(stored.get("min_spend") or 0, currency),
        "points_per_unit": str(stored.get("points_per_unit") or ""),
        "points_per_reward": str(stored.get("points_per_reward") or ""),
        "reward_type": reward["type"],
        "amount": format_amount(reward["amount"], currency) if "amount" in reward else "",
        "percent": reward.get("percent", ""),
        "service_id": reward.get("service_id", ""),
        "expires_after_days": str(stored.get("expires_after_days") or ""),
    }


def _page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    *,
    error: str | None = None,
    invalid: str | None = None,
    status: int = 200,
    typed: dict[str, str] | None = None,
) -> Response:
    merchant = get_merchant(uow)
    program = loyalty.get_program(uow)
    context = base_context(
        me,
        request,
        values=typed if typed is not None else _current(uow),
        active=program is not None,
        services=[service for service, _terms in list_services(uow)],
        currency=merchant.currency,
        # A refusal about one field stands beside it; any other, above the page.
        error=None if invalid else error,
        invalid=invalid,
        refusal_words=error,
        merchant_name=merchant.name,
        busy=loyalty.busy_customers_today(uow),
    )
    done = NOTICES.get(request.query_params.get("done", ""))
    context["notice"] = _(done) if done else None
    return render(request, "staff/loyalty.html", context, status)


@router.get("/policies/loyalty")
def loyalty_page(request: Request) -> Response:
    return show(request, lambda uow, me: _page(request, uow, me), needs=Access.OWNER)


@router.post("/policies/loyalty")
def save_loyalty(
    request: Request,
    kind: FormText = "",
    visits_per_reward: FormText = "",
    min_spend: FormText = "",
    points_per_unit: FormText = "",
    points_per_reward: FormText = "",
    reward_type: FormText = "",
    amount: FormText = "",
    percent: FormText = "",
    service_id: FormText = "",
    expires_after_days: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    typed = {
        "kind": kind,
        "visits_per_reward": visits_per_reward,
        "min_spend": min_spend,
        "points_per_unit": points_per_unit,
        "points_per_reward": points_per_reward,
        "reward_type": reward_type,
        "amount": amount,
        "percent": percent,
        "service_id": service_id,
        "expires_after_days": expires_after_days,
    }

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        currency = get_merchant(uow).currency
        reward: dict[str, Any] = {"type": reward_type}
        if reward_type == "amount_off":
            reward["amount"] = parse_amount(amount, currency, param="amount")
        elif reward_type == "percent_off":
            reward["percent"] = percent.strip().replace(",", ".")
        else:
            reward["service_id"] = service_id
        body: dict[str, Any] = {"kind": kind, "reward": reward}
        if kind == "visits":
            body["visits_per_reward"] = _whole(visits_per_reward)
            body["min_spend"] = parse_amount(min_spend, currency, param="min_spend") or 0
        else:
            body["points_per_unit"] = _whole(points_per_unit)
            body["points_per_reward"] = _whole(points_per_reward)
        if expires_after_days.strip():
            body["expires_after_days"] = _whole(expires_after_days)
        loyalty.set_program(uow, body)
        return f"{PAGE}?done=saved"

    def form(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        return _page(
            request,
            uow,
            me,
            error=in_words(exc),
            invalid=field_of(exc.param),
            status=exc.status,
            typed=typed,
        )

    return act_keeping(request, csrf_token, change, form, needs=Access.OWNER)


def _whole(text: str) -> int | str:
    """A whole number as typed; anything else goes on to be refused, named, by the rules."""
    text = text.strip()
    return int(text) if text.isdigit() else text

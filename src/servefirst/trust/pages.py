"""The console's trust policy form (owners): the policy in force, what each
preset means, and every number of it to change. It sets the policy through
``trust.service.set_policy``, as the API does; a refusal or a stale form gives
the form back as it was typed, with the error in words, and keeps nothing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from servefirst.db.uow import UnitOfWork
from servefirst.kit import formats, i18n
from servefirst.kit.errors import ServefirstError
from servefirst.kit.refusals import in_words
from servefirst.kit.typed import format_amount, parse_amount
from servefirst.merchants.service import get_merchant
from servefirst.staff import service as staff
from servefirst.staff.kept_forms import act_keeping
from servefirst.staff.rules import Access
from servefirst.staff.web import base_context, render, show
from servefirst.trust import service as trust
from servefirst.trust.policy_rules import PRESET_WORDS, as_stored
from servefirst.trust.rules import Tier

router = APIRouter(prefix="/staff", include_in_schema=False)

TIERS = [t.value for t in Tier]
#: The form's fields a refusal can stand beside.
FIELDS = {"half_life_days", "trusted_min_score", "trusted_min_paid_visits", "restricted_below"} | {
    f"{tier}.{part}" for tier in TIERS for part in ("base", "step", "cap")
}


def _figure(value: float) -> str:
    """A policy's figure as its field shows it and reads it back: the place's
    decimal mark, as the label beside it writes it ('0,85' in Lisbon), and no
    thousands grouping (a grouping comma would read back as a decimal one)."""
    return f"{value:g}".replace(".", formats.decimal_mark())


def _entries_of(policy: dict[str, Any], currency: str) -> dict[str, str]:
    """The policy in force as the form's fields."""
    th = policy["thresholds"]
    out = {
        "half_life_days": _figure(policy["half_life_days"]),
        "trusted_min_score": _figure(th["trusted_min_score"]),
        "trusted_min_paid_visits": str(th["trusted_min_paid_visits"]),
        "restricted_below": _figure(th["restricted_below"]),
    }
    for name, rule in policy["tiers"].items():
        limit = rule["tab_limit"]
        out[f"{name}.pay_after"] = "yes" if rule["pay_after"] else ""
        out[f"{name}.deposit_required"] = "yes" if rule["deposit_required"] else ""
        out[f"{name}.base"] = format_amount(limit["base"], currency)
        out[f"{name}.step"] = format_amount(limit["step"], currency)
        out[f"{name}.cap"] = "" if limit["cap"] is None else format_amount(limit["cap"], currency)
    return out


def _number(entries: dict[str, str], name: str) -> float | str:
    """The field as a number; typed otherwise, as typed, for the policy's rules
    to refuse in words that give the range."""
    text = entries.get(name, "").strip()
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text


def _field_of(param: str | None) -> str | None:
    """The form's field a refusal is about (the API names it by the policy's
    path: ``tiers.new.tab_limit.base`` is the field ``new.base``)."""
    if not param:
        return None
    parts = param.split(".")
    if parts[0] == "thresholds" and len(parts) == 2:
        return parts[1]
    if parts[0] == "tiers" and len(parts) == 4 and parts[2] == "tab_limit":
        return f"{parts[1]}.{parts[3]}"
    return param if param in FIELDS else None


def _changes(entries: dict[str, str], currency: str) -> dict[str, Any]:
    typed_visits = entries.get("trusted_min_paid_visits", "").strip()
    try:
        visits: int | str = int(typed_visits)
    except ValueError:
        visits = typed_visits  # refused by the policy's rules, with the range in words
    tiers: dict[str, Any] = {}
    for name in TIERS:
        base = parse_amount(entries.get(f"{name}.base"), currency, param=f"{name}.base")
        step = parse_amount(entries.get(f"{name}.step"), currency, param=f"{name}.step")
        cap = parse_amount(entries.get(f"{name}.cap"), currency, param=f"{name}.cap")
        tiers[name] = {
            "pay_after": entries.get(f"{name}.pay_after") == "yes",
            "deposit_required": entries.get(f"{name}.deposit_required") == "yes",
            "tab_limit": {"base": base or 0, "step": step or 0, "cap": cap},
        }
    return {
        "half_life_days": _number(entries, "half_life_days"),
        "thresholds": {
            "trusted_min_score": _number(entries, "trusted_min_score"),
            "trusted_min_paid_visits": visits,
            "restricted_below": _number(entries, "restricted_below"),
        },
        "tiers": tiers,
    }


def _form(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    entries: dict[str, str] | None = None,
    *,
    error: str | None = None,
    invalid: str | None = None,
    status: int = 200,
) -> Response:
    merchant = get_merchant(uow)
    current = as_stored(trust.policy_for(uow))
    context = base_context(
        me,
        request,
        merchant_name=merchant.name,
        currency=merchant.currency,
        entries=entries if entries is not None else _entries_of(current, merchant.currency),
        current=current,
        tiers=TIERS,
        presets=PRESET_WORDS,
        # A refusal about one field stands beside it; any other, above the page.
        error=None if invalid else error,
        invalid=invalid,
        refusal_words=error,
    )
    if request.query_params.get("done") == "saved" and not error:
        context["notice"] = i18n.gettext("Trust policy saved.")
    return render(request, "staff/trust_policy.html", context, status)


@router.get("/policies/trust")
def trust_policy_form(request: Request) -> Response:
    return show(request, lambda uow, me: _form(request, uow, me), needs=Access.OWNER)


@router.post("/policies/trust")
async def set_trust_policy(request: Request) -> Response:
    entries = {str(k): str(v) for k, v in (await request.form()).items()}

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        preset = entries.get("preset", "")
        if preset:
            trust.set_policy(uow, {}, preset=preset)
        else:
            trust.set_policy(uow, _changes(entries, get_merchant(uow).currency))
        return "/staff/policies/trust?done=saved"

    def again(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        return _form(
            request,
            uow,
            me,
            entries,
            error=in_words(exc),
            invalid=_field_of(exc.param),
            status=exc.status,
        )

    return act_keeping(request, entries.get("csrf_token", ""), change, again, needs=Access.OWNER)

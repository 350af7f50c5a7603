"""The owner's policies: deposits (and cancellations), the satisfaction
guarantee, and staff earnings, each a form with the current values and what
each preset means. A refused form comes back with what was typed and the
trouble in words; a policy is checked whole before any of it is kept."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.bookings import service as bookings
from servefirst.bookings.rules import PRESETS, DepositMode
from servefirst.db.uow import UnitOfWork
from servefirst.earnings import service as earnings
from servefirst.guarantee import service as guarantee
from servefirst.guarantee.rules import TIERS, OverLimit
from servefirst.kit import formats
from servefirst.kit.errors import InvalidRequest, ServefirstError
from servefirst.kit.i18n import N_
from servefirst.kit.i18n import gettext as _
from servefirst.kit.refusals import in_words
from servefirst.kit.typed import format_amount, parse_amount, parse_int
from servefirst.merchants.service import get_merchant
from servefirst.staff import service as staff
from servefirst.staff.kept_forms import act_keeping
from servefirst.staff.rules import Access
from servefirst.staff.web import base_context, render, show

router = APIRouter(prefix="/staff", include_in_schema=False)

FormText = Annotated[str, Form()]
NEEDS = Access.OWNER
PAGE = "/staff/policies"
NOTICES = {"saved": N_("Policy saved.")}
#: What each cancellation preset is called, in words.
PRESET_WORDS = {
    "flexible": N_("Flexible"),
    "fair": N_("Fair"),
    "moderate": N_("Moderate"),
    "strict": N_("Strict"),
}


def preset_meanings() -> list[tuple[str, str, str]]:
    """Each preset with what it costs a customer, in words."""
    return [
        (
            name,
            _(PRESET_WORDS[name]),
            _(
                "A late cancellation costs %(late)s%% of the price, a no-show %(no_show)s%%,"
                " never more than the deposit."
            )
            % {"late": preset.late_cancel_pct, "no_show": preset.no_show_pct},
        )
        for name, preset in PRESETS.items()
    ]


def _decimal(text: str, *, param: str, low: int, high: int) -> Decimal:
    try:
        value = Decimal((text or "").strip().replace(",", "."))
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or not low <= value <= high:
        raise InvalidRequest(
            _("Write a number from %(low)s to %(high)s.") % {"low": low, "high": high},
            param=param,
        )
    return value


def _current(uow: UnitOfWork) -> dict[str, dict[str, Any]]:
    """Each form's fields as the owner sees them now (amounts as typed)."""
    currency = get_merchant(uow).currency
    deposit = bookings.merchant_deposit_policy(uow)
    kept = guarantee.policy_of(uow)
    pay = earnings.policy_of(uow)

    def amount(minor: int | None) -> str:
        return "" if minor is None else format_amount(minor, currency)

    def number(value: Decimal | int) -> str:
        # With the place's decimal mark, as amounts are: 7,5 in Lisbon (either is read back).
        return str(value).replace(".", formats.decimal_mark())

    return {
        "deposit": {
            "enabled": "yes" if deposit.enabled else "",
            "percent": number(deposit.percent),
            "minimum": amount(deposit.minimum),
            "maximum": amount(deposit.maximum),
            "fixed": amount(deposit.fixed),
            "cancel_window_hours": str(deposit.cancel_window_hours),
            "preset": deposit.preset,
            "mode": deposit.mode.value,
        },
        "guarantee": {
            "auto_approve_percent": number(kept.auto_approve_percent),
            "waive_needs_review": "yes" if kept.waive_needs_review else "",
            "claim_limit": "" if kept.claim_limit is None else str(kept.claim_limit),
            "claim_period_days": str(kept.claim_period_days),
            "over_limit": kept.over_limit.value,
            "review_tiers": list(kept.review_tiers),
        },
        "earnings": {
            "bonus_min_reviews": str(pay.bonus_min_reviews),
            "bonus_min_average": number(pay.bonus_min_average),
            "bonus_percent": number(pay.bonus_percent),
        },
    }


def _page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    *,
    error: str | None = None,
    status: int = 200,
    form: str = "",
    typed: dict[str, Any] | None = None,
    invalid: str = "",
) -> Response:
    merchant = get_merchant(uow)
    values = _current(uow)
    if form and typed is not None:
        values[form] = typed
    context = base_context(
        me,
        request,
        values=values,
        failed=form if error else "",
        # A field's refusal is said beside it (a long page holds three forms);
        # anything else (a stale form) above the page.
        invalid=invalid,
        refusal_words=error if invalid else None,
        presets=preset_meanings(),
        tiers=TIERS,
        currency=merchant.currency,
        error=None if invalid else error,
        merchant_name=merchant.name,
    )
    done = NOTICES.get(request.query_params.get("done", ""))
    context["notice"] = _(done) if done else None
    return render(request, "staff/policies.html", context, status)


@router.get("/policies")
def policies(request: Request) -> Response:
    return show(request, lambda uow, me: _page(request, uow, me), needs=NEEDS)


def _save(request: Request, csrf: str, form: str, typed: dict[str, Any], apply: Any) -> Response:
    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        apply(uow)
        return f"{PAGE}?done=saved#{form}"

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        beside = exc.param if exc.param in _BESIDE.get(form, ()) else ""
        return _page(
            request,
            uow,
            me,
            error=in_words(exc),
            status=exc.status,
            form=form,
            typed=typed,
            invalid=beside or "",
        )

    return act_keeping(request, csrf, change, on_error, needs=NEEDS)


#: The fields of each form that can say their refusal beside them.
_BESIDE = {
    "deposit": ("percent", "fixed", "minimum", "maximum", "cancel_window_hours"),
    "guarantee": ("auto_approve_percent", "claim_limit", "claim_period_days"),
    "earnings": ("bonus_min_reviews", "bonus_min_average", "bonus_percent"),
}


@router.post("/policies/deposit")
def save_deposit(
    request: Request,
    enabled: FormText = "",
    percent: FormText = "",
    minimum: FormText = "",
    maximum: FormText = "",
    fixed: FormText = "",
    cancel_window_hours: FormText = "",
    preset: FormText = "",
    mode: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    typed = {
        "enabled": enabled,
        "percent": percent,
        "minimum": minimum,
        "maximum": maximum,
        "fixed": fixed,
        "cancel_window_hours": cancel_window_hours,
        "preset": preset,
        "mode": mode,
    }

    def apply(uow: UnitOfWork) -> None:
        currency = get_merchant(uow).currency
        if preset not in PRESETS:
            raise InvalidRequest(_("Choose one of the presets."), param="preset")
        if mode not in {m.value for m in DepositMode}:
            raise InvalidRequest(_("Choose how the deposit is taken."), param="mode")
        policy = bookings.merchant_deposit_policy(uow).as_dict()
        policy.update(
            enabled=enabled == "yes",
            percent=str(_decimal(percent, param="percent", low=0, high=100)),
            minimum=parse_amount(minimum, currency, param="minimum") or 0,
            maximum=parse_amount(maximum, currency, param="maximum"),
            fixed=parse_amount(fixed, currency, param="fixed"),
            cancel_window_hours=parse_int(
                cancel_window_hours, param="cancel_window_hours", low=0, high=24 * 30
            ),
            preset=preset,
            mode=mode,
        )
        bookings.set_deposit_policy(uow, policy)

    return _save(request, csrf_token, "deposit", typed, apply)


@router.post("/policies/guarantee")
async def save_guarantee(request: Request) -> Response:
    form = await request.form()
    field = {k: str(form.get(k, "")) for k in _GUARANTEE_FIELDS}
    typed: dict[str, Any] = {
        **field,
        "review_tiers": [str(t) for t in form.getlist("review_tiers")],
    }

    def apply(uow: UnitOfWork) -> None:
        if field["over_limit"] not in {o.value for o in OverLimit}:
            raise InvalidRequest(_("Choose what happens past the claim limit."), param="over_limit")
        limit = field["claim_limit"].strip()
        guarantee.set_policy(
            uow,
            {
                "auto_approve_percent": str(
                    _decimal(
                        field["auto_approve_percent"], param="auto_approve_percent", low=0, high=100
                    )
                ),
                "waive_needs_review": field["waive_needs_review"] == "yes",
                "claim_limit": (
                    parse_int(limit, param="claim_limit", low=0, high=1000) if limit else None
                ),
                "claim_period_days": parse_int(
                    field["claim_period_days"], param="claim_period_days", low=1, high=3660
                ),
                "over_limit": field["over_limit"],
                "review_tiers": typed["review_tiers"],
            },
        )

    return _save(request, field["csrf_token"], "guarantee", typed, apply)


_GUARANTEE_FIELDS = (
    "auto_approve_percent",
    "waive_needs_review",
    "claim_limit",
    "claim_period_days",
    "over_limit",
    "csrf_token",
)


@router.post("/policies/earnings")
def save_earnings(
    request: Request,
    bonus_min_reviews: FormText = "",
    bonus_min_average: FormText = "",
    bonus_percent: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    typed = {
        "bonus_min_reviews": bonus_min_reviews,
        "bonus_min_average": bonus_min_average,
        "bonus_percent": bonus_percent,
    }

    def apply(uow: UnitOfWork) -> None:
        earnings.set_policy(
            uow,
            {
                "bonus_min_reviews": parse_int(
                    bonus_min_reviews, param="bonus_min_reviews", low=1, high=10_000
                ),
                "bonus_min_average": str(
                    _decimal(bonus_min_average, param="bonus_min_average", low=1, high=5)
                ),
                "bonus_percent": str(
                    _decimal(bonus_percent, param="bonus_percent", low=0, high=100)
                ),
            },
        )

    return _save(request, csrf_token, "earnings", typed, apply)

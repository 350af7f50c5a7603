"""The owner's card payments page (``/staff/settings/payments``): which
gateway takes the cards (the sandbox, or Stripe with live or test keys), the
webhook address to paste into Stripe's dashboard with the events to select,
a form for Stripe's three keys and a way back to the sandbox.

The same use case as ``POST /v1/merchant/gateway`` (``accounts``), so the
same rules (``gateway_rules``); a refusal is said beside its field in the
owner's language. Secrets are write-only here as in the API: never shown, not
even in part, and never put back into the form after a refusal. A secret left
blank keeps the one stored (``accounts.change_stripe_keys``). Owners only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import InvalidRequest, ServefirstError
from servefirst.kit.i18n import gettext as _
from servefirst.kit.refusals import in_words
from servefirst.merchants.service import get_merchant
from servefirst.payments import accounts
from servefirst.payments.gateway_rules import mode_of
from servefirst.payments.processor_events import HANDLED
from servefirst.staff import service as staff
from servefirst.staff.kept_forms import act_keeping
from servefirst.staff.rules import Access
from servefirst.staff.web import base_context, render, runtime_of, show

router = APIRouter(prefix="/staff", include_in_schema=False)

FormText = Annotated[str, Form()]
NEEDS = Access.OWNER
PAGE = "/staff/settings/payments"
#: The form's fields that are secrets: never written into the page.
SECRETS = ("secret_key", "webhook_secret")


@dataclass(frozen=True)
class GatewayShown:
    """What the page says of the gateway in force; no secret in it, only
    whether each is kept."""

    gateway: str
    publishable_key: str | None
    #: ``live`` or ``test`` for Stripe keys that say which, else None.
    mode: str | None
    secret_key_kept: bool
    webhook_secret_kept: bool

    @property
    def on_stripe(self) -> bool:
        return self.gateway == accounts.STRIPE

    @property
    def configured(self) -> bool:
        """As the API's ``configured``: the gateway can take payments."""
        return not self.on_stripe or (self.secret_key_kept and self.webhook_secret_kept)


def gateway_shown(uow: UnitOfWork) -> GatewayShown:
    account = accounts.account_of(uow)
    if account is None or account.gateway != accounts.STRIPE:
        return GatewayShown(accounts.SANDBOX, None, None, False, False)
    key = account.publishable_key
    return GatewayShown(
        gateway=accounts.STRIPE,
        publishable_key=key,
        mode=mode_of(key) if key else None,
        secret_key_kept=bool(account.secret_key_sealed),
        webhook_secret_kept=bool(account.webhook_secret_sealed),
    )


def webhook_url(public_url: str, merchant_id: str) -> str:
    """Where Stripe sends this merchant's events (``receive_stripe_event``)."""
    return f"{public_url.rstrip('/')}/v1/webhooks/stripe/{merchant_id}"


def _page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    *,
    refusal: ServefirstError | None = None,
    form: str = "",
    typed_key: str | None = None,
    secrets_typed: bool = False,
    status: int = 200,
) -> Response:
    shown = gateway_shown(uow)
    context = base_context(
        me,
        request,
        merchant_name=get_merchant(uow).name,
        shown=shown,
        can_keep_keys=accounts.can_keep_keys(uow),
        webhook_url=webhook_url(runtime_of(request).settings.public_url, uow.merchant),
        events=HANDLED,
        publishable_key=(shown.publishable_key or "") if typed_key is None else typed_key,
        refusal=in_words(refusal) if refusal else "",
        invalid=refusal.param if refusal else None,
        #: Which form a refusal answers: one about no field is said there.
        form=form,
        secrets_typed=secrets_typed,
        done=request.query_params.get("done", ""),
    )
    return render(request, "staff/card_payments.html", context, status)


@router.get("/settings/payments")
def card_payments_page(request: Request) -> Response:
    return show(request, lambda uow, me: _page(request, uow, me), needs=NEEDS)


@router.post("/settings/payments/stripe")
def take_cards_through_stripe(
    request: Request,
    publishable_key: FormText = "",
    secret_key: FormText = "",
    webhook_secret: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        accounts.change_stripe_keys(
            uow,
            secret_key=secret_key,
            publishable_key=publishable_key,
            webhook_secret=webhook_secret,
        )
        # Opens at what is now in force, with the notice (not at the form).
        return f"{PAGE}?done=stripe#in-force"

    def refused(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        # The publishable key is kept as typed; the secrets never come back.
        return _page(
            request,
            uow,
            me,
            refusal=exc,
            form="stripe",
            typed_key=publishable_key,
            secrets_typed=bool(secret_key.strip() or webhook_secret.strip()),
            status=exc.status,
        )

    return act_keeping(request, csrf_token, change, refused, needs=NEEDS)


@router.post("/settings/payments/sandbox")
def back_to_the_sandbox(
    request: Request, confirm: FormText = "", csrf_token: FormText = ""
) -> Response:
    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        # One stray tap would have customers "pay" with no real money: asked twice.
        if confirm != "yes":
            raise InvalidRequest(
                _("Tick the box to confirm: customers' cards are then not charged."),
                param="confirm",
            )
        accounts.choose_gateway(
            uow,
            gateway=accounts.SANDBOX,
            secret_key=None,
            publishable_key=None,
            webhook_secret=None,
        )
        return f"{PAGE}?done=sandbox#in-force"

    def refused(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        return _page(request, uow, me, refusal=exc, form="sandbox", status=exc.status)

    return act_keeping(request, csrf_token, change, refused, needs=NEEDS)

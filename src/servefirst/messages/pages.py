"""The console's page of what did not go out (``/staff/messages``): e-mails and
texts given up on, webhook deliveries given up on, endpoints disabled (how the
merchant is told), each with a "send again" (or "enable again") button; and
every message, found by customer and state, older ones a page at a time
(``finding``). Managers and owners."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import ServefirstError
from servefirst.kit.i18n import current_language
from servefirst.kit.refusals import in_words
from servefirst.merchants.service import get_merchant, merchant_zone
from servefirst.messages import finding, planned, reasons
from servefirst.messages import service as messages
from servefirst.messages.finding import MessageSearch
from servefirst.messages.rules import SWITCHABLE
from servefirst.messages.settings_form import (
    as_typed,
    days_shown,
    refusal_words,
    settings_from_form,
    writes_decimal_comma,
)
from servefirst.staff import service as staff
from servefirst.staff.rules import Access
from servefirst.staff.web import act, base_context, render, show
from servefirst.webhooks import service as webhooks

router = APIRouter(prefix="/staff", include_in_schema=False)

PAGE = "/staff/messages"


def _page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    *,
    error: str = "",
    status: int = 200,
    settings_error: ServefirstError | None = None,
    typed: dict[str, str] | None = None,
    search: MessageSearch | None = None,
) -> Response:
    endpoints = webhooks.list_endpoints(uow)
    # What went out or is planned, so "did she get her receipt?" has an answer
    # here: found by customer and state, older pages after the newest.
    search = search or MessageSearch()
    search_error: ServefirstError | None = None
    try:
        found = finding.find_messages(uow, search)
    except ServefirstError as exc:
        search_error, found = exc, finding.MessagesFound([], None)
        status = exc.status
    latest = found.messages
    context = base_context(
        me,
        request,
        merchant_name=get_merchant(uow).name,
        zone=merchant_zone(uow),
        failed_messages=messages.list_messages(uow, status="failed", limit=100),
        latest=latest,
        search=search,
        states=finding.STATES,
        older=found.older,
        search_refusal=in_words(search_error) if search_error else "",
        search_invalid=search_error.param if search_error else None,
        not_going=planned.no_longer_due(uow, latest, uow.clock.now()),
        why_not_sent=reasons.in_words,
        failed_deliveries=webhooks.failed_deliveries(uow, limit=100),
        urls={e.endpoint_id: e.url for e in endpoints},
        disabled=[e for e in endpoints if e.status == webhooks.DISABLED],
        sent=request.query_params.get("sent") == "1",
        enabled=request.query_params.get("enabled") == "1",
        saved=request.query_params.get("saved") == "1",
        settings=(
            as_typed(typed)
            if typed is not None
            else _shown(messages.message_settings(uow).as_dict())
        ),
        settings_error=refusal_words(settings_error) if settings_error else "",
        invalid=settings_error.param if settings_error else None,
        can_edit=me.access.allows(Access.OWNER),
        kinds=[k.value for k in SWITCHABLE],
        error=error,
    )
    return render(request, "staff/messages.html", context, status=status)


def _shown(settings: dict[str, Any]) -> dict[str, Any]:
    """Numbers as people write them: 14, not 14.0; the days as one line, as
    the field reads them back in the page's language."""
    shown = {k: f"{v:g}" if isinstance(v, float) else v for k, v in settings.items()}
    shown["reminder_days"] = days_shown(
        settings["reminder_days"], decimal_comma=writes_decimal_comma(current_language())
    )
    return shown


def _refused(request: Request) -> Callable[[UnitOfWork, staff.SignedIn, ServefirstError], Response]:
    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        return _page(request, uow, me, error=in_words(exc), status=exc.status)

    return on_error


@router.get("/messages")
def failed_messages_page(
    request: Request, customer: str = "", state: str = "", after: str = ""
) -> Response:
    search = MessageSearch(customer=customer, state=state, after=after)
    return show(
        request, lambda uow, me: _page(request, uow, me, search=search), needs=Access.MANAGER
    )


@router.post("/messages/{message_id}/retry")
def send_message_again(
    request: Request, message_id: str, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        messages.retry_message(uow, message_id)
        return f"{PAGE}?sent=1"

    return act(request, csrf_token, change, _refused(request), needs=Access.MANAGER)


@router.post("/webhooks/{endpoint_id}/deliveries/{delivery_id}/retry")
def send_delivery_again(
    request: Request,
    endpoint_id: str,
    delivery_id: str,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        webhooks.retry_delivery(uow, endpoint_id, delivery_id)
        return f"{PAGE}?sent=1"

    return act(request, csrf_token, change, _refused(request), needs=Access.MANAGER)


@router.post("/webhooks/{endpoint_id}/enable")
def enable_endpoint_again(
    request: Request, endpoint_id: str, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    """A disabled endpoint is the merchant's to turn back on once its receiver
    is fixed, here as with the API; what was still pending goes on from there."""

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        webhooks.update_endpoint(uow, endpoint_id, enabled=True)
        return f"{PAGE}?enabled=1"

    return act(request, csrf_token, change, _refused(request), needs=Access.MANAGER)


@router.post("/messages/settings")
async def save_message_settings(request: Request) -> Response:
    """The owner's form: the same checks as ``POST /v1/merchant/messages``."""
    form = await request.form()
    fields = {k: str(v) for k, v in form.items()}

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        # Read as the member's language writes numbers (set for this request by now).
        decimal_comma = writes_decimal_comma(current_language())
        messages.set_message_settings(uow, settings_from_form(fields, decimal_comma=decimal_comma))
        return f"{PAGE}?saved=1"

    def refused(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        # Said by the field it is about, with what was typed kept for mending.
        return _page(request, uow, me, settings_error=exc, typed=fields, status=exc.status)

    return act(request, fields.get("csrf_token", ""), change, refused, needs=Access.OWNER)

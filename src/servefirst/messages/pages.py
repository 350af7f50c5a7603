"""The console's page of what did not go out (``/staff/messages``): e-mails and
texts given up on, webhook deliveries given up on, endpoints disabled (how the
merchant is told), each with a "send again" button. Managers and owners."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import ServefirstError
from servefirst.merchants.service import get_merchant, merchant_zone
from servefirst.messages import service as messages
from servefirst.staff import service as staff
from servefirst.staff.rules import Access
from servefirst.staff.web import act, base_context, render, show
from servefirst.webhooks import service as webhooks

router = APIRouter(prefix="/staff", include_in_schema=False)

PAGE = "/staff/messages"


def _page(
    request: Request, uow: UnitOfWork, me: staff.SignedIn, *, error: str = "", status: int = 200
) -> Response:
    endpoints = webhooks.list_endpoints(uow)
    context = base_context(
        me,
        request,
        merchant_name=get_merchant(uow).name,
        zone=merchant_zone(uow),
        failed_messages=messages.list_messages(uow, status="failed", limit=100),
        failed_deliveries=webhooks.failed_deliveries(uow, limit=100),
        urls={e.endpoint_id: e.url for e in endpoints},
        disabled=[e for e in endpoints if e.status == webhooks.DISABLED],
        sent=request.query_params.get("sent") == "1",
        error=error,
    )
    return render(request, "staff/messages.html", context, status=status)


def _refused(request: Request) -> Callable[[UnitOfWork, staff.SignedIn, ServefirstError], Response]:
    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        return _page(request, uow, me, error=exc.message, status=exc.status)

    return on_error


@router.get("/messages")
def failed_messages_page(request: Request) -> Response:
    return show(request, lambda uow, me: _page(request, uow, me), needs=Access.MANAGER)


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

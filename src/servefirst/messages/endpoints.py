"""What was sent, to whom, when; a failed message sent again; the one-click
unsubscribe page every message links to."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from servefirst.api.context import MerchantUoW, runtime_of
from servefirst.api.routing import ServefirstRoute
from servefirst.kit.errors import NotFound
from servefirst.merchants.service import find_merchant
from servefirst.messages import consent, finding
from servefirst.messages import service as messages
from servefirst.messages.rules import MessagePolicy
from servefirst.messages.schemas import (
    MessageList,
    MessageOut,
    MessageSettingsIn,
    MessageSettingsOut,
)
from servefirst.web.templating import templates

router = APIRouter(prefix="/v1/messages", tags=["messages"], route_class=ServefirstRoute)


@router.get(
    "",
    response_model=MessageList,
    operation_id="list_messages",
    summary="E-mails and texts, newest first: to whom, when, their state",
    description="A page at a time, as Stripe's lists page: up to `limit` messages, newest"
    " first, and `has_more` when older ones follow. For the next page send the last id of"
    " this one as `starting_after` (with the same filters). The cursor is a message, not a"
    " position: messages sent meanwhile join the top of the list and never shift or repeat"
    " the older pages.",
    responses={
        404: {
            "description": "resource_missing (param starting_after): the cursor is no"
            " message of this merchant"
        }
    },
)
def list_messages(
    uow: MerchantUoW,
    status: Literal["pending", "sent", "failed", "skipped"] | None = None,
    customer_id: str | None = None,
    limit: int = Query(50, ge=1, le=200, description="How many messages a page holds."),
    starting_after: str | None = Query(
        None,
        min_length=1,
        max_length=40,
        pattern=r"^[^\x00]*$",
        description="A message id: the page lists the messages after it (older ones), as"
        " the list orders them. Another merchant's or an unknown id answers 404.",
        examples=["msg_3kx9f2qz7m4w8d1b"],
    ),
) -> MessageList:
    found = finding.list_page(
        uow, status=status, customer_id=customer_id, starting_after=starting_after, limit=limit
    )
    return MessageList(data=[MessageOut.build(m) for m in found.messages], has_more=found.has_more)


@router.post(
    "/{message_id}/retry",
    response_model=MessageOut,
    operation_id="retry_message",
    summary="Send a failed or skipped message again (same id)",
    responses={409: {"description": "message_not_failed"}},
)
def retry_message(message_id: str, uow: MerchantUoW) -> MessageOut:
    return MessageOut.build(messages.retry_message(uow, message_id))


settings = APIRouter(prefix="/v1/merchant/messages", tags=["messages"], route_class=ServefirstRoute)


def _settings_out(policy: MessagePolicy) -> MessageSettingsOut:
    return MessageSettingsOut.model_validate({**policy.as_dict(), "timezone": policy.timezone})


@settings.get(
    "",
    response_model=MessageSettingsOut,
    operation_id="get_message_settings",
    summary="The merchant's message settings: sender, reminder lead time, quiet hours,"
    " dunning schedule, each kind on or off",
)
def get_message_settings(uow: MerchantUoW) -> MessageSettingsOut:
    return _settings_out(messages.message_settings(uow))


@settings.post(
    "",
    response_model=MessageSettingsOut,
    operation_id="set_message_settings",
    summary="Change the message settings (fields not sent keep their value)",
)
def set_message_settings(body: MessageSettingsIn, uow: MerchantUoW) -> MessageSettingsOut:
    changes = body.model_dump(exclude_unset=True)
    # null means "the server's sender" for sender only; elsewhere "unchanged".
    changes = {k: v for k, v in changes.items() if v is not None or k == "sender"}
    return _settings_out(messages.set_message_settings(uow, changes))


pages = APIRouter(include_in_schema=False)


def _page(request: Request, token: str, *, opt_out: bool | None) -> HTMLResponse:
    """``opt_out``: None only asks; True opts out; False takes it back."""
    merchant_id = consent.merchant_of_token(token)
    runtime = runtime_of(request)
    try:
        if merchant_id is None:
            raise NotFound("This unsubscribe link is not known.")
        with runtime.uow(merchant_id, write=opt_out is not None) as uow:
            merchant = find_merchant(uow, merchant_id)
            if opt_out is not None:
                consent.unsubscribe(uow, token, opt_out=opt_out)
                uow.commit()
            elif not consent.token_known(uow, token):
                raise NotFound("This unsubscribe link is not known.")
    except NotFound:
        merchant, unknown = None, True
    else:
        unknown = False
    return templates.TemplateResponse(
        request,
        "messages/unsubscribe.html",
        {
            "business": merchant.name if merchant else "",
            "unknown": unknown,
            "done": opt_out is True,
            "again": opt_out is False,
            "token": token,
        },
        status_code=404 if unknown else 200,
        headers={"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"},
    )


@pages.get("/u/{token}", response_class=HTMLResponse)
def unsubscribe_page(request: Request, token: str) -> HTMLResponse:
    """Asks first: a mail scanner following the link must not opt anyone out."""
    return _page(request, token, opt_out=None)


@pages.post("/u/{token}", response_class=HTMLResponse)
def unsubscribe(request: Request, token: str) -> HTMLResponse:
    """The button, and RFC 8058's one-click POST from the mail client."""
    return _page(request, token, opt_out=True)


@pages.post("/u/{token}/again", response_class=HTMLResponse)
def subscribe_again(request: Request, token: str) -> HTMLResponse:
    """A change of mind (or a click by mistake) is undone from the same link:
    otherwise nobody could ever send this customer a receipt again."""
    return _page(request, token, opt_out=False)

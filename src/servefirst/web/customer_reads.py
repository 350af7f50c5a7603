"""Reading a tab as its customer sees it, by the token in the address: what
the customer's pages (``web.customer``: the tab page, its live part, the
receipt page, the QR code) share. The token is the customer's credential,
exactly as for ``/v1/public/...``."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from servefirst.db.uow import UnitOfWork
from servefirst.kit import formats
from servefirst.kit.errors import NotFound, ServefirstError
from servefirst.kit.ids import merchant_of_credential
from servefirst.merchants.service import get_merchant
from servefirst.payments import service as payments
from servefirst.receipts.document import SaleAndRefunds, sale_and_refunds_for_token
from servefirst.runtime import Runtime
from servefirst.tabs.public import PublicTab, public_view
from servefirst.web import words
from servefirst.web.templating import language, templates

#: Sent with every page: the token is in the address, so it must never leak in
#: a Referer, be cached by a shared proxy, or be framed by another site.
PAGE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def merchant_of(token: str) -> str:
    merchant_id = merchant_of_credential(token)
    if merchant_id is None:
        raise NotFound("No such tab.", code="tab_not_found")
    return merchant_id


def read_tab(request: Request, token: str) -> PublicTab:
    """The tab as its customer sees it; amounts and times on the page follow its merchant."""
    language(request)  # the loyalty card's words are written in the page's language
    with runtime_of(request).uow(merchant_of(token), write=False) as uow:
        tab = public_view(uow, token)
        _in_merchant_s_place(uow)
        return tab


def read_tab_and_sale(request: Request, token: str) -> tuple[PublicTab, SaleAndRefunds]:
    """The tab, and its sale and refunds as the receipt shows them, read in one
    transaction (a refund made meanwhile is in both or in neither)."""
    language(request)
    with runtime_of(request).uow(merchant_of(token), write=False) as uow:
        tab = public_view(uow, token)
        sale = sale_and_refunds_for_token(uow, token)
        _in_merchant_s_place(uow)
        return tab, sale


def left_after_reward(request: Request, token: str, tab: PublicTab, reward_id: str) -> int:
    """What the payment form charges for the bill: what is due, less the reward
    the same form spends (refused as the payment would refuse it)."""
    if not reward_id:
        return tab.amount_due
    with runtime_of(request).uow(merchant_of(token), write=False) as uow:
        return payments.due_after_reward(uow, token, reward_id)


def due_with_reward(request: Request, token: str, tab: PublicTab, reward_id: str) -> int:
    """What the payment form shows as left to pay (its heading, the sticky pay
    bar, whether it asks for a card) with the reward chosen in it: the server's
    own sum (``due_after_reward``), never one worked out in the browser. A
    reward the tab no longer offers, or one the payment would refuse, shows the
    bill as it stands: the refusal is said when the customer pays. (The
    suggested tips stay a share of the bill before any reward: ``tip_rules``.)"""
    offered = {r.id for r in tab.loyalty.rewards} if tab.loyalty else set()
    if reward_id not in offered:
        return tab.amount_due
    try:
        return left_after_reward(request, token, tab, reward_id)
    except ServefirstError:
        return tab.amount_due


def a_reward_may_pay_it_all(request: Request, token: str, tab: PublicTab) -> bool:
    """One of the rewards the payment form offers leaves nothing to pay (the
    server's own sum, as ``due_with_reward``); a reward the payment would
    refuse pays nothing."""
    if not (tab.loyalty and tab.loyalty.rewards):
        return False
    with runtime_of(request).uow(merchant_of(token), write=False) as uow:
        for reward in tab.loyalty.rewards:
            try:
                if payments.due_after_reward(uow, token, reward.id) <= 0:
                    return True
            except ServefirstError:
                continue
    return False


def in_test_mode(request: Request) -> bool:
    """Cards go to the sandbox: no real money moves, and its test cards are public."""
    return words.is_test_mode(runtime_of(request).gateways.sandbox.name)


def _in_merchant_s_place(uow: UnitOfWork) -> None:
    merchant = get_merchant(uow)
    formats.set_place(merchant.locale, merchant.timezone)


def not_found(request: Request) -> Response:
    return templates.TemplateResponse(
        request, "customer/not_found.html", {}, status_code=404, headers=PAGE_HEADERS
    )

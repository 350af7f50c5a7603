"""The customer's tab page ``/t/{token}`` and its QR code.

Plain HTML forms that POST and redirect (303) back with a flash message, so
everything works without JavaScript; htmx only polls ``/t/{token}/live`` to
keep the lines and total current while staff add to the tab.

The token in the path is the customer's credential, exactly as for
``/v1/public/...``. Every decision is the service layer's: these handlers read
forms, call the same services the JSON routes call, and render.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from servefirst.db.uow import UnitOfWork
from servefirst.guarantee import service as guarantee
from servefirst.kit import formats
from servefirst.kit.errors import InvalidRequest, NotFound, ServefirstError
from servefirst.kit.refusals import in_words
from servefirst.kit.typed import parse_amount
from servefirst.payments import service as payments
from servefirst.payments import tip_rules
from servefirst.payments.refund_rules import refund_state
from servefirst.receipts.document import SaleAndRefunds
from servefirst.reviews import service as reviews
from servefirst.tabs import service as tabs
from servefirst.tabs.public import PublicTab
from servefirst.web import pay_form, words
from servefirst.web.customer_qr import router as qr_router
from servefirst.web.customer_reads import (
    PAGE_HEADERS,
    a_reward_may_pay_it_all,
    due_with_reward,
    in_test_mode,
    left_after_reward,
    merchant_of,
    not_found,
    read_tab,
    read_tab_and_sale,
    runtime_of,
)
from servefirst.web.qr import customer_url
from servefirst.web.stripe_card import StripeCard, stripe_card_of
from servefirst.web.tab_sections import ACTIVE, FLASHES, can_pay, fields_drawn, page_state
from servefirst.web.templating import STATIC_DIR, templates

router = APIRouter(include_in_schema=False)
router.include_router(qr_router)  # the tab's QR code and its page

#: Seconds between two refreshes of the live part of the page.
LIVE_SECONDS = 3

T = TypeVar("T")

#: A text field of a page form; missing fields read as their default. Its
#: length is checked by the handler (``words``), so a long one gets the page.
FormText = Annotated[str, Form()]
REMEDIES = ("redo", "partial", "waive")
FAVICON = STATIC_DIR / "favicon.svg"


def _write(request: Request, token: str, work: Callable[[UnitOfWork], T]) -> T:
    """Run one use case in its own transaction; a refusal rolls it back."""
    with runtime_of(request).uow(merchant_of(token)) as uow:
        result = work(uow)
        uow.commit()
        return result


def _link(request: Request, token: str) -> str:
    return customer_url(runtime_of(request).settings.public_url, token)


def _context(
    request: Request,
    token: str,
    tab: PublicTab,
    sale: SaleAndRefunds,
    *,
    flash: str | None = None,
    error: ServefirstError | None = None,
    form: dict[str, str] | None = None,
    stripe: StripeCard | None = None,
) -> dict[str, Any]:
    # A refused card or a payment-form mistake is shown by the card field, in
    # words; anything else above the tab.
    beside = None
    if error is not None and error.param in words.SAID_BESIDE & fields_drawn(tab):
        beside = error.param
    by_card = (
        error is not None and beside is None and words.belongs_to_pay_form(error.type, error.param)
    )
    test_mode = stripe is None and in_test_mode(request)
    # Left to pay once the reward chosen in the form is off, as the payment charges it.
    chosen = (form or {}).get("reward_id", "")
    due_now = due_with_reward(request, token, tab, chosen) if can_pay(tab) else tab.amount_due
    return {
        "token": token,
        "tab": tab,
        "sale": sale,  # its taxes as charged and the refunds, as the receipt shows them
        "active": tab.status in ACTIVE,
        "refund_state": refund_state(
            tab.paid, tab.tips, tab.refunded, tab.tips_refunded, tab.deposit_applied
        ),
        "can_pay": can_pay(tab),
        "page_state": page_state(tab),
        "due_now": due_now,
        # A share of the bill before any reward, whichever is chosen (tip_rules).
        "tips": pay_form.tip_choices(tab.amount_due, tab.currency),
        "live_seconds": LIVE_SECONDS,
        "flash": FLASHES.get(flash or ""),
        "error": None if by_card or beside else error,
        # The refusal said by the field it is about (param -> words), if any.
        "field_errors": {beside: in_words(error)} if error is not None and beside else {},
        "pay_error": error if by_card else None,
        "pay_error_words": _pay_error_words(error) if by_card else "",
        "test_card": words.SANDBOX_CARD if test_mode else None,
        "stripe": stripe,
        "concerns": [
            (c, words.concern_words(c.remedy, c.status, c.approved_amount, tab.currency))
            for c in tab.concerns
        ],
        "form": form or {},
        "comment_max": formats.count(words.COMMENT_MAX),
        "customer_url": _link(request, token),
    }


def _pay_error_words(error: ServefirstError | None) -> str:
    if error is None:
        return ""
    return words.card_refusal(error.code) if error.type == "card_error" else in_words(error)


def _page(
    request: Request,
    token: str,
    *,
    status: int = 200,
    error: ServefirstError | None = None,
    form: dict[str, str] | None = None,
    confirm: str | None = None,
    tip_question: pay_form.TipQuestion | None = None,
) -> Response:
    try:
        tab, sale = read_tab_and_sale(request, token)
    except NotFound:
        return not_found(request)
    flash = request.query_params.get("flash") if error is None else None
    stripe = stripe_card_of(request, token) if can_pay(tab) else None
    headers = PAGE_HEADERS
    if stripe is not None:
        headers = {**PAGE_HEADERS, "Content-Security-Policy": stripe.content_security_policy}
    context = _context(
        request, token, tab, sale, flash=flash, error=error, form=form, stripe=stripe
    )
    return templates.TemplateResponse(
        request,
        "customer/tab.html",
        {
            **context,
            # The browser asks for a card before sending only if every choice
            # the form offers charges something: a reward that pays the whole
            # bill needs none, and without JavaScript the page cannot know
            # which is chosen (the server then asks, beside the card; pages.js
            # decides as it changes). Rewards that all leave something to pay
            # keep it required. (Not in the live poll: it does not draw the field.)
            "card_required": context["can_pay"]
            and context["due_now"] > 0
            and not a_reward_may_pay_it_all(request, token, tab),
            "confirm_secret": confirm,
            # A tip more than the bill, asked about beside the tip (not charged).
            "tip_question": tip_question,
        },
        status_code=status,
        headers=headers,
    )


def _back(token: str, flash: str) -> RedirectResponse:
    return RedirectResponse(f"/t/{token}?flash={flash}", status_code=303, headers=PAGE_HEADERS)


def _refused(request: Request, token: str, exc: ServefirstError, form: dict[str, str]) -> Response:
    if isinstance(exc, NotFound) and exc.code == "tab_not_found":
        return not_found(request)
    if exc.type == "card_error" and read_tab(request, token).status == "paid":
        # The reward paid the bill and the card declined the tip alone
        # (``payments.phases``): the tab is paid, without the tip.
        return _back(token, "tip_not_taken")
    return _page(request, token, status=exc.status, error=exc, form=form)


@router.get("/favicon.ico")
def favicon() -> Response:
    """For browsers that ask before reading the page's own ``<link rel="icon">``."""
    return Response(
        FAVICON.read_bytes(),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/t/{token}", response_class=HTMLResponse)
def tab_page(request: Request, token: str) -> Response:
    return _page(request, token)


@router.get("/t/{token}/live", response_class=HTMLResponse)
def live(request: Request, token: str) -> Response:
    """The part of the page that changes while staff work: lines, totals, status."""
    try:
        tab, sale = read_tab_and_sale(request, token)
    except NotFound:
        return not_found(request)
    seen = request.query_params.get("seen")
    if seen is not None and seen != page_state(tab):
        # htmx reloads the whole page on this header; without it, a no-op.
        return Response(status_code=200, headers={**PAGE_HEADERS, "HX-Refresh": "true"})
    # The reward chosen in the payment form (htmx sends it, and polls at once
    # when it changes): the form's numbers follow what is left to pay.
    chosen = {"reward_id": request.query_params.get("reward_id", "")[:40]}
    context = _context(request, token, tab, sale, form=chosen)
    context["out_of_band"] = True
    return templates.TemplateResponse(request, "customer/_live.html", context, headers=PAGE_HEADERS)


@router.post("/t/{token}/accept")
def accept(request: Request, token: str) -> Response:
    try:
        _write(request, token, lambda uow: tabs.accept_terms(uow, token))
    except ServefirstError as exc:
        return _refused(request, token, exc, {})
    return _back(token, "accepted")


@router.post("/t/{token}/review")
def review(request: Request, token: str, rating: FormText = "", comment: FormText = "") -> Response:
    form = {"rating": rating, "comment": comment}
    try:
        words.within_field_max({"rating": rating})
        stars = words.stars_of(rating)
        said = words.customer_said(comment, param="comment")
        _write(
            request, token, lambda uow: reviews.review_tab(uow, token, rating=stars, comment=said)
        )
    except ServefirstError as exc:
        return _refused(request, token, exc, form)
    return _back(token, "reviewed")


@router.post("/t/{token}/concern")
def concern(
    request: Request,
    token: str,
    reason: FormText = "",
    remedy: FormText = "",
    amount: FormText = "",
    concerns_seen: FormText = "",
) -> Response:
    form = {"reason": reason, "remedy": remedy, "amount": amount}
    try:
        words.within_field_max({"remedy": remedy, "amount": amount, "concerns_seen": concerns_seen})
        tab = read_tab(request, token)
        why = words.concern_reason(reason)
        if remedy not in REMEDIES:
            raise InvalidRequest("Choose what you would like us to do.", param="remedy")
        asked = parse_amount(amount, tab.currency, param="amount") if remedy == "partial" else None
        if remedy == "partial" and not asked:
            raise InvalidRequest("Say how much of a discount you ask for.", param="amount")
        raised = _write(
            request,
            token,
            lambda uow: guarantee.raise_concern(
                uow,
                token,
                reason=why,
                remedy=remedy,
                amount=asked,
                concerns_seen=int(concerns_seen) if concerns_seen.isdigit() else None,
            ),
        )
    except ServefirstError as exc:
        return _refused(request, token, exc, form)
    return _back(token, f"concern_{raised.status}")


@router.post("/t/{token}/pay")
def pay(
    request: Request,
    token: str,
    card: FormText = "",
    payment_method: FormText = "",
    tip: FormText = "0",
    custom_tip: FormText = "",
    expected_due: FormText = "",
    reward_id: FormText = "",
    tip_confirmed: FormText = "",
) -> Response:
    # A card number is never drawn back into the page, even on an error; only a
    # sandbox test card (a public number) is kept while a tip is asked about.
    form = {"tip": tip, "custom_tip": custom_tip, "reward_id": reward_id}
    try:
        typed = {
            "card": card,
            "payment_method": payment_method,
            "expected_due": expected_due,
            "tip_confirmed": tip_confirmed,
        }
        words.within_field_max({**form, **typed})
        tab = read_tab(request, token)
        if tab.status == "paid":
            return _to_receipt(token)
        seen = pay_form.seen_due(expected_due)
        # Left to pay once the reward is off (a suggested tip is a share of the
        # bill before it: tip_rules).
        left = left_after_reward(request, token, tab, reward_id)
        tipped = pay_form.tip_from(tip, custom_tip, tab)
        # Asked before the card is looked at: the answer and the card come back together.
        ask = pay_form.tip_to_ask_about(
            tipped,
            left,
            tip_confirmed,
            bill=tab.amount_due,
            card=card,
            test_mode=in_test_mode(request),
            payment_method=payment_method,
        )
        if ask is not None:
            return _page(request, token, status=409, form=form, tip_question=ask)
        number = "".join(card.split())
        if not number and not payment_method and tip_rules.card_needed(left, tipped):
            raise InvalidRequest("Enter the card number.", param="card")

        def charge(uow: UnitOfWork) -> str | None:
            # Checked on the locked tab, in the payment's own transaction, so
            # a line added a moment ago can never be charged unseen.
            pay_form.ensure_same_bill(tabs.tab_for_token(uow, token, lock=True), seen)
            paid = payments.pay_by_token(
                uow,
                token,
                card=number or None,
                payment_method=payment_method or None,
                tip=tipped,
                reward_id=reward_id or None,
            )
            return paid.client_secret if paid.status == "pending" else None

        confirm = _write(request, token, charge)
    except ServefirstError as exc:
        return _refused(request, token, exc, form)
    if confirm is not None:
        # 3-D Secure: the page hands the card's check to Stripe.js (stripe-card.js).
        return _page(request, token, form=form, confirm=confirm)
    return _to_receipt(token)


def _to_receipt(token: str) -> RedirectResponse:
    return RedirectResponse(f"/t/{token}/receipt", status_code=303, headers=PAGE_HEADERS)


@router.get("/t/{token}/receipt", response_class=HTMLResponse)
def receipt(request: Request, token: str) -> Response:
    try:
        tab, sale = read_tab_and_sale(request, token)  # the sale as the PDF prints it
    except NotFound:
        return not_found(request)
    if not tab.payments and tab.status != "paid":
        # Nothing to show yet. A tab the booking's deposit paid on its own has
        # no payment, and its receipt all the same.
        return RedirectResponse(f"/t/{token}", status_code=303, headers=PAGE_HEADERS)
    return templates.TemplateResponse(
        request,
        "customer/receipt.html",
        {"token": token, "tab": tab, "sale": sale, "paid_flash": FLASHES[_paid_words(tab)]},
        headers=PAGE_HEADERS,
    )


def _paid_words(tab: PublicTab) -> str:
    """What the top of a paid tab's receipt says: a thank-you, unless every
    cent paid (bill and tip) has been given back since."""
    taken = tab.paid + tab.tips
    if taken and tab.refunded + tab.tips_refunded >= taken:
        return "refunded_in_full"
    return "paid"

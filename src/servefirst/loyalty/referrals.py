"""Referrals' use cases: the programme, the friend's welcome when they sign up
with a code, and the referrer's thanks once the friend's first tab is paid
(``referral_rules`` has the rules)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from servefirst.events.service import emit
from servefirst.kit.clock import as_utc
from servefirst.kit.errors import InvalidRequest
from servefirst.loyalty import referral_rules as rules
from servefirst.loyalty import repository as loyalty
from servefirst.loyalty.journal import ensure_service, issue
from servefirst.loyalty.rules import ProgramInvalid
from servefirst.merchants.service import get_merchant
from servefirst.tabs.rules import TabStatus

if TYPE_CHECKING:
    from servefirst.customers.models import Customer
    from servefirst.db.uow import UnitOfWork
    from servefirst.merchants.models import Merchant
    from servefirst.tabs.models import Tab


def program_of(merchant: Merchant) -> rules.ReferralProgram | None:
    return rules.stored_referral_program((merchant.policy or {}).get("referral"))


def get_program(uow: UnitOfWork) -> rules.ReferralProgram | None:
    return program_of(get_merchant(uow))


def set_program(uow: UnitOfWork, data: dict[str, Any]) -> rules.ReferralProgram:
    merchant = get_merchant(uow, lock=True)
    try:
        program = rules.checked_referral_program(data)
    except ProgramInvalid as exc:
        raise InvalidRequest(exc.message, param=exc.param, figures=exc.figures) from exc
    ensure_service(uow, program.friend_reward, "friend_reward.service_id")
    ensure_service(uow, program.referrer_reward, "referrer_reward.service_id")
    merchant.policy = {**(merchant.policy or {}), "referral": program.as_stored()}
    uow.session.flush()
    emit(uow, "merchant.referral_program_changed", uow.merchant, program.as_stored())
    return program


def ensure_not_self(friend: rules.Contact, referrer: Customer) -> None:
    """Refuse a referral code used by its own owner (same e-mail or phone)."""
    if rules.is_self_referral(friend, rules.Contact(referrer.email_key, referrer.phone_key)):
        raise InvalidRequest(
            "A customer cannot use their own referral code (same e-mail or phone).",
            code="self_referral",
            param="referral_code",
        )


def welcome(uow: UnitOfWork, friend: Customer) -> None:
    """A friend signed up with a code: their welcome reward, if the merchant runs referrals."""
    program = get_program(uow)
    if program is None:
        return
    issue(
        uow,
        friend.customer_id,
        "referral_friend",
        program.friend_reward,
        program.expires_after_days,
    )


def first_visit_paid(uow: UnitOfWork, tab: Tab, *, merchant: Merchant, friend: Customer) -> None:
    """The friend's tab was just settled (and counted in their history): the
    referrer's thanks, if it was their first paid visit and the month's cap
    allows it."""
    program = program_of(merchant)
    referrer_id = friend.referred_by
    if program is None or referrer_id is None:
        return
    paid_tabs = (friend.paid_visits or 0) + (friend.late_payments or 0)
    if paid_tabs != 1:
        return  # only the first paid visit counts; no statement for the others
    total = tab.subtotal - tab.adjustments
    done = loyalty.referral_rewarded_for(uow, friend.customer_id)
    if not rules.earns_referrer_reward(paid_tabs=paid_tabs, total=total, already_rewarded=done):
        return
    since = month_start(uow.clock.now(), ZoneInfo(merchant.timezone))
    if not rules.under_cap(
        loyalty.referrals_rewarded_since(uow, referrer_id, since), program.monthly_cap
    ):
        emit(uow, "referral.capped", referrer_id, {"friend": friend.customer_id})
        return
    issue(
        uow,
        referrer_id,
        "referral_referrer",
        program.referrer_reward,
        program.expires_after_days,
        referred_customer_id=friend.customer_id,
    )


def first_visit_undone(uow: UnitOfWork, tab: Tab, *, paid_for: int) -> None:
    """A refund or a void left the friend's paid ``tab`` paid for ``paid_for``:
    nothing, on their first paid visit, takes back the referrer's unused
    thanks (``rules.thanks_taken_back`` says why)."""
    if tab.status != TabStatus.PAID:
        return
    friend = uow.customers.get(tab.customer_id)
    if friend.referred_by is None:
        return
    thanks = loyalty.referrer_thanks_for(uow, friend.customer_id)
    paid_tabs = (friend.paid_visits or 0) + (friend.late_payments or 0)
    unused = thanks is not None and thanks.status == loyalty.AVAILABLE
    if thanks is None or not rules.thanks_taken_back(
        paid_for=paid_for, paid_tabs=paid_tabs, thanks_unused=unused
    ):
        return
    if loyalty.void(uow, thanks.reward_id):
        emit(
            uow,
            "loyalty.reward_voided",
            thanks.reward_id,
            {"customer_id": thanks.customer_id, "friend": friend.customer_id, "tab_id": tab.tab_id},
        )


def first_visit_restored(uow: UnitOfWork, tab: Tab, *, told: dict[str, str]) -> None:
    """What took the friend's paid ``tab`` down to nothing was undone (a lost
    dispute won back, a refund that failed after it went through: ``told``
    names which), and the tab is paid for something again: the referrer's
    thanks that voided (``first_visit_undone``) is theirs again, as the
    programme gives it for a friend's paid first visit, with its own expiry
    (lapsed meanwhile, it stays gone). Nothing else voids a thanks, and
    whatever else would leave the tab paid for nothing would have voided it
    with no help."""
    if tab.status != TabStatus.PAID:
        return
    friend = uow.customers.get(tab.customer_id)
    if friend.referred_by is None:
        return
    thanks = loyalty.referrer_thanks_for(uow, friend.customer_id)
    if thanks is None or thanks.status != loyalty.VOID:
        return
    expires_at = thanks.expires_at
    if expires_at is not None and as_utc(expires_at) <= uow.clock.now():
        return
    if loyalty.unvoid(uow, thanks.reward_id):
        emit(
            uow,
            "loyalty.given_back",
            thanks.customer_id,
            {
                "tab_id": tab.tab_id,
                "points": 0,
                **told,
                "rewards": [thanks.reward_id],
                "friend": friend.customer_id,
            },
        )


def month_start(now: datetime, zone: ZoneInfo) -> datetime:
    local = now.astimezone(zone)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)

"""Loyalty's use cases: setting the programme, earning when a tab is paid,
redeeming a reward on a bill, and reading a customer's card. Taking back on a
refund, a line voided after or a lost dispute is ``take_back``'s; the journal
and rewards are written through ``journal``.

Earning rides on the tab's settling (``tabs.closing.settle``), which has the
customer and their merchant in hand already: a merchant without a programme
pays no statement for loyalty on the money path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from servefirst.catalog.service import get_service
from servefirst.events.service import emit
from servefirst.kit.errors import Conflict, InvalidRequest, NotFound
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind, Side
from servefirst.loyalty import repository as loyalty
from servefirst.loyalty import rules, words
from servefirst.loyalty.journal import ensure_service, issue, move
from servefirst.loyalty.models import LoyaltyReward, LoyaltyTransaction
from servefirst.loyalty.take_back import tab_disputed as tab_disputed
from servefirst.loyalty.take_back import tab_line_voided as tab_line_voided
from servefirst.loyalty.take_back import tab_refund_failed as tab_refund_failed
from servefirst.loyalty.take_back import tab_refunded as tab_refunded
from servefirst.loyalty.take_back import tab_won_back as tab_won_back
from servefirst.merchants.service import get_merchant
from servefirst.taxes import service as taxes

if TYPE_CHECKING:
    from servefirst.customers.models import Customer
    from servefirst.db.uow import UnitOfWork
    from servefirst.merchants.models import Merchant
    from servefirst.tabs.models import Tab

#: More loyalty movements than this for one customer in one day are flagged
#: for staff (Square's rule: stamps farmed at the counter show up this way).
BUSY_DAY = 5


def program_of(merchant: Merchant) -> rules.LoyaltyProgram | None:
    return rules.stored_program((merchant.policy or {}).get("loyalty"))


def get_program(uow: UnitOfWork) -> rules.LoyaltyProgram | None:
    return program_of(get_merchant(uow))


def set_program(uow: UnitOfWork, data: dict[str, Any]) -> rules.LoyaltyProgram:
    """Set (or replace) the merchant's one programme, checked whole first.
    Balances and rewards already earned stay as they are."""
    merchant = get_merchant(uow, lock=True)
    try:
        program = rules.checked_program(data)
    except rules.ProgramInvalid as exc:
        raise InvalidRequest(exc.message, param=exc.param, figures=exc.figures) from exc
    ensure_service(uow, program.reward, "reward.service_id")
    merchant.policy = {**(merchant.policy or {}), "loyalty": program.as_stored()}
    uow.session.flush()
    emit(uow, "merchant.loyalty_program_changed", uow.merchant, program.as_stored())
    return program


# --- earning ----------------------------------------------------------------------------


def tab_paid(uow: UnitOfWork, tab: Tab, *, merchant: Merchant, customer: Customer) -> None:
    """The locked ``tab`` was just settled: its stamp or points, and a
    referral's thanks when it is the friend's first paid visit."""
    policy = merchant.policy or {}
    if "loyalty" in policy:
        _earn(uow, tab, rules.checked_program(policy["loyalty"]), merchant)
    if "referral" in policy and customer.referred_by:
        from servefirst.loyalty import referrals  # the referral half; it builds on this one

        referrals.first_visit_paid(uow, tab, merchant=merchant, friend=customer)


def _earn(uow: UnitOfWork, tab: Tab, program: rules.LoyaltyProgram, merchant: Merchant) -> None:
    now = uow.clock.now()
    total = tab.subtotal - tab.adjustments
    points = rules.earned(program, total, tab.currency, now.astimezone(ZoneInfo(merchant.timezone)))
    if points <= 0:
        return
    customer_id = tab.customer_id
    held = loyalty.balance(uow, customer_id)
    if held and rules.lapsed(loyalty.last_visit(uow, customer_id), now, program.expires_after_days):
        move(uow, customer_id, "expire", -held)
        held = 0
    move(uow, customer_id, "earn", points, tab_id=tab.tab_id)
    held += points
    for _ in range(rules.rewards_reached(held, program.per_reward)):
        reward = issue(uow, customer_id, "loyalty", program.reward, program.expires_after_days)
        reward.cost = program.per_reward
        move(uow, customer_id, "convert", -program.per_reward, reward_id=reward.reward_id)
    emit(uow, "loyalty.earned", customer_id, {"tab_id": tab.tab_id, "points": points})


# --- redeeming ---------------------------------------------------------------------------


def reward_off(uow: UnitOfWork, tab: Tab, reward_id: str, line_prices: dict[str, int]) -> int:
    """What the reward would take off ``tab`` now, refused (4xx) as ``redeem``
    refuses it; nothing is written. The tab page weighs a tip against what is
    left to pay once the reward is off."""
    reward = loyalty.reward(uow, reward_id)
    if reward is None or reward.customer_id != tab.customer_id:
        raise NotFound(
            "This customer holds no such reward.", code="reward_not_found", param="reward_id"
        )
    now = uow.clock.now()
    if reward.status != loyalty.AVAILABLE:
        raise Conflict(
            "This reward was already used.", code="reward_already_used", param="reward_id"
        )
    if reward.expires_at is not None and reward.expires_at <= now:
        raise Conflict("This reward has expired.", code="reward_expired", param="reward_id")
    total = tab.subtotal - tab.adjustments
    due = total - tab.paid - tab.deposit_applied
    try:
        value = rules.reward_value(
            rules.checked_reward(reward.reward), total=total, due=due, line_prices=line_prices
        )
    except rules.RewardRefused as refused:
        raise InvalidRequest(refused.message, code=refused.code, param="reward_id") from None
    return value


def redeem(uow: UnitOfWork, tab: Tab, reward_id: str, line_prices: dict[str, int]) -> int:
    """Take the reward off the locked ``tab`` before it is paid; returns the
    discount. One balanced entry moves it from receivables to
    ``loyalty_rewards``; the tab's discounts (``adjustments``) carry it, so
    what is due, earned by staff and taxed is what is left.

    Refusals (4xx) come before anything is written: the caller's transaction
    rolls back whatever a refusal interrupts."""
    value = reward_off(uow, tab, reward_id, line_prices)
    now = uow.clock.now()
    if not loyalty.claim(uow, reward_id, tab_id=tab.tab_id, discount=value, at=now):
        raise Conflict(
            "This reward was already used.", code="reward_already_used", param="reward_id"
        )
    # The tax in the discount goes back in proportion to each rate, as a
    # guarantee discount's does: the reward costs the business its net only.
    tax = taxes.for_reduction(tab, value)
    tax_back = -taxes.tax_part(tax)
    entry_id = ledger.post(
        uow,
        EntryBuilder(
            EntryKind.LOYALTY_REWARD, tab.currency, memo=f"reward {reward_id}", tab_id=tab.tab_id
        )
        .leg(Account.LOYALTY_REWARDS, Side.DEBIT, value - tax_back)
        .leg(Account.TAX_PAYABLE, Side.DEBIT, tax_back)
        .credit(Account.RECEIVABLES, value)
        .build(),
    )
    taxes.record(uow, tab, entry_id, tax)
    uow.tabs.write(tab, adjustments=tab.adjustments + value)
    move(uow, tab.customer_id, "redeem", 0, tab_id=tab.tab_id, reward_id=reward_id)
    emit(uow, "loyalty.reward_redeemed", reward_id, {"tab_id": tab.tab_id, "discount": value})
    return value


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerCard:
    """A customer's loyalty as they and staff see it."""

    customer_id: str
    program: rules.LoyaltyProgram | None
    balance: int
    to_next: int | None  # stamps or points still to earn for the next reward
    available: list[LoyaltyReward]
    rewards: list[LoyaltyReward]
    history: list[LoyaltyTransaction]
    lapses_at: datetime | None
    busy_today: int  # movements today, when above BUSY_DAY
    free_service_name: str | None


def customer_card(uow: UnitOfWork, customer_id: str) -> CustomerCard:
    uow.customers.get(customer_id)  # 404 for another merchant's customer
    merchant = get_merchant(uow)
    program = program_of(merchant)
    now = uow.clock.now()
    held = loyalty.balance(uow, customer_id)
    last = loyalty.last_visit(uow, customer_id)
    lapses_at = None
    if program is not None and program.expires_after_days and last is not None and held:
        lapses_at = last + timedelta(days=program.expires_after_days)
        if lapses_at <= now:
            held = 0  # lapsed: written as an expiry at the next visit
    rewards = loyalty.rewards_of(uow, customer_id)
    available = [r for r in rewards if r.status == loyalty.AVAILABLE and not expired(r, now)]
    start, end = day_around(now, ZoneInfo(merchant.timezone))
    busy = loyalty.count_between(uow, customer_id, start, end)
    name = None
    if program is not None and program.reward.type is rules.RewardType.FREE_SERVICE:
        try:
            name = get_service(uow, program.reward.service_id or "").name
        except NotFound:
            name = None
    return CustomerCard(
        customer_id,
        program,
        held,
        (program.per_reward - held % program.per_reward) if program else None,
        available,
        rewards,
        loyalty.history(uow, customer_id),
        lapses_at,
        busy if busy > BUSY_DAY else 0,
        name,
    )


def expired(reward: LoyaltyReward, now: datetime) -> bool:
    return reward.expires_at is not None and reward.expires_at <= now


def available_rewards(uow: UnitOfWork, customer_id: str) -> list[LoyaltyReward]:
    """Rewards the customer may use now (the console shows them when their tab is opened)."""
    now = uow.clock.now()
    return [
        r
        for r in loyalty.rewards_of(uow, customer_id, status=loyalty.AVAILABLE)
        if not expired(r, now)
    ]


def busy_customers_today(uow: UnitOfWork) -> dict[str, int]:
    """Customers with more than ``BUSY_DAY`` loyalty movements today (flagged for staff)."""
    start, end = day_around(uow.clock.now(), ZoneInfo(get_merchant(uow).timezone))
    return loyalty.busy_customers(uow, start, end, BUSY_DAY)


def day_around(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    local = now.astimezone(zone)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, (start + timedelta(days=1)).replace(hour=0, minute=0)


def progress_in_words(uow: UnitOfWork, card: CustomerCard) -> str | None:
    """The card's progress in words, in the language in use: "2 more visits to
    a free flat white"."""
    if card.program is None or card.to_next is None:
        return None
    currency = get_merchant(uow).currency
    return words.progress_words(card.program, card.to_next, currency, card.free_service_name)


def reward_in_words(uow: UnitOfWork, reward: LoyaltyReward) -> str:
    """What the reward takes off, in words ("a free flat white", "5,00 € off")."""
    spec = rules.checked_reward(reward.reward)
    name = None
    if spec.type is rules.RewardType.FREE_SERVICE:
        try:
            name = get_service(uow, spec.service_id or "").name
        except NotFound:
            name = None
    return words.reward_words(spec, get_merchant(uow).currency, name)


def move_customer(uow: UnitOfWork, merged_id: str, into_id: str) -> int:
    return loyalty.move_customer(uow, merged_id, into_id)

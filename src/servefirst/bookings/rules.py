"""Pure rules of bookings: the deposit policy, who needs a deposit, and what
happens to it when the booking ends.

A booking is a promise in both directions: the business keeps the chair free,
the customer comes or cancels in time. The deposit is the small buffer that
makes the promise cheap to keep for a customer we don't know yet, and
unnecessary for one who has earned trust.

    confirmed ──check_in──► checked_in   (deposit applied to the tab)
        │──────cancel─────► cancelled    (in time: refunded; late: fee kept)
        └──────no_show────► no_show      (fee kept, within the charge window)

Amounts are integers of minor units. Percentages are ``Decimal`` and round
half up to the minor unit, the way a receipt would.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from servefirst.kit.errors import Conflict, InvalidRequest
from servefirst.trust.rules import Tier


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class CancelledBy(StrEnum):
    """Who called a booking off: the customer is told which (their e-mail).

    It decides the money too: the customer calling off late pays the
    policy's fee; the business calling off never costs the customer anything."""

    BUSINESS = "business"  # the business's own decision (staff, the API)
    CUSTOMER = "customer"  # the customer: on their booking's page, or asking staff


def cancelled_by_named(name: str) -> CancelledBy:
    """Who cancels, as a console form names it: nothing said is the customer
    (the policy applies, as the API's default)."""
    try:
        return CancelledBy(name.strip() or CancelledBy.CUSTOMER.value)
    except ValueError:
        raise InvalidRequest(
            "Say who cancels: 'customer' (the policy's fee applies) or 'business' (no fee).",
            param="by",
        ) from None


class DepositStatus(StrEnum):
    NONE = "none"  # no deposit was asked for
    PENDING = "pending"  # asked of the card processor, its answer not yet kept
    HELD = "held"  # taken (captured) or authorised (a card hold), not yet used
    APPLIED = "applied"  # counted towards the bill at check-in
    REFUNDED = "refunded"  # given back (timely cancellation) or hold released
    FORFEITED = "forfeited"  # kept after a no-show or late cancellation


def held_for_booking(status: str, amount: int, refunded: int) -> int:
    """What of a deposit still stands for its booking: none once it ended; a
    part refunded in the processor's dashboard before then no longer does."""
    return amount - refunded if status == DepositStatus.HELD.value else 0


class DepositMode(StrEnum):
    #: Money moves at booking time and sits in ``deposits_held`` (a liability).
    CAPTURE = "capture"
    #: The card is only authorised; money moves if the booking is missed.
    HOLD = "hold"


class BookingAction(StrEnum):
    CHECK_IN = "check_in"
    CANCEL = "cancel"
    NO_SHOW = "no_show"
    RESCHEDULE = "reschedule"


TRANSITIONS: dict[tuple[BookingStatus, BookingAction], BookingStatus] = {
    (BookingStatus.CONFIRMED, BookingAction.CHECK_IN): BookingStatus.CHECKED_IN,
    (BookingStatus.CONFIRMED, BookingAction.CANCEL): BookingStatus.CANCELLED,
    (BookingStatus.CONFIRMED, BookingAction.NO_SHOW): BookingStatus.NO_SHOW,
    # A move keeps the booking (its id, deposit and hold); only its time changes.
    (BookingStatus.CONFIRMED, BookingAction.RESCHEDULE): BookingStatus.CONFIRMED,
}


class IllegalBookingTransition(Conflict):
    code = "booking_state_invalid"


def transition(status: BookingStatus | str, action: BookingAction) -> BookingStatus:
    current = BookingStatus(status)
    target = TRANSITIONS.get((current, action))
    if target is None:
        raise IllegalBookingTransition(
            f"This booking is {current.value.replace('_', ' ')}; it cannot"
            f" {action.value.replace('_', ' ')}.",
            details={"booking_status": current.value},
        )
    return target


def _pct(amount: int, rate: Decimal) -> int:
    return int((Decimal(amount) * rate / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Preset:
    """What a missed booking costs, as a share of the service's price."""

    late_cancel_pct: Decimal
    no_show_pct: Decimal


#: The cancellation presets a salon owner recognises from booking apps.
PRESETS: dict[str, Preset] = {
    "flexible": Preset(Decimal(0), Decimal(10)),
    "fair": Preset(Decimal(10), Decimal(30)),
    "moderate": Preset(Decimal(30), Decimal(50)),
    "strict": Preset(Decimal(50), Decimal(100)),
}

#: Card networks let an authorisation live about a week.
DEFAULT_HOLD_DAYS = 7
#: How long after the slot a no-show fee may still be charged.
DEFAULT_NO_SHOW_CHARGE_DAYS = 14


@dataclass(frozen=True)
class DepositPolicy:
    """A merchant's (or one service's) deposit and cancellation policy."""

    #: Ask for deposits at all. A café's default is not to.
    enabled: bool = False
    #: Deposit as a share of the price, clamped to [minimum, maximum] ...
    percent: Decimal = Decimal(0)
    minimum: int = 0
    maximum: int | None = None
    #: ... or a fixed amount, which wins when set.
    fixed: int | None = None
    #: Cancelling at least this long before the start is free.
    cancel_window_hours: int = 24
    preset: str = "flexible"
    mode: DepositMode = DepositMode.CAPTURE
    #: Tiers always asked for a deposit, whatever the no-show model says
    #: (restricted customers always are); the model decides for the rest.
    required_for: frozenset[Tier] = frozenset({Tier.RESTRICTED})
    #: The share of bookings the merchant is willing to ask (the riskiest) ...
    ask_share: Decimal = Decimal("0.3")
    #: ... or, when set, ask where the expected loss (minor units) reaches this.
    loss_threshold: int | None = None
    hold_days: int = DEFAULT_HOLD_DAYS
    no_show_charge_days: int = DEFAULT_NO_SHOW_CHARGE_DAYS
    #: No-shows in a customer's history that bring a deposit back for any tier
    #: below trusted... and for trusted ones too, once they reach this many.
    no_shows_before_deposit: int = 2

    def __post_init__(self) -> None:
        if self.preset not in PRESETS:
            raise InvalidRequest(
                f"Unknown cancellation preset {self.preset!r}; use one of {', '.join(PRESETS)}.",
                param="preset",
            )
        if not Decimal(0) <= self.percent <= Decimal(100):
            raise InvalidRequest("A deposit percentage is between 0 and 100.", param="percent")
        for name in ("minimum", "fixed"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise InvalidRequest(f"{name} cannot be negative.", param=name)
        if self.maximum is not None and self.maximum < self.minimum:
            raise InvalidRequest("The maximum is below the minimum.", param="maximum")
        if not Decimal(0) <= self.ask_share <= Decimal(1):
            raise InvalidRequest("ask_share is a share between 0 and 1.", param="ask_share")
        if self.loss_threshold is not None and self.loss_threshold < 0:
            raise InvalidRequest("loss_threshold cannot be negative.", param="loss_threshold")
        if self.cancel_window_hours < 0 or self.hold_days < 1 or self.no_show_charge_days < 0:
            raise InvalidRequest("Windows are positive numbers of hours or days.")

    @property
    def charges(self) -> Preset:
        return PRESETS[self.preset]

    def deposit_amount(self, price: int) -> int:
        if self.fixed is not None:
            return min(self.fixed, price)
        amount = max(_pct(price, self.percent), self.minimum)
        if self.maximum is not None:
            amount = min(amount, self.maximum)
        return min(amount, price)

    def late_cancel_fee(self, price: int) -> int:
        return _pct(price, self.charges.late_cancel_pct)

    def no_show_fee(self, price: int) -> int:
        return _pct(price, self.charges.no_show_pct)

    def as_dict(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "percent": str(self.percent),
            "minimum": self.minimum,
            "maximum": self.maximum,
            "fixed": self.fixed,
            "cancel_window_hours": self.cancel_window_hours,
            "preset": self.preset,
            "mode": self.mode.value,
            "required_for": sorted(t.value for t in self.required_for),
            "ask_share": str(self.ask_share),
            "loss_threshold": self.loss_threshold,
            "hold_days": self.hold_days,
            "no_show_charge_days": self.no_show_charge_days,
            "no_shows_before_deposit": self.no_shows_before_deposit,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> DepositPolicy:
        if not data:
            return cls()
        base = cls()
        return replace(
            base,
            enabled=bool(data.get("enabled", base.enabled)),
            percent=Decimal(str(data.get("percent", base.percent))),
            minimum=int(data.get("minimum", base.minimum)),
            maximum=None if data.get("maximum") is None else int(data["maximum"]),
            fixed=None if data.get("fixed") is None else int(data["fixed"]),
            cancel_window_hours=int(data.get("cancel_window_hours", base.cancel_window_hours)),
            preset=str(data.get("preset", base.preset)),
            mode=DepositMode(data.get("mode", base.mode)),
            required_for=frozenset(Tier(t) for t in data.get("required_for", base.required_for)),
            ask_share=Decimal(str(data.get("ask_share", base.ask_share))),
            loss_threshold=(
                None if data.get("loss_threshold") is None else int(data["loss_threshold"])
            ),
            hold_days=int(data.get("hold_days", base.hold_days)),
            no_show_charge_days=int(data.get("no_show_charge_days", base.no_show_charge_days)),
            no_shows_before_deposit=int(
                data.get("no_shows_before_deposit", base.no_shows_before_deposit)
            ),
        )


#: A café takes no deposits; a salon asks new customers for 15% (2.00–20.00)
#: and keeps part of it on a late cancellation or no-show.
CAFE_POLICY = DepositPolicy()
SALON_POLICY = DepositPolicy(
    enabled=True, percent=Decimal(15), minimum=200, maximum=2000, preset="fair"
)


@dataclass(frozen=True)
class DepositDecision:
    required: bool
    amount: int
    mode: DepositMode
    reason: str
    #: The no-show model's probability and version, when the model decided.
    probability: float | None = None
    model_version: str | None = None


def decide_deposit(
    policy: DepositPolicy,
    *,
    price: int,
    tier: Tier,
    no_shows: int,
    required_for: frozenset[Tier] | None = None,
) -> DepositDecision:
    """Whether this customer must leave a deposit whatever their booking's risk, and
    why (in plain words). ``required_for``: the tiers always asked (the policy's)."""
    always = policy.required_for if required_for is None else required_for
    amount = policy.deposit_amount(price)
    if not policy.enabled:
        return DepositDecision(False, 0, policy.mode, "This business does not take deposits.")
    if amount == 0:
        return DepositDecision(False, 0, policy.mode, "The deposit policy asks for nothing here.")
    if no_shows >= policy.no_shows_before_deposit:
        return DepositDecision(
            True,
            amount,
            policy.mode,
            f"{no_shows} missed bookings: a deposit is needed again.",
        )
    if tier in always or tier is Tier.RESTRICTED:
        why = {
            Tier.NEW: "New customer: a small deposit holds the slot.",
            Tier.RESTRICTED: "Past unpaid or missed visits: a deposit holds the slot.",
            Tier.STANDARD: "A deposit holds the slot until trust is earned.",
            Tier.TRUSTED: "This business asks every customer for a deposit.",
        }[tier]
        return DepositDecision(True, amount, policy.mode, why)
    return DepositDecision(
        False, 0, policy.mode, f"{tier.value.capitalize()} customer: no deposit needed."
    )


class Outcome(StrEnum):
    REFUND = "refund"  # all of the deposit goes back
    FORFEIT = "forfeit"  # part or all is kept as a fee
    NO_CHARGE = "no_charge"  # the charge window has passed: closed without charge


@dataclass(frozen=True)
class Settlement:
    """How a deposit ends: ``fee`` is kept (no-show fees), ``refund`` goes back."""

    outcome: Outcome
    fee: int
    refund: int
    reason: str


def _split(deposit: int, fee: int) -> tuple[int, int]:
    kept = min(fee, deposit)
    return kept, deposit - kept


def settle_cancellation(
    policy: DepositPolicy,
    *,
    price: int,
    deposit: int,
    starts_at: datetime,
    now: datetime,
    by: CancelledBy = CancelledBy.CUSTOMER,
) -> Settlement:
    """A cancellation in time costs nothing; a late one costs the preset's fee,
    never more than the deposit itself. The business calling a booking off
    costs its customer nothing, however late: the whole deposit goes back."""
    if by is CancelledBy.BUSINESS:
        return Settlement(
            Outcome.REFUND, 0, deposit, "Cancelled by the business: the deposit goes back in full."
        )
    if starts_at - now >= timedelta(hours=policy.cancel_window_hours):
        return Settlement(
            Outcome.REFUND, 0, deposit, f"Cancelled {policy.cancel_window_hours} h or more ahead."
        )
    fee, refund = _split(deposit, policy.late_cancel_fee(price))
    if fee == 0:
        return Settlement(Outcome.REFUND, 0, deposit, "Late cancellation, but the policy is free.")
    return Settlement(
        Outcome.FORFEIT,
        fee,
        refund,
        f"Cancelled less than {policy.cancel_window_hours} h ahead:"
        " the late-cancellation fee applies.",
    )


def settle_no_show(
    policy: DepositPolicy, *, price: int, deposit: int, starts_at: datetime, now: datetime
) -> Settlement:
    if now < starts_at:
        raise InvalidRequest(
            "A booking can be marked as a no-show only after its start time.", param="booking"
        )
    if now - starts_at > timedelta(days=policy.no_show_charge_days):
        return Settlement(
            Outcome.NO_CHARGE,
            0,
            deposit,
            f"More than {policy.no_show_charge_days} days after the slot: closed without charge.",
        )
    fee, refund = _split(deposit, policy.no_show_fee(price))
    return Settlement(Outcome.FORFEIT, fee, refund, "No-show: the no-show fee applies.")


class HoldPlan(StrEnum):
    HOLD = "hold"  # a hold lasts until the booking
    HOLD_AND_RENEW = "hold_and_renew"  # the hold expires first: renew it before it lapses
    CAPTURE = "capture"  # too far ahead for a hold: take the deposit now


#: How many renewals we are willing to plan before preferring to capture.
MAX_RENEWALS = 1


def plan_hold(*, starts_at: datetime, now: datetime, hold_days: int) -> HoldPlan:
    """A card hold lapses after ``hold_days``. Bookings inside that window are
    held; a little further out, held and renewed once; further still, a captured
    deposit is safer than a chain of renewals that might fail."""
    lifetime = timedelta(days=hold_days)
    if starts_at <= now + lifetime:
        return HoldPlan.HOLD
    if starts_at <= now + lifetime * (MAX_RENEWALS + 1):
        return HoldPlan.HOLD_AND_RENEW
    return HoldPlan.CAPTURE

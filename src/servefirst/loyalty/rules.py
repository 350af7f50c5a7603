"""Pure rules of loyalty: what a paid tab earns, when a reward is due, what a
reward is worth on a bill, and when it all expires (what a refund, a void or a
lost dispute takes back: ``take_back_rules``).

A merchant runs at most one programme (``merchant.policy["loyalty"]``):

- **visits**: a stamp per paid tab whose total reaches ``min_spend``; every
  ``visits_per_reward`` stamps become a reward;
- **points**: ``points_per_unit`` points per whole major unit (per euro) paid
  for services, before tip and tax; every ``points_per_reward`` points become
  a reward. A promotion (a weekly time window in the merchant's zone) multiplies
  the points of tabs paid inside it.

A balance is never stored: it is the sum of the customer's loyalty
transactions, and every rule below keeps that sum from going below zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from servefirst.kit.i18n import N_
from servefirst.kit.money import MAX_AMOUNT, minor_digits

# What a refund, a void or a lost dispute takes back has a module of its own;
# named here too, where the features that take back have always found them.
from servefirst.loyalty.take_back_rules import dispute_reference as dispute_reference
from servefirst.loyalty.take_back_rules import kept_after_refund as kept_after_refund
from servefirst.loyalty.take_back_rules import kept_after_void as kept_after_void
from servefirst.loyalty.take_back_rules import made_by_dispute as made_by_dispute
from servefirst.loyalty.take_back_rules import made_by_void as made_by_void
from servefirst.loyalty.take_back_rules import owed_after_dispute as owed_after_dispute
from servefirst.loyalty.take_back_rules import owed_after_refund as owed_after_refund
from servefirst.loyalty.take_back_rules import owed_after_void as owed_after_void
from servefirst.loyalty.take_back_rules import take_back as take_back
from servefirst.loyalty.take_back_rules import void_reference as void_reference

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ProgramKind(StrEnum):
    VISITS = "visits"  # a stamp card
    POINTS = "points"  # points per euro paid


class RewardType(StrEnum):
    AMOUNT_OFF = "amount_off"  # a fixed amount off the bill
    PERCENT_OFF = "percent_off"  # a share of the bill off
    FREE_SERVICE = "free_service"  # one named service free


class ProgramInvalid(ValueError):
    """A programme that cannot be kept: ``param`` names the field; ``figures``
    let a page say it in its reader's words (``kit.refusals``)."""

    def __init__(self, message: str, param: str, figures: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.figures = figures or {}


def whole_number_refused(key: str, low: int, high: int, param: str) -> ProgramInvalid:
    return ProgramInvalid(
        f"{key} must be a whole number from {low} to {high}.",
        param,
        {"words": N_("Choose a whole number from %(low)s to %(high)s."), "low": low, "high": high},
    )


class RewardRefused(ValueError):
    """A reward that cannot be taken off this bill (the service's 4xx says why)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class RewardSpec:
    type: RewardType
    amount: int | None = None
    percent: Decimal | None = None
    service_id: str | None = None

    def as_stored(self) -> dict[str, Any]:
        stored: dict[str, Any] = {"type": self.type.value}
        if self.amount is not None:
            stored["amount"] = self.amount
        if self.percent is not None:
            stored["percent"] = str(self.percent)
        if self.service_id is not None:
            stored["service_id"] = self.service_id
        return stored


@dataclass(frozen=True)
class Promotion:
    """Points multiplied on tabs paid in a weekly window, in the merchant's zone."""

    weekdays: tuple[str, ...]
    starts: time
    ends: time
    multiplier: int = 2

    def covers(self, local: datetime) -> bool:
        return (
            WEEKDAYS[local.weekday()] in self.weekdays and self.starts <= local.time() < self.ends
        )

    def as_stored(self) -> dict[str, Any]:
        return {
            "weekdays": list(self.weekdays),
            "starts": self.starts.strftime("%H:%M"),
            "ends": self.ends.strftime("%H:%M"),
            "multiplier": self.multiplier,
        }


@dataclass(frozen=True)
class LoyaltyProgram:
    kind: ProgramKind
    reward: RewardSpec
    visits_per_reward: int | None = None
    min_spend: int = 0
    points_per_unit: int | None = None
    points_per_reward: int | None = None
    #: Points (or stamps) and rewards lapse after this many days without a visit.
    expires_after_days: int | None = None
    promotions: tuple[Promotion, ...] = field(default=())

    @property
    def per_reward(self) -> int:
        """Stamps or points that make one reward."""
        needed = (
            self.visits_per_reward if self.kind is ProgramKind.VISITS else self.points_per_reward
        )
        assert needed is not None
        return needed

    def as_stored(self) -> dict[str, Any]:
        stored: dict[str, Any] = {"kind": self.kind.value, "reward": self.reward.as_stored()}
        if self.kind is ProgramKind.VISITS:
            stored |= {"visits_per_reward": self.visits_per_reward, "min_spend": self.min_spend}
        else:
            stored |= {
                "points_per_unit": self.points_per_unit,
                "points_per_reward": self.points_per_reward,
            }
        stored["expires_after_days"] = self.expires_after_days
        stored["promotions"] = [p.as_stored() for p in self.promotions]
        return stored


def _whole(data: dict[str, Any], key: str, *, low: int, high: int, param: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise whole_number_refused(key, low, high, param)
    return value


def checked_reward(data: Any, param: str = "reward") -> RewardSpec:
    """A reward as the API gives it, checked whole (``ProgramInvalid`` names the field)."""
    if not isinstance(data, dict):
        raise ProgramInvalid("reward must be an object with a type.", param)
    try:
        kind = RewardType(str(data.get("type")))
    except ValueError:
        raise ProgramInvalid(
            "reward.type must be amount_off, percent_off or free_service.", f"{param}.type"
        ) from None
    if kind is RewardType.AMOUNT_OFF:
        amount = _whole(data, "amount", low=1, high=MAX_AMOUNT, param=f"{param}.amount")
        return RewardSpec(kind, amount=amount)
    if kind is RewardType.PERCENT_OFF:
        try:
            percent = Decimal(str(data.get("percent")))
        except InvalidOperation:
            percent = Decimal(-1)
        if not percent.is_finite() or not Decimal(0) < percent <= Decimal(100):
            raise ProgramInvalid(
                "reward.percent must be a decimal string above 0 and at most 100.",
                f"{param}.percent",
                {"words": N_("Write a percentage above 0 and at most 100.")},
            )
        # Kept as written plainly ("10", never "1E+1").
        return RewardSpec(kind, percent=Decimal(format(percent.normalize(), "f")))
    service_id = data.get("service_id")
    if not isinstance(service_id, str) or not service_id:
        raise ProgramInvalid("A free_service reward names its service_id.", f"{param}.service_id")
    return RewardSpec(kind, service_id=service_id)


def _checked_promotion(data: Any, index: int) -> Promotion:
    param = f"promotions[{index}]"
    if not isinstance(data, dict):
        raise ProgramInvalid("A promotion is an object.", param)
    days = data.get("weekdays") or list(WEEKDAYS)
    if not isinstance(days, list) or any(d not in WEEKDAYS for d in days):
        raise ProgramInvalid("weekdays are among mon, tue, ..., sun.", f"{param}.weekdays")
    try:
        starts = time.fromisoformat(str(data.get("starts")))
        ends = time.fromisoformat(str(data.get("ends")))
    except ValueError:
        raise ProgramInvalid("starts and ends are times like 14:00.", f"{param}.starts") from None
    if not starts < ends:
        raise ProgramInvalid("A promotion ends after it starts.", f"{param}.ends")
    multiplier = _whole(
        {"multiplier": data.get("multiplier", 2)},
        "multiplier",
        low=2,
        high=10,
        param=f"{param}.multiplier",
    )
    return Promotion(tuple(days), starts, ends, multiplier)


def checked_program(data: dict[str, Any]) -> LoyaltyProgram:
    """The programme as the API gives it, checked whole before anything is kept."""
    try:
        kind = ProgramKind(str(data.get("kind")))
    except ValueError:
        raise ProgramInvalid("kind must be visits or points.", "kind") from None
    reward = checked_reward(data.get("reward"))
    expires = data.get("expires_after_days")
    if expires is not None:
        expires = _whole(data, "expires_after_days", low=1, high=3650, param="expires_after_days")
    promotions = data.get("promotions") or []
    if not isinstance(promotions, list) or len(promotions) > 20:
        raise ProgramInvalid("promotions is a list of at most 20 windows.", "promotions")
    windows = tuple(_checked_promotion(p, i) for i, p in enumerate(promotions))
    if kind is ProgramKind.VISITS:
        if windows:
            raise ProgramInvalid("Promotions multiply points; a stamp card has none.", "promotions")
        return LoyaltyProgram(
            kind,
            reward,
            visits_per_reward=_whole(
                data, "visits_per_reward", low=1, high=1000, param="visits_per_reward"
            ),
            min_spend=_whole(
                {"min_spend": data.get("min_spend", 0)},
                "min_spend",
                low=0,
                high=MAX_AMOUNT,
                param="min_spend",
            ),
            expires_after_days=expires,
        )
    return LoyaltyProgram(
        kind,
        reward,
        points_per_unit=_whole(data, "points_per_unit", low=1, high=1000, param="points_per_unit"),
        points_per_reward=_whole(
            data, "points_per_reward", low=1, high=10_000_000, param="points_per_reward"
        ),
        expires_after_days=expires,
        promotions=windows,
    )


def stored_program(stored: dict[str, Any] | None) -> LoyaltyProgram | None:
    """The programme kept in the merchant's policy (already checked once)."""
    return checked_program(stored) if stored else None


# --- earning (taking back: ``take_back_rules``) -----------------------------------------


def earned(program: LoyaltyProgram, paid_for_services: int, currency: str, local: datetime) -> int:
    """Stamps or points a tab paid at ``local`` (the merchant's time) earns.

    ``paid_for_services``: the bill after discounts, before tip (and tax)."""
    if paid_for_services <= 0:
        return 0  # a waived tab earns nothing
    if program.kind is ProgramKind.VISITS:
        return 1 if paid_for_services >= program.min_spend else 0
    units = paid_for_services // 10 ** minor_digits(currency)
    multiplier = max((p.multiplier for p in program.promotions if p.covers(local)), default=1)
    return units * (program.points_per_unit or 0) * multiplier


def rewards_reached(balance: int, per_reward: int) -> int:
    """How many rewards a balance turns into (each costs ``per_reward``)."""
    return balance // per_reward if per_reward > 0 and balance > 0 else 0


def lapsed(last_visit: datetime | None, now: datetime, days: int | None) -> bool:
    """Points and stamps lapse after ``days`` without a visit."""
    return days is not None and last_visit is not None and now - last_visit >= timedelta(days=days)


# --- redeeming -------------------------------------------------------------------------


def reward_value(spec: RewardSpec, *, total: int, due: int, line_prices: dict[str, int]) -> int:
    """What ``spec`` takes off a bill of ``total`` (after earlier discounts) of
    which ``due`` is still to pay. ``line_prices``: unit price by service on the
    tab. Taken off before tax: the tax, once there is one, is reduced in
    proportion by whoever computes it from the discounted bill.

    A reward worth more than what is due is refused rather than cut down: the
    customer keeps it for a larger bill."""
    if spec.type is RewardType.AMOUNT_OFF:
        value = spec.amount or 0
    elif spec.type is RewardType.PERCENT_OFF:
        # Rounded half-up to the minor unit, as every percentage of money is (kit.money).
        exact = Decimal(total) * (spec.percent or Decimal(0)) / Decimal(100)
        value = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    else:
        if spec.service_id not in line_prices:
            raise RewardRefused(
                "This reward is a free service that is not on this tab.", "reward_not_applicable"
            )
        value = line_prices[spec.service_id]
    if value <= 0:
        raise RewardRefused("This reward takes nothing off this bill.", "reward_not_applicable")
    if value > due:
        raise RewardRefused(
            f"This reward ({value}) is worth more than the {due} still due on the tab.",
            "reward_exceeds_due",
        )
    return value

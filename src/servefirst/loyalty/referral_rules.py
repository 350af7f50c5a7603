"""Pure rules of referrals: the programme, who may not refer whom, the
monthly cap.

A customer's referral code brings a friend. The friend gets the welcome
reward (``friend_reward``) when they sign up with the code; the referrer gets
theirs (``referrer_reward``) only once the friend's first tab is paid, for
something (a waived tab, a no-show, earns nothing), and at most
``monthly_cap`` times per calendar month of the merchant. Rewards lapse
``expires_after_days`` after they are given unless used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from servefirst.loyalty.rules import RewardSpec, checked_reward, whole_number_refused

DEFAULT_MONTHLY_CAP = 5
DEFAULT_EXPIRY_DAYS = 30


@dataclass(frozen=True)
class ReferralProgram:
    friend_reward: RewardSpec
    referrer_reward: RewardSpec
    monthly_cap: int = DEFAULT_MONTHLY_CAP
    expires_after_days: int = DEFAULT_EXPIRY_DAYS

    def as_stored(self) -> dict[str, Any]:
        return {
            "friend_reward": self.friend_reward.as_stored(),
            "referrer_reward": self.referrer_reward.as_stored(),
            "monthly_cap": self.monthly_cap,
            "expires_after_days": self.expires_after_days,
        }


def _bounded(data: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = data.get(key, default)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise whole_number_refused(key, low, high, key)
    return value


def checked_referral_program(data: dict[str, Any]) -> ReferralProgram:
    """The programme as the API gives it, checked whole (``ProgramInvalid`` names the field)."""
    return ReferralProgram(
        checked_reward(data.get("friend_reward"), "friend_reward"),
        checked_reward(data.get("referrer_reward"), "referrer_reward"),
        _bounded(data, "monthly_cap", DEFAULT_MONTHLY_CAP, 0, 1000),
        _bounded(data, "expires_after_days", DEFAULT_EXPIRY_DAYS, 1, 3650),
    )


def stored_referral_program(stored: dict[str, Any] | None) -> ReferralProgram | None:
    return checked_referral_program(stored) if stored else None


@dataclass(frozen=True)
class Contact:
    """What identifies a person across two customer records (already normalised)."""

    email_key: str | None
    phone_key: str | None


def is_self_referral(friend: Contact, referrer: Contact) -> bool:
    """The same e-mail or the same phone as the referrer: one person twice.
    (A card fingerprint would be a third test, where the processor gives
    one; the sandbox gives none and servefirst keeps no card data of its own.)"""
    return bool(
        (friend.email_key and friend.email_key == referrer.email_key)
        or (friend.phone_key and friend.phone_key == referrer.phone_key)
    )


def earns_referrer_reward(*, paid_tabs: int, total: int, already_rewarded: bool) -> bool:
    """The friend's first tab, paid for something (not waived), not rewarded before."""
    return paid_tabs == 1 and total > 0 and not already_rewarded


def under_cap(rewarded_this_month: int, cap: int) -> bool:
    return rewarded_this_month < cap


def thanks_taken_back(*, paid_for: int, paid_tabs: int, thanks_unused: bool) -> bool:
    """Whether the referrer's thanks goes when the friend's paid tab is now
    paid for ``paid_for`` (its bill after voids, less refunds).

    A merchant thanks a referrer for a friend who paid for something: a first
    visit voided down to nothing or refunded in full is, after the fact, the
    waived tab that never earned thanks, and refund and void are treated
    alike. So the thanks goes, while it is unused. Not once the referrer has
    used it: the discount was given in good faith, and taking it back would
    be dunning a customer who did nothing wrong (points, likewise, never go
    below what a card holds). Not once the friend has paid for another visit
    (``paid_tabs`` above 1): the referral did bring a paying customer. As for
    a waived first tab, the friend's later visits do not earn the thanks again.
    """
    return paid_for <= 0 and paid_tabs == 1 and thanks_unused

"""A customer's progress in words, in the language in use (English, Portuguese):
"2 more visits to a free flat white"."""

from __future__ import annotations

from servefirst.kit.formats import money, number
from servefirst.kit.i18n import gettext, ngettext
from servefirst.loyalty.rules import LoyaltyProgram, ProgramKind, RewardSpec, RewardType


def reward_words(spec: RewardSpec, currency: str, service_name: str | None) -> str:
    if spec.type is RewardType.AMOUNT_OFF:
        return gettext("%(amount)s off") % {"amount": money(spec.amount or 0, currency)}
    if spec.type is RewardType.PERCENT_OFF:
        # The place's decimal mark: "12,5% de desconto" in Lisbon.
        return gettext("%(percent)s%% off") % {"percent": number(spec.percent)}
    name = (service_name or gettext("service")).lower()
    return gettext("a free %(service)s") % {"service": name}


def progress_words(
    program: LoyaltyProgram, to_next: int, currency: str, service_name: str | None
) -> str:
    reward = reward_words(program.reward, currency, service_name)
    if program.kind is ProgramKind.VISITS:
        words = ngettext(
            "%(n)d more visit to %(reward)s", "%(n)d more visits to %(reward)s", to_next
        )
    else:
        words = ngettext(
            "%(n)d more point to %(reward)s", "%(n)d more points to %(reward)s", to_next
        )
    return words % {"n": to_next, "reward": reward}

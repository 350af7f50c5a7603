"""The few things that moved a customer's score most, in plain words.

A kind of event's effect is how far the score would be from where it is had
those events never happened; the largest effects are shown first. Counts are
all the customer ever had of that kind; the time words say over what span
("3 no-shows in the last 90 days") and, when the last one is long past, that
it now weighs little.

A factor keeps its numbers and is put in words when shown: in the reader's
language on a page (``Factor.said``), always in English in the API and in
events (``factors``), whose words integrators may already read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from servefirst.kit import i18n
from servefirst.kit.i18n import gettext, ngettext
from servefirst.trust.estimator import Evidence, Prior, Tally, score, without

#: How many factors a customer's trust shows.
MAX_FACTORS = 4

#: The kinds of event, in the order a tie is shown.
KINDS = (
    "paid_visits",
    "write_offs",
    "no_shows",
    "rejected_concerns",
    "late_payments",
    "late_cancellations",
)


@dataclass(frozen=True)
class Factor:
    """One kind of event that moved the score: how many, and when (days
    before now of the first and the last). No kind: a customer with no
    history yet."""

    kind: str | None
    count: int = 0
    first_days: float = 0.0
    last_days: float = 0.0

    def said(self) -> str:
        """The factor in words, in the current language."""
        if self.kind is None:
            return gettext("New customer: no history here yet")
        return _counted(self.kind, self.count) + _when(self)


def _counted(kind: str, n: int) -> str:
    # One ngettext call a kind, written out, so the words are found for the catalog.
    if kind == "paid_visits":
        said = ngettext("%(num)d visit paid on time", "%(num)d visits paid on time", n)
    elif kind == "write_offs":
        said = ngettext("%(num)d unpaid tab written off", "%(num)d unpaid tabs written off", n)
    elif kind == "no_shows":
        said = ngettext("%(num)d no-show", "%(num)d no-shows", n)
    elif kind == "rejected_concerns":
        said = ngettext(
            "%(num)d concern rejected as unfounded", "%(num)d concerns rejected as unfounded", n
        )
    elif kind == "late_payments":
        said = ngettext("%(num)d payment made late", "%(num)d payments made late", n)
    else:
        said = ngettext("%(num)d late cancellation", "%(num)d late cancellations", n)
    return said % {"num": n}


def _ago(days: float) -> str:
    if days < 60:
        n = int(days)
        return ngettext("%(num)d day ago", "%(num)d days ago", n) % {"num": n}
    if days < 730:
        n = int(days // 30)
        return ngettext("%(num)d month ago", "%(num)d months ago", n) % {"num": n}
    n = int(days // 365)
    return ngettext("%(num)d year ago", "%(num)d years ago", n) % {"num": n}


def _when(factor: Factor) -> str:
    """Time words: when the last one is long past, how long ago; otherwise
    the span several happened in. Nothing for one recent event, or when it
    all happened this week."""
    if factor.last_days > 90:
        ago = _ago(factor.last_days)
        if factor.count > 1:
            return " " + gettext("(the last one %(ago)s)") % {"ago": ago}
        return f" ({ago})"
    if factor.first_days <= 7 or factor.count == 1:
        return ""  # recent enough to need no date; one event needs no span
    if factor.first_days <= 30:
        return " " + gettext("in the last 30 days")
    if factor.first_days <= 90:
        return " " + gettext("in the last 90 days")
    if factor.first_days <= 182:
        return " " + gettext("in the last 6 months")
    years = int(factor.first_days // 365) + 1
    if years == 1:
        return " " + gettext("in the last year")
    return " " + gettext("over %(num)d years") % {"num": years}


def _factor(kind: str, tally: Tally, now: datetime) -> Factor:
    return Factor(
        kind,
        tally.count,
        (now - tally.first_at).total_seconds() / 86_400,
        (now - tally.last_at).total_seconds() / 86_400,
    )


def weigh(evidence: Evidence, prior: Prior, now: datetime) -> tuple[Factor, ...]:
    """The events that moved the score, largest effect first."""
    if not evidence.tallies:
        return (Factor(None),)
    current = score(evidence, prior)
    weighed = sorted(
        (
            (abs(current - score(without(evidence, kind), prior)), kind, tally)
            for kind, tally in evidence.tallies.items()
            if tally.count
        ),
        key=lambda item: (-item[0], KINDS.index(item[1])),
    )
    return tuple(_factor(kind, tally, now) for _, kind, tally in weighed[:MAX_FACTORS])


def in_english(weighed: tuple[Factor, ...]) -> list[str]:
    """The factors as the API and events say them (English, whatever the page)."""
    with i18n.use_language(i18n.SOURCE_LANGUAGE):
        return [factor.said() for factor in weighed]


def factors(evidence: Evidence, prior: Prior, now: datetime) -> list[str]:
    """The events that moved the score, largest effect first, in English words."""
    return in_english(weigh(evidence, prior, now))

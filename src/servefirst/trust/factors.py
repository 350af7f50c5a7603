"""The few things that moved a customer's score most, in plain words.

A kind of event's effect is how far the score would be from where it is had
those events never happened; the largest effects are shown first. Counts are
all the customer ever had of that kind; the time words say over what span
("3 no-shows in the last 90 days") and, when the last one is long past, that
it now weighs little.
"""

from __future__ import annotations

from datetime import datetime

from servefirst.trust.estimator import Evidence, Prior, Tally, score, without

#: How many factors a customer's trust shows.
MAX_FACTORS = 4
NEW_CUSTOMER = "New customer: no history here yet"

WORDS: dict[str, tuple[str, str]] = {
    "paid_visits": ("visit paid on time", "visits paid on time"),
    "write_offs": ("unpaid tab written off", "unpaid tabs written off"),
    "no_shows": ("no-show", "no-shows"),
    "rejected_concerns": ("concern rejected as unfounded", "concerns rejected as unfounded"),
    "late_payments": ("payment made late", "payments made late"),
    "late_cancellations": ("late cancellation", "late cancellations"),
}

#: Spans named in words, smallest first (days, words).
SPANS = ((30, "in the last 30 days"), (90, "in the last 90 days"), (182, "in the last 6 months"))


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _ago(days: float) -> str:
    if days < 60:
        return f"{int(days)} days ago"
    if days < 730:
        return f"{int(days // 30)} months ago"
    return f"{int(days // 365)} years ago"


def when(tally: Tally, now: datetime) -> str:
    """Time words for a tally: when the last one is long past, how long ago;
    otherwise the span several happened in. Nothing for one recent event, or
    when it all happened this week."""
    first_days = (now - tally.first_at).total_seconds() / 86_400
    last_days = (now - tally.last_at).total_seconds() / 86_400
    if last_days > 90:
        return f" (the last one {_ago(last_days)})" if tally.count > 1 else f" ({_ago(last_days)})"
    if first_days <= 7 or tally.count == 1:
        return ""  # recent enough to need no date; one event needs no span
    for days, words in SPANS:
        if first_days <= days:
            return f" {words}"
    years = int(first_days // 365) + 1
    return " in the last year" if years == 1 else f" over {years} years"


def factors(evidence: Evidence, prior: Prior, now: datetime) -> list[str]:
    """The events that moved the score, largest effect first, in plain words."""
    if not evidence.tallies:
        return [NEW_CUSTOMER]
    current = score(evidence, prior)
    weighed = sorted(
        (
            (abs(current - score(without(evidence, kind), prior)), kind, tally)
            for kind, tally in evidence.tallies.items()
            if tally.count
        ),
        key=lambda item: (-item[0], list(WORDS).index(item[1])),
    )
    return [
        _plural(tally.count, *WORDS[kind]) + when(tally, now)
        for _, kind, tally in weighed[:MAX_FACTORS]
    ]

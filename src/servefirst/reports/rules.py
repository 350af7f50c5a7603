"""Pure report rules: how old a debt is, and which age bucket it falls in.

One set of buckets is used everywhere a debt's age is shown (the cash-flow
report, the debtors page, exports), so an owner reads the same "8-30 days"
in each place. A debt's age counts whole days from when the tab was served
(the customer owed it from then), or from when it was opened while it is
still being served.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from servefirst.kit.i18n import N_


@dataclass(frozen=True)
class AgeBucket:
    """Debts ``first_day`` to ``last_day`` whole days old (``last_day`` None: and older)."""

    label: str
    first_day: int
    last_day: int | None

    def holds(self, days: int) -> bool:
        return days >= self.first_day and (self.last_day is None or days <= self.last_day)


#: Youngest first, contiguous: every age from day 0 falls in exactly one. The
#: API says the labels as they are; a page translates them when shown.
AGE_BUCKETS: tuple[AgeBucket, ...] = (
    AgeBucket(N_("0-7 days"), 0, 7),
    AgeBucket(N_("8-30 days"), 8, 30),
    AgeBucket(N_("31-60 days"), 31, 60),
    AgeBucket(N_("61+ days"), 61, None),
)


def days_owed(since: datetime, now: datetime) -> int:
    """Whole days since ``since`` (a clock behind ``since`` counts as day 0)."""
    return max((now - since) // timedelta(days=1), 0)


def bucket_for(days: int) -> AgeBucket:
    for bucket in AGE_BUCKETS:
        if bucket.holds(days):
            return bucket
    return AGE_BUCKETS[0]  # a negative age: a clock behind


def bucket_starts(now: datetime) -> list[tuple[AgeBucket, datetime | None]]:
    """Each bucket with the earliest moment a debt in it may have started
    (None for the last, which has no bound): for a query that buckets in SQL."""
    return [
        (b, None if b.last_day is None else now - timedelta(days=b.last_day + 1))
        for b in AGE_BUCKETS
    ]

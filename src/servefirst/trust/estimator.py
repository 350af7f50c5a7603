"""The trust estimator: a Beta-Binomial posterior whose evidence fades with time.

Each visit is a coin the customer flips: it goes well (paid on time) or it
goes badly (a no-show, a write-off, ...). We don't know the coin's bias, so we
keep a Beta belief about it: a prior of ``good`` and ``bad`` pseudo-visits
(what we assume of a stranger), plus the customer's own evidence. The score is
the posterior mean ``(prior_good + good) / (prior_good + prior_bad + good + bad)``:
a short history barely moves it, a long one dominates.

Evidence fades: an event that is one half-life old counts half. Decaying
every past event by the same factor is the same as decaying their sum, so the
state is only two numbers and the time they were last brought up to date;
reading a customer never scans their past. As evidence fades the score moves
back towards the prior, which is what we know of someone we haven't seen in
a long while.

Pure: no database, no clock. Times are passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType

DEFAULT_HALF_LIFE_DAYS = 180.0


@dataclass(frozen=True)
class EventKind:
    """How one event of a kind counts: as good or bad visits, and how many."""

    good: float = 0.0
    bad: float = 0.0


#: The history events and their weight. Trouble weighs what it costs the
#: business: a write-off (lost money) more than a payment that came late. An
#: upheld concern is not trouble at all: it is not an event here.
EVENT_KINDS: Mapping[str, EventKind] = MappingProxyType(
    {
        "paid_visits": EventKind(good=1.0),
        "late_payments": EventKind(bad=0.5),
        "no_shows": EventKind(bad=1.0),
        "late_cancellations": EventKind(bad=0.5),
        "write_offs": EventKind(bad=2.0),
        "rejected_concerns": EventKind(bad=1.0),
    }
)


@dataclass(frozen=True)
class Prior:
    good: float = 3.0
    bad: float = 1.0

    def __post_init__(self) -> None:
        if self.good <= 0 or self.bad <= 0:
            raise ValueError("a Beta prior needs positive pseudo-counts")

    @property
    def mean(self) -> float:
        return self.good / (self.good + self.bad)


@dataclass(frozen=True)
class Tally:
    """One kind of event: how much of it is still remembered (decayed count),
    how many there ever were, and when the first and last happened."""

    remembered: float
    count: int
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class Evidence:
    """A customer's decayed evidence, as of ``as_of`` (None: no history)."""

    as_of: datetime | None = None
    tallies: Mapping[str, Tally] = field(default_factory=dict)

    @property
    def good(self) -> float:
        return sum(t.remembered * EVENT_KINDS[k].good for k, t in self.tallies.items())

    @property
    def bad(self) -> float:
        return sum(t.remembered * EVENT_KINDS[k].bad for k, t in self.tallies.items())

    def count(self, kind: str) -> int:
        tally = self.tallies.get(kind)
        return tally.count if tally else 0


def decay_factor(since: datetime, now: datetime, half_life_days: float) -> float:
    """What one unit of evidence from ``since`` is worth at ``now``."""
    days = max((now - since).total_seconds(), 0.0) / 86_400
    return float(0.5 ** (days / half_life_days))


def decayed(evidence: Evidence, now: datetime, half_life_days: float) -> Evidence:
    """The same evidence seen from ``now``: every tally faded by the same factor."""
    if evidence.as_of is None or now <= evidence.as_of:
        return evidence
    factor = decay_factor(evidence.as_of, now, half_life_days)
    return Evidence(
        as_of=now,
        tallies={
            k: replace(t, remembered=t.remembered * factor) for k, t in evidence.tallies.items()
        },
    )


def add(evidence: Evidence, kind: str, now: datetime, half_life_days: float) -> Evidence:
    """Fade the evidence to ``now``, then count one more event of ``kind``."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"not a history event: {kind}")
    current = decayed(evidence, now, half_life_days)
    tallies = dict(current.tallies)
    old = tallies.get(kind)
    tallies[kind] = (
        Tally(1.0, 1, now, now)
        if old is None
        else Tally(old.remembered + 1.0, old.count + 1, old.first_at, now)
    )
    as_of = now if current.as_of is None else max(now, current.as_of)
    return Evidence(as_of=as_of, tallies=tallies)


def posterior_mean(good: float, bad: float, prior: Prior) -> float:
    return (prior.good + good) / (prior.good + prior.bad + good + bad)


def score(evidence: Evidence, prior: Prior) -> float:
    return posterior_mean(evidence.good, evidence.bad, prior)


def without(evidence: Evidence, kind: str) -> Evidence:
    """The evidence had this kind of event never happened (to weigh its effect)."""
    return replace(evidence, tallies={k: t for k, t in evidence.tallies.items() if k != kind})


def combined(a: Evidence, b: Evidence, now: datetime, half_life_days: float) -> Evidence:
    """Two customers' evidence as one (a merge of duplicates): both faded to
    ``now``, then each kind's remembered weight and count added, the first time
    the earlier and the last the later. Fading first makes the order of the
    two irrelevant and counts an old event no fresher than it is."""
    if a.as_of is None:
        return decayed(b, now, half_life_days)
    if b.as_of is None:
        return decayed(a, now, half_life_days)
    fa, fb = decayed(a, now, half_life_days), decayed(b, now, half_life_days)
    tallies = dict(fa.tallies)
    for kind, t in fb.tallies.items():
        old = tallies.get(kind)
        tallies[kind] = (
            t
            if old is None
            else Tally(
                old.remembered + t.remembered,
                old.count + t.count,
                min(old.first_at, t.first_at),
                max(old.last_at, t.last_at),
            )
        )
    as_of = max(x for x in (fa.as_of, fb.as_of) if x is not None)
    return Evidence(as_of=as_of, tallies=tallies)

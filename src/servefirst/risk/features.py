"""Each booking's features, from what was known when it was made.

The walk goes through bookings in the order they were made, once. Before the
bookings made on a day are read, every outcome known by the end of the day
before (a slot that has passed) is added to its customer's history: the
evidence the trust estimator keeps (visits, no-shows, late cancellations,
faded with the same half-life). So a booking's features never use an outcome
that was unknown on its day: no leakage by construction, and a property test
checks it.

The features are what a salon or café knows and may fairly use: when the
booking was made and for when (lead time, same day, weekday, the hour the
slot starts where the file has it, booked early in the morning or not), the
customer's own history with the business, first visit or not, and the price.
Never who the customer is.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
from numpy.typing import NDArray

from servefirst.risk.records import BookingRecord, Outcome
from servefirst.trust.estimator import DEFAULT_HALF_LIFE_DAYS, Evidence, Prior, add, decayed
from servefirst.trust.rules import Thresholds, Tier, tier_for

LEAD_BUCKETS: tuple[tuple[str, int, int], ...] = (
    ("lead_1_2", 1, 2),
    ("lead_3_7", 3, 7),
    ("lead_8_14", 8, 14),
    ("lead_15_30", 15, 30),
    ("lead_31_plus", 31, 100_000),
)
#: A booking made before this hour counts as "booked early".
BOOKED_EARLY_HOUR = 8
WEEKDAYS = ("tue", "wed", "thu", "fri", "sat", "sun")  # Monday is the baseline

#: The model's inputs, in order. Names are what ``model.describe`` puts in words.
FEATURES: tuple[str, ...] = (
    "lead_log",
    *(name for name, _, _ in LEAD_BUCKETS),
    *(f"weekday_{d}" for d in WEEKDAYS),
    "starts_early",
    "starts_late",
    "booked_early",
    "first_visit",
    "bookings_before_log",
    "pending_log",
    "same_day_others",
    "days_since_last_log",
    "faded_visits",
    "faded_no_shows",
    "faded_late_cancels",
    "no_show_rate",
    "price_log",
)
INDEX = {name: i for i, name in enumerate(FEATURES)}

#: The customer's past no-show rate is shrunk towards this, with this weight in
#: bookings: one miss in one booking is not a 100 % rate.
RATE_PRIOR_MEAN = 0.2
RATE_PRIOR_WEIGHT = 3.0

_TRUST_EVENT = {
    Outcome.SHOWED: "paid_visits",
    Outcome.NO_SHOW: "no_shows",
    Outcome.LATE_CANCELLED: "late_cancellations",
}


@dataclass
class CustomerState:
    """What the walk (or the database) knows of one customer when a booking is made."""

    evidence: Evidence = field(default_factory=Evidence)
    bookings: int = 0
    pending: int = 0
    cancellations: int = 0
    last_booked: datetime | None = None


@dataclass(frozen=True)
class Walked:
    """The walk's result, one row per booking in the order they were made."""

    records: list[BookingRecord]
    x: NDArray[np.float64]
    #: 1 missed (no-show or late cancellation), 0 showed, -1 no outcome to learn
    #: from (not happened yet, or cancelled in time).
    y: NDArray[np.int8]
    #: The day it was made, and the day its outcome was known (ordinals).
    made_on: NDArray[np.int64]
    known_on: NDArray[np.int64]
    #: Today's rule: new and restricted customers, and anyone after two no-shows.
    rule_asks: NDArray[np.bool_]
    tiers: list[Tier]
    #: The trust estimator's score at booking time (1: the most reliable).
    trust: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.records)


def lead_days(record: BookingRecord) -> int:
    """Whole days between the day it was made and the day of the slot."""
    return max((record.starts_at.date() - record.created_at.date()).days, 0)


def target(record: BookingRecord) -> int:
    if record.outcome is None or record.outcome is Outcome.CANCELLED:
        return -1
    return 1 if record.outcome.missed else 0


def _apply(customer: CustomerState, record: BookingRecord, half_life: float) -> None:
    customer.pending -= 1
    if record.outcome is None:
        return
    if record.outcome is Outcome.CANCELLED:
        customer.cancellations += 1
        return
    customer.evidence = add(
        customer.evidence, _TRUST_EVENT[record.outcome], record.known_on, half_life
    )


def booking_features(
    record: BookingRecord, customer: CustomerState, same_day_others: int, half_life: float
) -> tuple[list[float], Evidence]:
    row = [0.0] * len(FEATURES)
    lead = lead_days(record)
    row[INDEX["lead_log"]] = math.log1p(lead)
    for name, low, high in LEAD_BUCKETS:
        if low <= lead <= high:
            row[INDEX[name]] = 1.0
    weekday = record.starts_at.weekday()
    if weekday:
        row[INDEX[f"weekday_{WEEKDAYS[weekday - 1]}"]] = 1.0
    if record.timed:
        row[INDEX["starts_early"]] = float(record.starts_at.hour < 10)
        row[INDEX["starts_late"]] = float(record.starts_at.hour >= 17)
    # Booked before the working day starts: in the evaluation file, bookings
    # made then (at the counter, after a visit) are kept more often.
    row[INDEX["booked_early"]] = float(record.created_at.hour < BOOKED_EARLY_HOUR)
    evidence = decayed(customer.evidence, record.created_at, half_life)
    visits = evidence.count("paid_visits") + record.previous_visits
    no_shows = evidence.count("no_shows") + record.previous_no_shows
    known = visits + no_shows + evidence.count("late_cancellations")
    booked_before = customer.bookings + record.previous_visits + record.previous_no_shows
    # Visits without a booking (walk-ins on a tab) are history too.
    row[INDEX["first_visit"]] = float(booked_before == 0 and known == 0)
    row[INDEX["bookings_before_log"]] = math.log1p(booked_before)
    row[INDEX["pending_log"]] = math.log1p(customer.pending)
    row[INDEX["same_day_others"]] = float(min(same_day_others, 3))
    if customer.last_booked is not None:
        days = max((record.created_at - customer.last_booked).total_seconds(), 0) / 86_400
        row[INDEX["days_since_last_log"]] = math.log1p(days)
    tallies = evidence.tallies
    row[INDEX["faded_visits"]] = (
        tallies["paid_visits"].remembered if "paid_visits" in tallies else 0.0
    ) + record.previous_visits
    row[INDEX["faded_no_shows"]] = (
        tallies["no_shows"].remembered if "no_shows" in tallies else 0.0
    ) + record.previous_no_shows
    row[INDEX["faded_late_cancels"]] = (
        tallies["late_cancellations"].remembered if "late_cancellations" in tallies else 0.0
    )
    row[INDEX["no_show_rate"]] = (no_shows + RATE_PRIOR_MEAN * RATE_PRIOR_WEIGHT) / (
        known + RATE_PRIOR_WEIGHT
    )
    if record.price:
        row[INDEX["price_log"]] = math.log1p(record.price / 100)
    return row, evidence


def _trust(
    evidence: Evidence, record: BookingRecord, prior: Prior, th: Thresholds
) -> tuple[float, Tier]:
    """The trust estimator's score and tier, with imported history counted in."""
    good = evidence.good + record.previous_visits
    bad = evidence.bad + record.previous_no_shows
    value = (prior.good + good) / (prior.good + prior.bad + good + bad)
    return value, tier_for(value, evidence.count("paid_visits") + record.previous_visits, th)


def walk(
    records: Sequence[BookingRecord],
    *,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    prior: Prior | None = None,
    thresholds: Thresholds | None = None,
    no_shows_before_deposit: int = 2,
) -> Walked:
    """Features of every booking, in the order they were made (one pass)."""
    prior = prior or Prior()
    thresholds = thresholds or Thresholds()
    ordered = sorted(records, key=lambda r: (r.created_at, r.booking_id))
    customers: dict[str, CustomerState] = defaultdict(CustomerState)
    same_day: dict[tuple[str, date], int] = defaultdict(int)
    # Outcomes not yet known, by the day they become known.
    waiting: list[tuple[int, int]] = []
    rows: list[list[float]] = []
    rule: list[bool] = []
    tiers: list[Tier] = []
    scores: list[float] = []
    for i, record in enumerate(ordered):
        today = record.created_at.date().toordinal()
        while waiting and waiting[0][0] < today:
            _, j = heapq.heappop(waiting)
            _apply(customers[ordered[j].customer_id], ordered[j], half_life_days)
        customer = customers[record.customer_id]
        key = (record.customer_id, record.starts_at.date())
        row, evidence = booking_features(record, customer, same_day[key], half_life_days)
        rows.append(row)
        trust, tier = _trust(evidence, record, prior, thresholds)
        tiers.append(tier)
        scores.append(trust)
        no_shows = evidence.count("no_shows") + record.previous_no_shows
        rule.append(tier in (Tier.NEW, Tier.RESTRICTED) or no_shows >= no_shows_before_deposit)
        customer.bookings += 1
        customer.pending += 1
        customer.last_booked = record.created_at
        same_day[key] += 1
        heapq.heappush(waiting, (record.known_on.date().toordinal(), i))
    return Walked(
        records=list(ordered),
        x=np.array(rows, dtype=np.float64).reshape(len(ordered), len(FEATURES)),
        y=np.array([target(r) for r in ordered], dtype=np.int8),
        made_on=np.array([r.created_at.date().toordinal() for r in ordered], dtype=np.int64),
        known_on=np.array([r.known_on.date().toordinal() for r in ordered], dtype=np.int64),
        rule_asks=np.array(rule, dtype=np.bool_),
        tiers=tiers,
        trust=np.array(scores, dtype=np.float64),
    )

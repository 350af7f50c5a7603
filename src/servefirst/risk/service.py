"""The risk model in the database: the merchant's history, its fitted models,
the decision when a booking is made, and history imported from elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from servefirst.bookings import repository as bookings
from servefirst.bookings.deposit_policy import merchant_deposit_policy
from servefirst.bookings.rules import BookingStatus, DepositDecision, DepositPolicy, decide_deposit
from servefirst.db.uow import UnitOfWork
from servefirst.kit.clock import as_utc
from servefirst.merchants.service import merchant_zone
from servefirst.risk.models import ImportedBooking, RiskModelRow
from servefirst.risk.records import BookingRecord, Outcome
from servefirst.trust.rules import Tier
from servefirst.trust.service import evidence_of, policy_for

if TYPE_CHECKING:
    from servefirst.bookings.models import Booking
    from servefirst.customers.models import Customer
    from servefirst.risk.features import CustomerState
    from servefirst.risk.model import RiskModel
    from servefirst.risk.simulate import Simulation

# The model's modules (numpy, scikit-learn) are imported where they are used, so
# the server starts without them: a first booking or refit loads them.

#: The server refits a merchant's model when the one in force is this old.
REFIT_EVERY = timedelta(days=1)


def current_model(uow: UnitOfWork) -> RiskModel:
    from servefirst.risk.model import DEFAULT, RiskModel

    row = uow.session.scalar(
        select(RiskModelRow)
        .where(RiskModelRow.merchant_id == uow.merchant)
        .order_by(RiskModelRow.fitted_at.desc(), RiskModelRow.version.desc())
        .limit(1)
    )
    return DEFAULT if row is None else RiskModel.from_dict(row.body)


def _outcome(booking: Booking) -> Outcome | None:
    status = BookingStatus(booking.status)
    if status is BookingStatus.CHECKED_IN:
        return Outcome.SHOWED
    if status is BookingStatus.NO_SHOW:
        return Outcome.NO_SHOW
    if status is BookingStatus.CANCELLED:
        late = (booking.outcome_reason or "").startswith(("Cancelled less", "Late cancellation"))
        return Outcome.LATE_CANCELLED if late else Outcome.CANCELLED
    return None


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """The model reads hours, weekdays and day counts as the merchant's clock on
    the wall shows them: a booking made at 23:00 in Lisbon was made late, not early."""
    return as_utc(moment).astimezone(zone)


def history(uow: UnitOfWork) -> list[BookingRecord]:
    """The merchant's bookings as the model sees them: imported ones, then its own."""
    zone = merchant_zone(uow)
    records = [
        BookingRecord(
            booking_id=i.booking_id,
            customer_id=i.customer_id,
            created_at=_local(i.created_at, zone),
            starts_at=_local(i.starts_at, zone),
            outcome=Outcome(i.outcome) if i.outcome else None,
            price=i.price,
            service=i.service,
            staff=i.staff,
            previous_visits=i.previous_visits,
            previous_no_shows=i.previous_no_shows,
            previous_cancellations=i.previous_cancellations,
        )
        for i in uow.session.scalars(
            select(ImportedBooking).where(ImportedBooking.merchant_id == uow.merchant)
        )
    ]
    for b in bookings.every_booking(uow):
        records.append(
            BookingRecord(
                booking_id=b.booking_id,
                customer_id=b.customer_id,
                created_at=_local(b.created_at, zone),
                starts_at=_local(b.starts_at, zone),
                outcome=_outcome(b),
                price=b.price,
                service=b.service_id,
                staff=b.staff_id,
            )
        )
    return records


def refit(uow: UnitOfWork) -> RiskModel:
    """Fit the merchant's model on its history, shrunk to the default, and keep it."""
    from servefirst.risk.evaluate import fit_records
    from servefirst.risk.features import walk
    from servefirst.risk.model import DEFAULT

    records = history(uow)
    model = fit_records(walk(records)) if records else DEFAULT
    if uow.session.get(RiskModelRow, (uow.merchant, model.version)) is None:
        uow.session.add(
            RiskModelRow(
                merchant_id=uow.merchant,
                version=model.version,
                fitted_at=uow.clock.now(),
                rows=model.rows,
                body=model.as_dict(),
            )
        )
    else:  # the same history again: the same model, now fitted again
        uow.session.get_one(RiskModelRow, (uow.merchant, model.version)).fitted_at = uow.clock.now()
    uow.session.flush()
    return model


def refit_if_due(uow: UnitOfWork, every: timedelta = REFIT_EVERY) -> RiskModel | None:
    """The server's schedule: refit when the newest model is older than ``every``."""
    newest = uow.session.scalar(
        select(func.max(RiskModelRow.fitted_at)).where(RiskModelRow.merchant_id == uow.merchant)
    )
    if newest is not None and uow.clock.now() - newest < every:
        return None
    return refit(uow)


def _state(uow: UnitOfWork, customer: Customer, now: datetime) -> CustomerState:
    from servefirst.risk.features import CustomerState

    count, last, pending = bookings.bookings_made_by(uow, customer.customer_id, now)
    return CustomerState(
        evidence=evidence_of(customer),
        bookings=count,
        pending=pending,
        last_booked=as_utc(last) if last is not None else None,
    )


def _same_day(uow: UnitOfWork, customer_id: str, starts_at: datetime) -> int:
    """The customer's other bookings on the slot's day, counted in the merchant's zone
    (`starts_at` is local); the day's bounds go to the database in UTC."""
    local_day = starts_at.replace(hour=0, minute=0, second=0, microsecond=0)
    day, next_day = local_day.astimezone(UTC), (local_day + timedelta(days=1)).astimezone(UTC)
    return bookings.kept_bookings_between(uow, customer_id, day, next_day)


def decide_by_risk(
    uow: UnitOfWork,
    policy: DepositPolicy,
    *,
    customer: Customer,
    tier: Tier,
    price: int,
    starts_at: datetime,
) -> DepositDecision:
    """Whether this booking leaves a deposit: the tiers always asked, then the model."""
    from servefirst.risk import decision as risk_decision
    from servefirst.risk.features import booking_features, lead_days

    trust_policy = policy_for(uow)
    always = frozenset(
        {t for t in Tier if trust_policy.rule(t).deposit_required} | set(policy.required_for)
    )
    ruled = decide_deposit(
        policy, price=price, tier=tier, no_shows=customer.no_shows, required_for=always
    )
    if ruled.required or not policy.enabled or policy.deposit_amount(price) == 0:
        return ruled
    now = uow.clock.now()
    zone = merchant_zone(uow)
    record = BookingRecord(
        "new", customer.customer_id, _local(now, zone), _local(starts_at, zone), None, price=price
    )
    row, evidence = booking_features(
        record,
        _state(uow, customer, now),
        _same_day(uow, customer.customer_id, record.starts_at),
        trust_policy.half_life_days,
    )
    facts = {
        "lead_days": lead_days(record),
        "no_shows": evidence.count("no_shows"),
        "visits": evidence.count("paid_visits"),
    }
    model = current_model(uow)
    made = risk_decision.decide(
        model,
        row,
        price=price,
        facts=facts,
        ask_share=float(policy.ask_share),
        loss_threshold=policy.loss_threshold,
    )
    amount = policy.deposit_amount(price) if made.ask else 0
    return DepositDecision(
        made.ask, amount, policy.mode, made.reason, made.probability, made.model_version
    )


def simulate_history(uow: UnitOfWork, loss_threshold: int | None = None) -> Simulation:
    """The merchant's history under other deposit policies (its own policy's amounts)."""
    from servefirst.risk.evaluate import walk_forward
    from servefirst.risk.features import walk
    from servefirst.risk.simulate import simulate

    walked = walk(history(uow))
    scores, _ = walk_forward(walked)
    return simulate(walked, scores, merchant_deposit_policy(uow), loss_threshold=loss_threshold)


def export_records(uow: UnitOfWork) -> list[BookingRecord]:
    return sorted(history(uow), key=lambda r: (r.created_at, r.booking_id))


def import_records(uow: UnitOfWork, records: list[BookingRecord]) -> tuple[int, int]:
    """Keep past bookings from another system; returns (added, already there)."""
    known = set(
        uow.session.scalars(
            select(ImportedBooking.booking_id).where(ImportedBooking.merchant_id == uow.merchant)
        )
    ) | bookings.ids_of_every_booking(uow)
    added = 0
    for r in records:
        if r.booking_id in known:
            continue
        known.add(r.booking_id)
        uow.session.add(
            ImportedBooking(
                merchant_id=uow.merchant,
                booking_id=r.booking_id,
                customer_id=r.customer_id,
                created_at=r.created_at,
                starts_at=r.starts_at,
                outcome=r.outcome.value if r.outcome else None,
                price=r.price,
                service=r.service,
                staff=r.staff,
                previous_visits=r.previous_visits,
                previous_no_shows=r.previous_no_shows,
                previous_cancellations=r.previous_cancellations,
            )
        )
        added += 1
    uow.session.flush()
    return added, len(records) - added

"""One booking as the risk model sees it, and the two history files it reads.

``bookings`` is servefirst's own history CSV (``servefirst export bookings``);
``noshow`` is the layout of the public "Medical Appointment No Shows" data,
read only for evaluation and only the columns a business may fairly use: who
the customer is (age, gender, neighbourhood, health, welfare) is never read,
nor the reminder (it is sent after the booking is made).

Bad input raises ``HistoryFileError`` with a message a person can act on.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TextIO


class HistoryFileError(ValueError):
    """The file cannot be read as booking history; the message says why."""


class Outcome(StrEnum):
    SHOWED = "showed"  # checked in
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"  # in time: costs the business nothing
    LATE_CANCELLED = "late_cancelled"  # inside the policy's window

    @property
    def missed(self) -> bool:
        """What a deposit protects against: the slot was lost."""
        return self in (Outcome.NO_SHOW, Outcome.LATE_CANCELLED)


FORMATS = ("noshow", "bookings")

BOOKINGS_COLUMNS = ("booking_id", "customer_id", "created_at", "starts_at", "outcome")
BOOKINGS_OPTIONAL = (
    "price",
    "service",
    "staff",
    "previous_visits",
    "previous_no_shows",
    "previous_cancellations",
)
NOSHOW_COLUMNS = ("PatientId", "AppointmentID", "ScheduledDay", "AppointmentDay", "No-show")


@dataclass(frozen=True)
class BookingRecord:
    booking_id: str
    customer_id: str
    created_at: datetime
    starts_at: datetime
    #: None while the booking has not happened yet.
    outcome: Outcome | None
    price: int | None = None
    service: str | None = None
    staff: str | None = None
    #: History imported from another system, as it stood at this booking.
    previous_visits: int = 0
    previous_no_shows: int = 0
    previous_cancellations: int = 0
    #: The file says what hour the slot starts (the noshow data has dates only).
    timed: bool = True

    @property
    def known_on(self) -> datetime:
        """When the outcome is known: at the slot (a cancellation's own time is
        not in the file, so it counts from the slot too, the cautious choice)."""
        return self.starts_at


def _when(value: str, line: int, column: str) -> datetime:
    text = value.strip()
    if not text:
        raise HistoryFileError(f"line {line}: {column} is empty.")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise HistoryFileError(
            f"line {line}: {column} {text!r} is not an ISO 8601 date and time."
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _count(value: str | None, line: int, column: str) -> int:
    if value is None or not value.strip():
        return 0
    try:
        number = int(value)
    except ValueError:
        raise HistoryFileError(f"line {line}: {column} {value!r} is not a whole number.") from None
    if number < 0:
        raise HistoryFileError(f"line {line}: {column} cannot be negative.")
    return number


def _rows(stream: TextIO, required: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(stream)
    columns = reader.fieldnames or []
    missing = [c for c in required if c not in columns]
    if missing:
        hint = next(
            (
                f" It looks like the {name} format: try --format {name}."
                for name, needs in (("noshow", NOSHOW_COLUMNS), ("bookings", BOOKINGS_COLUMNS))
                if tuple(required) != needs and all(c in columns for c in needs)
            ),
            "",
        )
        raise HistoryFileError(
            f"the file has no column {', '.join(missing)}"
            f" (it has: {', '.join(columns) or 'no header'}).{hint}"
        )
    try:
        for number, row in enumerate(reader, start=2):
            if None in row:
                raise HistoryFileError(f"line {number}: more fields than the header has.")
            if any(value is None for value in row.values()):
                raise HistoryFileError(
                    f"line {number}: fewer fields than the header has (is the file cut short?)."
                )
            yield number, row
    except csv.Error as exc:
        raise HistoryFileError(f"the file is not a readable CSV: {exc}.") from None


def read_bookings(stream: TextIO) -> list[BookingRecord]:
    records: list[BookingRecord] = []
    for line, row in _rows(stream, BOOKINGS_COLUMNS):
        raw = (row.get("outcome") or "").strip()
        try:
            outcome = Outcome(raw) if raw else None
        except ValueError:
            raise HistoryFileError(
                f"line {line}: outcome {raw!r} is not one of"
                f" {', '.join(o.value for o in Outcome)} (or empty)."
            ) from None
        price = (row.get("price") or "").strip()
        records.append(
            BookingRecord(
                booking_id=row["booking_id"],
                customer_id=row["customer_id"],
                created_at=_when(row["created_at"], line, "created_at"),
                starts_at=_when(row["starts_at"], line, "starts_at"),
                outcome=outcome,
                price=_count(price, line, "price") if price else None,
                service=(row.get("service") or None),
                staff=(row.get("staff") or None),
                previous_visits=_count(row.get("previous_visits"), line, "previous_visits"),
                previous_no_shows=_count(row.get("previous_no_shows"), line, "previous_no_shows"),
                previous_cancellations=_count(
                    row.get("previous_cancellations"), line, "previous_cancellations"
                ),
            )
        )
    return records


def read_noshow(stream: TextIO) -> list[BookingRecord]:
    records: list[BookingRecord] = []
    for line, row in _rows(stream, NOSHOW_COLUMNS):
        flag = row["No-show"].strip()
        if flag not in ("Yes", "No"):
            raise HistoryFileError(f"line {line}: No-show {flag!r} is neither Yes nor No.")
        records.append(
            BookingRecord(
                booking_id=row["AppointmentID"],
                customer_id=row["PatientId"],
                created_at=_when(row["ScheduledDay"], line, "ScheduledDay"),
                starts_at=_when(row["AppointmentDay"], line, "AppointmentDay"),
                outcome=Outcome.NO_SHOW if flag == "Yes" else Outcome.SHOWED,
                timed=False,
            )
        )
    return records


def read_history(stream: TextIO, fmt: str) -> list[BookingRecord]:
    if fmt == "bookings":
        return read_bookings(stream)
    if fmt == "noshow":
        return read_noshow(stream)
    raise HistoryFileError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")


def write_bookings(records: Iterable[BookingRecord], stream: TextIO) -> int:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(BOOKINGS_COLUMNS + BOOKINGS_OPTIONAL)
    written = 0
    for r in records:
        writer.writerow(
            [
                r.booking_id,
                r.customer_id,
                r.created_at.isoformat(),
                r.starts_at.isoformat(),
                r.outcome.value if r.outcome else "",
                "" if r.price is None else r.price,
                r.service or "",
                r.staff or "",
                r.previous_visits,
                r.previous_no_shows,
                r.previous_cancellations,
            ]
        )
        written += 1
    return written

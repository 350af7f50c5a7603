"""Free times as pure arithmetic: what is offered never collides with a
booking, its buffer or time off; every gap long enough offers something; and
days the clocks change have as many slots as they have hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servefirst.availability.hours import BookingSettings, WorkingHours, parse_hours
from servefirst.availability.rules import (
    Ask,
    Booked,
    check_bookable,
    free_slots,
    offer,
    working_spans,
)
from servefirst.kit.errors import Conflict, InvalidRequest

ZONES = [ZoneInfo(z) for z in ("UTC", "Europe/Lisbon", "America/New_York", "Australia/Lord_Howe")]
#: Days around each zone's clock changes in 2026, and plain days.
DAYS = [
    date(2026, 3, 8), date(2026, 3, 29), date(2026, 4, 5), date(2026, 10, 4),
    date(2026, 10, 25), date(2026, 11, 1), date(2026, 6, 15), date(2026, 12, 24),
]  # fmt: skip
OPEN = BookingSettings(slot_minutes=15, min_notice_minutes=0, max_days_ahead=365)


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def day_ranges(draw: st.DrawFn) -> list[tuple[int, int]]:
    bounds = sorted(draw(st.sets(st.integers(0, 288).map(lambda m: m * 5), max_size=8)))
    return [(a, b) for a, b in zip(bounds[::2], bounds[1::2], strict=False) if b > a]


@st.composite
def scenes(draw: st.DrawFn) -> tuple[WorkingHours, date, Ask, list[Booked]]:
    zone = draw(st.sampled_from(ZONES))
    day = draw(st.sampled_from(DAYS))
    ranges = draw(day_ranges())
    off = draw(st.booleans()) and draw(st.booleans())
    hours = WorkingHours(
        weekly={day.weekday(): tuple(ranges)},
        exceptions={day + timedelta(days=1): ()} if off else {},
        services=frozenset({"svc"}),
    )
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    booked = [
        Booked(start, start + timedelta(minutes=length), timedelta(minutes=buffer))
        for start, length, buffer in draw(
            st.lists(
                st.tuples(
                    st.integers(-120, 26 * 60).map(lambda m: midnight + timedelta(minutes=m)),
                    st.integers(5, 180),
                    st.sampled_from([0, 0, 5, 10, 15, 30]),
                ),
                max_size=6,
            )
        )
    ]
    ask = Ask(
        duration=timedelta(minutes=draw(st.integers(5, 120))),
        buffer=timedelta(minutes=draw(st.sampled_from([0, 5, 10, 15]))),
        settings=BookingSettings(
            slot_minutes=draw(st.sampled_from([5, 10, 15, 20, 30, 60])),
            min_notice_minutes=0,
            max_days_ahead=365,
        ),
        zone=zone,
        now=midnight - timedelta(days=2),
    )
    return hours, day, ask, booked


@settings(max_examples=400, deadline=None)
@given(scenes())
def test_no_offered_time_collides_with_a_booking_a_buffer_or_time_off(
    scene: tuple[WorkingHours, date, Ask, list[Booked]],
) -> None:
    hours, day, ask, booked = scene
    spans = working_spans(hours, day, ask.zone)
    for start in free_slots(hours, day, ask, booked):
        end = start + ask.duration
        assert any(a <= start and end <= b for a, b in spans), "outside working hours"
        for other in booked:
            # The service stays out of every booking and the buffer after it...
            assert end <= other.start or other.end + other.buffer <= start
            # ...and its own buffer out of every booking.
            assert end + ask.buffer <= other.start or other.end <= start
    # The day off offers nothing at all.
    for off_day in hours.exceptions:
        assert free_slots(hours, off_day, ask, booked) == []


@settings(max_examples=300, deadline=None)
@given(scenes())
def test_every_offered_time_can_be_booked(
    scene: tuple[WorkingHours, date, Ask, list[Booked]],
) -> None:
    """What the availability route offers, the booking route accepts."""
    hours, day, ask, booked = scene
    for start in free_slots(hours, day, ask, booked):
        check_bookable(start, ask, hours, booked, "ana")


@settings(max_examples=150, deadline=None)
@given(scenes())
def test_only_an_offered_time_can_be_booked(
    scene: tuple[WorkingHours, date, Ask, list[Booked]],
) -> None:
    """The other way round: a time sent by hand between the offered ones
    (09:31 on a 15-minute grid) is refused, whatever the day's bookings."""
    hours, day, ask, booked = scene
    offered = set(free_slots(hours, day, ask, booked))
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=ask.zone).astimezone(UTC)
    for minute in range(0, 24 * 60):
        start = midnight + timedelta(minutes=minute)
        if start.astimezone(ask.zone).date() != day:
            continue
        try:
            check_bookable(start, ask, hours, booked, "ana")
        except (InvalidRequest, Conflict):
            assert start not in offered
        else:
            assert start in offered, start


def test_a_start_between_the_steps_is_refused_but_staff_may_take_it() -> None:
    zone = ZoneInfo("Europe/Lisbon")
    day = date(2026, 6, 15)
    hours = WorkingHours(weekly={day.weekday(): ((540, 780),)}, services=frozenset({"svc"}))
    ask = Ask(
        duration=timedelta(minutes=20),
        buffer=timedelta(minutes=10),
        settings=OPEN,
        zone=zone,
        now=datetime(2026, 6, 1, tzinfo=UTC),
    )

    def at(clock: str) -> datetime:
        hour, minute = map(int, clock.split(":"))
        return datetime(2026, 6, 15, hour, minute, tzinfo=zone)

    with pytest.raises(InvalidRequest) as refused:
        check_bookable(at("09:31"), ask, hours, [], "ana")
    assert refused.value.code == "slot_off_grid" and refused.value.param == "starts_at"
    assert refused.value.figures == {"step": 15, "opens": "09:00", "asked": "09:31"}
    check_bookable(at("09:31"), ask, hours, [], "ana", any_start=True)
    check_bookable(at("09:45"), ask, hours, [], "ana")
    # A booking 10:02-10:22 kept free 10 minutes after opens 10:32: off the
    # grid, yet offered, so bookable; the minute after it is not.
    booked = [Booked(at("10:02"), at("10:22"), timedelta(minutes=10))]
    assert at("10:32") in free_slots(hours, day, ask, booked)
    check_bookable(at("10:32"), ask, hours, booked, "ana")
    with pytest.raises(InvalidRequest):
        check_bookable(at("10:33"), ask, hours, booked, "ana")


def gaps(
    spans: list[tuple[datetime, datetime]], booked: list[Booked]
) -> list[tuple[datetime, datetime]]:
    """The free stretches of working time, worked out the long way."""
    found = []
    for a, b in spans:
        cursor = a
        for other in sorted(booked, key=lambda x: x.start):
            if other.end + other.buffer <= cursor or other.start >= b:
                continue
            if other.start > cursor:
                found.append((cursor, other.start))
            cursor = max(cursor, other.end + other.buffer)
        if cursor < b:
            found.append((cursor, b))
    return found


@settings(max_examples=400, deadline=None)
@given(scenes())
def test_every_gap_long_enough_for_the_service_offers_a_time(
    scene: tuple[WorkingHours, date, Ask, list[Booked]],
) -> None:
    hours, day, ask, booked = scene
    offered = free_slots(hours, day, ask, booked)
    for a, b in gaps(working_spans(hours, day, ask.zone), booked):
        if b - a >= ask.duration + ask.buffer:
            assert any(a <= t and t + ask.duration <= b for t in offered), (a, b, offered)


@pytest.mark.parametrize(
    ("zone", "day", "slots"),
    [
        ("Europe/Lisbon", date(2026, 3, 28), 24),
        ("Europe/Lisbon", date(2026, 3, 29), 23),  # clocks forward: 01:00 becomes 02:00
        ("Europe/Lisbon", date(2026, 10, 25), 25),  # clocks back: 02:00 becomes 01:00
        ("America/New_York", date(2026, 3, 8), 23),
        ("America/New_York", date(2026, 11, 1), 25),
        ("Australia/Lord_Howe", date(2026, 4, 5), 49),  # half an hour back, in half hours
        ("UTC", date(2026, 3, 29), 24),
    ],
)
def test_a_day_the_clocks_change_has_as_many_hourly_slots_as_hours(
    zone: str, day: date, slots: int
) -> None:
    step = 30 if zone == "Australia/Lord_Howe" else 60
    hourly = BookingSettings(slot_minutes=step, min_notice_minutes=0, max_days_ahead=365)
    weekday = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][day.weekday()]
    hours = parse_hours({weekday: [["00:00", "24:00"]]}, [], [], [])
    ask = Ask(timedelta(minutes=step), timedelta(), hourly, ZoneInfo(zone),
              datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    offered = free_slots(hours, day, ask, [])
    assert len(offered) == slots
    assert all(
        (b - a) == timedelta(minutes=step) for a, b in zip(offered, offered[1:], strict=False)
    )


def test_a_salon_day_across_the_change_keeps_its_wall_clock_hours() -> None:
    """09:00-18:00 on the Sunday the clocks go forward is still nine hours
    from nine o'clock, not from ten."""
    hours = parse_hours({"sun": [["09:00", "18:00"]]}, [], [], [])
    ask = Ask(timedelta(minutes=60), timedelta(), OPEN, ZoneInfo("Europe/Lisbon"),
              datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    offered = free_slots(hours, date(2026, 3, 29), ask, [])
    walls = [t.astimezone(ZoneInfo("Europe/Lisbon")).strftime("%H:%M") for t in offered]
    assert walls[0] == "09:00" and walls[-1] == "17:00" and len(walls) == 33


def test_minimum_notice_and_days_ahead_bound_what_is_offered() -> None:
    hours = parse_hours({d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
                        [], [], [])  # fmt: skip
    now = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)  # a Monday
    rules = BookingSettings(slot_minutes=15, min_notice_minutes=120, max_days_ahead=1)
    ask = Ask(timedelta(minutes=30), timedelta(), rules, ZoneInfo("UTC"), now)
    today = free_slots(hours, date(2026, 6, 15), ask, [])
    assert today[0] == datetime(2026, 6, 15, 11, 0, tzinfo=UTC)
    assert free_slots(hours, date(2026, 6, 16), ask, [])
    assert free_slots(hours, date(2026, 6, 17), ask, []) == []


def test_anyone_spreads_times_to_the_less_busy_person() -> None:
    hours = parse_hours({"mon": [["09:00", "10:00"]]}, [], ["svc"], ["svc"])
    ask = Ask(timedelta(minutes=30), timedelta(), OPEN, ZoneInfo("UTC"),
              datetime(2026, 6, 1, tzinfo=UTC))  # fmt: skip
    busy = [Booked(datetime(2026, 6, 15, 12, tzinfo=UTC), datetime(2026, 6, 15, 13, tzinfo=UTC))]
    slots = offer([date(2026, 6, 15)], ask, {"ana": hours, "bea": hours}, {"ana": busy})
    assert {s.staff_id for s in slots} == {"bea"}
    assert len(slots) == 3  # 09:00, 09:15, 09:30: each once


@pytest.mark.parametrize(
    "weekly",
    [
        {"mon": [["09:00", "13:00"], ["12:59", "18:00"]]},
        {"mon": [["09:00", "25:00"]]},
        {"mon": [["13:00", "09:00"]]},
        {"mon": [["09:00", "09:00"]]},
        {"mon": [["09:60", "10:00"]]},
        {"mon": [["09:00"]]},
        {"funday": []},
    ],
)
def test_impossible_hours_are_refused(weekly: dict[str, object]) -> None:
    with pytest.raises(InvalidRequest):
        parse_hours(weekly, [], [], [])  # type: ignore[arg-type]


def test_hours_go_back_as_they_came() -> None:
    hours = parse_hours(
        {"mon": [["14:00", "18:00"], ["09:00", "13:00"]], "sat": [["10:00", "24:00"]]},
        [
            {"date": "2026-12-24", "hours": []},
            {"date": "2026-12-31", "hours": [["09:00", "12:00"]]},
        ],
        ["svc_b", "svc_a"],
        ["svc_a", "svc_b"],
    )
    assert hours.as_json() == {
        "weekly": {"mon": [["09:00", "13:00"], ["14:00", "18:00"]], "sat": [["10:00", "24:00"]]},
        "exceptions": [
            {"date": "2026-12-24", "hours": []},
            {"date": "2026-12-31", "hours": [["09:00", "12:00"]]},
        ],
        "services": ["svc_a", "svc_b"],
    }
    assert clock(0) == "00:00"

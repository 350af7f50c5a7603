"""The availability answer is written without a model per slot; it must stay
byte for byte what its response model (the one in the schema) would send."""

from __future__ import annotations

from datetime import UTC, datetime

from servefirst.availability.schemas import AvailabilityOut, SlotOut

TIMES = [
    datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # Lisbon's clocks go forward that night
    datetime(2026, 10, 25, 1, 15, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 45, tzinfo=UTC),
    datetime(2027, 1, 1, 9, 0, 7, tzinfo=UTC),  # a booking's end, on the second
]


def test_the_answer_is_what_its_response_model_would_send() -> None:
    times = [(int(t.timestamp()), f"stf_{n}") for n, t in enumerate(TIMES)]
    model = AvailabilityOut(
        service_id="svc_ünï",
        timezone="Europe/Lisbon",
        slots=[
            SlotOut(starts_at=t, staff_id=who) for t, (_, who) in zip(TIMES, times, strict=True)
        ],
    )
    built = AvailabilityOut.json_bytes("svc_ünï", "Europe/Lisbon", times)
    assert built == model.model_dump_json(by_alias=True).encode()


def test_no_free_time_is_an_empty_list() -> None:
    empty = AvailabilityOut(service_id="svc", timezone="UTC", slots=[])
    assert AvailabilityOut.json_bytes("svc", "UTC", []) == empty.model_dump_json().encode()

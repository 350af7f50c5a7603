"""What the risk commands make of bad history files, and the booking-time
factors added for issue 23's targets. Files here are made by the tests."""

from __future__ import annotations

import csv
import gzip
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servefirst.cli import main
from servefirst.risk import model as risk_model
from servefirst.risk.features import INDEX, walk
from servefirst.risk.records import (
    BOOKINGS_COLUMNS,
    NOSHOW_COLUMNS,
    BookingRecord,
    HistoryFileError,
    Outcome,
    read_history,
)

NOSHOW_HEADER = ",".join(NOSHOW_COLUMNS)
NOSHOW_ROWS = (
    "1,11,2026-04-20T07:30:00Z,2026-04-29T00:00:00Z,No\n"
    "2,12,2026-04-21T14:10:00Z,2026-04-29T00:00:00Z,Yes\n"
    "3,13,2026-04-29T09:00:00Z,2026-04-29T00:00:00Z,No\n"
    "1,14,2026-05-02T10:00:00Z,2026-05-09T00:00:00Z,Yes\n"
)


def evaluate_file(path: Path, fmt: str = "noshow") -> tuple[int, str]:
    result = CliRunner().invoke(main, ["risk", "evaluate", str(path), "--format", fmt, "--json"])
    return result.exit_code, result.output


# --- bad files: a message that says what is wrong, exit code 2, never a traceback -------


def test_a_file_cut_short_says_so(tmp_path: Path) -> None:
    cut = tmp_path / "cut.csv"
    cut.write_text(NOSHOW_HEADER + "\n" + NOSHOW_ROWS + "4,15,2026-05-02T10:00:00Z\n")
    code, output = evaluate_file(cut)
    assert code == 2
    assert "line 6: fewer fields than the header has" in output
    assert "Traceback" not in output


def test_a_broken_gzip_file_is_named_not_a_traceback(tmp_path: Path) -> None:
    whole = gzip.compress((NOSHOW_HEADER + "\n" + NOSHOW_ROWS).encode())
    broken = tmp_path / "history.csv.gz"
    broken.write_bytes(whole[:-8])
    code, output = evaluate_file(broken)
    assert code == 2 and "is not a complete gzip file" in output
    fake = tmp_path / "plain.csv.gz"
    fake.write_text(NOSHOW_HEADER + "\n")
    code, output = evaluate_file(fake)
    assert code == 2 and "is not a complete gzip file" in output


def test_a_file_that_is_not_text_is_refused_clearly(tmp_path: Path) -> None:
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)))
    code, output = evaluate_file(binary, "bookings")
    assert code == 2 and "is not UTF-8 text" in output
    result = CliRunner().invoke(
        main, ["risk", "score", str(binary), "--model", str(binary), "--format", "bookings"]
    )
    assert result.exit_code == 2 and "not a servefirst risk model" in result.output


def test_the_wrong_format_suggests_the_right_one(tmp_path: Path) -> None:
    noshow = tmp_path / "noshow.csv"
    noshow.write_text(NOSHOW_HEADER + "\n" + NOSHOW_ROWS)
    code, output = evaluate_file(noshow, "bookings")
    assert code == 2 and "try --format noshow" in output
    bookings = tmp_path / "bookings.csv"
    bookings.write_text(",".join(BOOKINGS_COLUMNS) + "\n")
    code, output = evaluate_file(bookings, "noshow")
    assert code == 2 and "try --format bookings" in output


_field = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fmt=st.sampled_from(["noshow", "bookings"]),
    rows=st.lists(st.lists(_field, min_size=0, max_size=7), max_size=4),
)
def test_any_rows_under_the_header_are_read_or_refused_in_words(
    fmt: str, rows: list[list[str]]
) -> None:
    header = NOSHOW_COLUMNS if fmt == "noshow" else BOOKINGS_COLUMNS
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    try:
        records = read_history(io.StringIO(out.getvalue()), fmt)
    except HistoryFileError as exc:
        assert str(exc)
    else:
        assert len(records) == len([r for r in rows if r != []])


# --- booked early: a booking-time factor, said in words ---------------------------------


def _booked_at(hour: int) -> BookingRecord:
    made = datetime(2026, 3, 2, hour, 15, tzinfo=UTC)
    return BookingRecord("b1", "c1", made, made + timedelta(days=10), Outcome.SHOWED)


@given(hour=st.integers(min_value=0, max_value=23))
def test_booked_early_is_set_only_before_eight(hour: int) -> None:
    row = walk([_booked_at(hour)]).x[0]
    assert row[INDEX["booked_early"]] == (1.0 if hour < 8 else 0.0)


def test_an_early_booking_says_so_in_its_factors() -> None:
    model = risk_model.RiskModel("test-1", -1.0, {"booked_early": -0.7, "lead_log": 0.4}, rows=100)
    early = walk([_booked_at(7)]).x[0]
    late = walk([_booked_at(11)]).x[0]
    assert any(w.startswith("booked before 08:00") for w, _ in risk_model.factors(model, early))
    assert not any(w.startswith("booked before") for w, _ in risk_model.factors(model, late))
    assert model.probability(early) < model.probability(late)


def test_an_older_model_without_the_new_factor_still_loads() -> None:
    saved = risk_model.DEFAULT.as_dict()
    saved["coefficients"].pop("booked_early", None)
    loaded = risk_model.RiskModel.from_dict(saved)
    assert loaded.coefficients.get("booked_early", 0.0) == 0.0

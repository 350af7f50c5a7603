"""The no-show model's pure parts: metrics against hand-computed values, no
leakage in the features, the walk-forward evaluation and the deposit decision."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servefirst.risk import model as risk_model
from servefirst.risk.decision import always_asked, decide
from servefirst.risk.evaluate import evaluate, walk_forward
from servefirst.risk.features import FEATURES, INDEX, walk
from servefirst.risk.metrics import ask_top, auc, brier, covered, ece
from servefirst.risk.records import (
    BookingRecord,
    HistoryFileError,
    Outcome,
    read_bookings,
    read_history,
    write_bookings,
)
from servefirst.trust.rules import Tier

DAY0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def booking(
    n: int, customer: str, made: int, lead: int, outcome: Outcome | None, price: int = 4000
) -> BookingRecord:
    created = DAY0 + timedelta(days=made, minutes=n)
    return BookingRecord(
        f"b{n}", customer, created, created + timedelta(days=lead, hours=2), outcome, price=price
    )


# --- metrics, against values worked out by hand --------------------------------------


def test_auc_counts_pairs_and_ties_count_half() -> None:
    y = np.array([1, 0, 1, 0])
    # Pairs (missed, kept): (0.9, 0.1) right, (0.9, 0.4) right, (0.4, 0.1) right,
    # (0.4, 0.4) a tie: 3.5 of 4.
    assert auc(y, np.array([0.9, 0.1, 0.4, 0.4])) == pytest.approx(0.875)
    assert auc(y, np.array([0.1, 0.9, 0.2, 0.8])) == 0.0


def test_brier_is_the_mean_squared_gap() -> None:
    y = np.array([1, 0, 0, 1])
    p = np.array([0.8, 0.1, 0.5, 0.0])
    # (0.04 + 0.01 + 0.25 + 1.0) / 4
    assert brier(y, p) == pytest.approx(0.325)


def test_ece_weighs_each_bins_gap_by_its_size() -> None:
    y = np.array([0, 0, 1, 1, 1])
    p = np.array([0.12, 0.18, 0.15, 0.95, 1.0])
    # bin [0.1, 0.2): mean p 0.15, rate 1/3, 3 of 5: 0.6 * |0.15 - 0.3333| = 0.11
    # bin [0.9, 1.0]: mean p 0.975, rate 1, 2 of 5: 0.4 * 0.025 = 0.01
    assert ece(y, p) == pytest.approx(0.11 + 0.01)


def test_asking_a_share_asks_the_riskiest_and_counts_no_shows_covered() -> None:
    score = np.array([0.9, 0.1, 0.5, 0.3, 0.7])
    y = np.array([1, 1, 0, 0, 1])
    asked = ask_top(score, 0.4)
    assert asked.tolist() == [True, False, False, False, True]
    assert covered(y, asked) == pytest.approx(2 / 3)


# --- features: only outcomes known before the day the booking was made -------------


def test_a_same_day_no_show_is_not_known_to_a_booking_made_that_day() -> None:
    walked = walk(
        [
            booking(1, "ana", made=0, lead=0, outcome=Outcome.NO_SHOW),
            booking(2, "ana", made=0, lead=3, outcome=Outcome.SHOWED),
            booking(3, "ana", made=1, lead=3, outcome=Outcome.SHOWED),
        ]
    )
    first, same_day, next_day = walked.x
    assert same_day[INDEX["faded_no_shows"]] == 0
    assert same_day[INDEX["first_visit"]] == 0  # she has booked before, though
    assert next_day[INDEX["faded_no_shows"]] == pytest.approx(1.0, rel=0.01)
    assert first[INDEX["first_visit"]] == 1


history_rows = st.lists(
    st.tuples(
        st.sampled_from(["ana", "bea", "caio"]),
        st.integers(0, 20),
        st.integers(0, 10),
        st.sampled_from(list(Outcome)),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(history_rows, st.data())
def test_no_leakage_changing_later_outcomes_changes_no_earlier_features(
    rows: list[tuple[str, int, int, Outcome]], data: st.DataObject
) -> None:
    """A booking's features are the same whatever happened at slots on or after its day."""
    records = [booking(i, c, made, lead, o) for i, (c, made, lead, o) in enumerate(rows)]
    day = data.draw(st.integers(0, 21))
    cut = (DAY0 + timedelta(days=day)).date()
    flipped = [
        r
        if r.starts_at.date() < cut
        else BookingRecord(
            r.booking_id, r.customer_id, r.created_at, r.starts_at, Outcome.NO_SHOW, r.price
        )
        for r in records
    ]
    before, after = walk(records), walk(flipped)
    for i, record in enumerate(before.records):
        if record.created_at.date() <= cut:
            assert np.array_equal(before.x[i], after.x[i]), record


# --- the walk-forward evaluation -----------------------------------------------------


def synthetic(n_customers: int = 60, seed: int = 7) -> list[BookingRecord]:
    """Bookings made ahead miss more often, and some customers miss again."""
    rng = np.random.default_rng(seed)
    records: list[BookingRecord] = []
    n = 0
    for c in range(n_customers):
        flaky = rng.random() < 0.3
        for _ in range(int(rng.integers(1, 6))):
            lead = int(rng.choice([0, 1, 3, 10, 25]))
            p = 0.03 + 0.015 * lead + (0.3 if flaky else 0)
            outcome = Outcome.NO_SHOW if rng.random() < p else Outcome.SHOWED
            records.append(booking(n, f"c{c}", int(rng.integers(0, 40)), lead, outcome))
            n += 1
    return records


def test_each_day_is_scored_by_a_model_fit_only_on_outcomes_known_before_it() -> None:
    walked = walk(synthetic())
    scores, refits = walk_forward(walked)
    first_day = walked.made_on.min()
    # The first day knows no outcome: the hand-set default scores it alone.
    on_first = walked.made_on == first_day
    expected = risk_model.DEFAULT.probabilities(walked.x[on_first])
    assert np.allclose(scores[on_first], expected)
    assert 1 < refits <= len(np.unique(walked.made_on))
    # Changing outcomes known only from a day on changes no score before that day.
    day = int(np.median(walked.made_on))
    later = walked.known_on >= day
    flipped_y = walked.y.copy()
    flipped_y[later] = 1 - np.clip(flipped_y[later], 0, 1)
    from dataclasses import replace

    flipped, _ = walk_forward(replace(walked, y=flipped_y))
    before_day = walked.made_on <= day
    assert np.allclose(scores[before_day], flipped[before_day])


def test_the_evaluation_reports_the_model_and_todays_rule() -> None:
    result = evaluate(walk(synthetic()), share=0.3).as_dict()
    assert set(result) == {"rows", "no_show_rate", "model", "rule"}
    keys = {"auc", "brier", "ece", "asked_share", "covered_share"}
    assert set(result["model"]) == keys and set(result["rule"]) == keys
    assert result["model"]["asked_share"] == pytest.approx(0.3, abs=0.01)
    assert result["model"]["auc"] > 0.6  # lead time is a real signal here


# --- the model in words, and the decision -------------------------------------------


def row_for(lead: int, *, no_shows: float = 0.0, first: bool = True) -> list[float]:
    walked = walk([booking(1, "ana", made=0, lead=lead, outcome=None)])
    row = walked.x[0].tolist()
    row[INDEX["faded_no_shows"]] = no_shows
    row[INDEX["first_visit"]] = float(first)
    return row


def test_factors_are_said_in_words() -> None:
    words = risk_model.describe(risk_model.DEFAULT, row_for(21), {"lead_days": 21})
    assert words[0].startswith("booked 3 weeks ahead: no-shows are ")
    assert "times as likely" in words[0]
    same_day = risk_model.describe(risk_model.DEFAULT, row_for(0), {"lead_days": 0})
    assert all("ahead" not in w for w in same_day)


def test_a_risky_booking_is_asked_and_says_why_with_the_model_version() -> None:
    made = decide(risk_model.DEFAULT, row_for(30, no_shows=2), price=4000, facts={"no_shows": 2})
    assert made.ask and made.model_version == "default-1"
    assert made.reason.startswith("Deposit asked: a ")
    assert "missed bookings before" in made.reason or "ahead" in made.reason
    assert len(made.reason) <= 200
    calm = decide(risk_model.DEFAULT, row_for(0), price=4000)
    assert not calm.ask and calm.reason.startswith("No deposit needed")


def test_the_share_and_the_loss_threshold_are_respected() -> None:
    walked = walk(synthetic())
    prices = np.full(len(walked), 4000.0)
    model = risk_model.with_cuts(risk_model.DEFAULT, walked.x, prices)
    for share in (0.1, 0.3, 0.6):
        asked = [decide(model, r.tolist(), price=4000, ask_share=share).ask for r in walked.x]
        # Bookings alike score alike: ties at the cut-off move the share a little.
        assert np.mean(asked) == pytest.approx(share, abs=0.08)
    assert not any(decide(model, r.tolist(), price=4000, ask_share=0).ask for r in walked.x)
    loss = decide(model, row_for(30), price=4000, loss_threshold=10**6)
    assert not loss.ask and loss.expected_loss == pytest.approx(loss.probability * 4000)


def test_restricted_customers_are_always_asked() -> None:
    assert always_asked(Tier.RESTRICTED, frozenset())
    assert not always_asked(Tier.NEW, frozenset())
    assert always_asked(Tier.NEW, frozenset({Tier.NEW}))


def test_a_fit_model_is_shrunk_towards_the_default_while_history_is_short() -> None:
    walked = walk(synthetic(8))
    learn = walked.y >= 0
    small = risk_model.fit(walked.x[learn], walked.y[learn])
    big = risk_model.fit(*(np.concatenate([a] * 40) for a in (walked.x[learn], walked.y[learn])))
    gap_small = np.abs(small.weights() - risk_model.DEFAULT.weights()).sum()
    gap_big = np.abs(big.weights() - risk_model.DEFAULT.weights()).sum()
    assert gap_small < gap_big
    assert risk_model.RiskModel.from_dict(small.as_dict()) == small
    assert len(FEATURES) == len(small.weights())


# --- history files --------------------------------------------------------------------


def test_the_bookings_format_round_trips() -> None:
    records = synthetic(5)
    out = io.StringIO()
    write_bookings(records, out)
    assert read_bookings(io.StringIO(out.getvalue())) == records


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("booking_id,customer_id,created_at\n", "no column starts_at, outcome"),
        (
            "booking_id,customer_id,created_at,starts_at,outcome\n"
            "b1,c1,yesterday,2026-03-02T10:00:00Z,showed\n",
            "line 2: created_at 'yesterday' is not an ISO 8601",
        ),
        (
            "booking_id,customer_id,created_at,starts_at,outcome\n"
            "b1,c1,2026-03-01T10:00:00Z,2026-03-02T10:00:00Z,vanished\n",
            "outcome 'vanished' is not one of",
        ),
    ],
)
def test_a_bad_history_file_says_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(HistoryFileError, match=words):
        read_history(io.StringIO(text), "bookings")


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(HistoryFileError, match="unknown format 'excel'"):
        read_history(io.StringIO(""), "excel")


def test_the_noshow_layout_reads_only_fair_columns() -> None:
    text = (
        "PatientId,AppointmentID,Gender,ScheduledDay,AppointmentDay,Age,Neighbourhood,"
        "Scholarship,Hipertension,Diabetes,Alcoholism,Handcap,SMS_received,No-show\n"
        "11,501,F,2026-03-01T08:00:00Z,2026-03-05T00:00:00Z,40,X,1,0,0,0,0,1,Yes\n"
    )
    (record,) = read_history(io.StringIO(text), "noshow")
    assert record.outcome is Outcome.NO_SHOW and not record.timed
    assert (record.customer_id, record.booking_id) == ("11", "501")

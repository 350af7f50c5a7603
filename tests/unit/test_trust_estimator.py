"""The trust estimator: a Beta posterior over fading evidence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servefirst.kit import i18n
from servefirst.trust.estimator import (
    EVENT_KINDS,
    Evidence,
    Prior,
    add,
    decay_factor,
    decayed,
    score,
)
from servefirst.trust.factors import factors, weigh

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
HALF_LIFE = 180.0
PRIOR = Prior()
GOOD = "paid_visits"
BAD_KINDS = [k for k, w in EVENT_KINDS.items() if w.bad > 0]

#: A history: (kind, days after the previous event).
histories = st.lists(
    st.tuples(st.sampled_from(list(EVENT_KINDS)), st.floats(0, 400, allow_nan=False)),
    max_size=30,
)


def build(history: list[tuple[str, float]]) -> tuple[Evidence, datetime]:
    evidence, at = Evidence(), T0
    for kind, gap in history:
        at += timedelta(days=gap)
        evidence = add(evidence, kind, at, HALF_LIFE)
    return evidence, at


def test_a_new_customer_is_the_prior() -> None:
    assert score(Evidence(), PRIOR) == PRIOR.mean == 0.75
    assert score(Evidence(), Prior(good=1, bad=1)) == 0.5
    assert factors(Evidence(), PRIOR, T0) == ["New customer: no history here yet"]


def test_half_life_halves_the_evidence() -> None:
    one = add(Evidence(), GOOD, T0, HALF_LIFE)
    assert score(one, PRIOR) == pytest.approx(4 / 5)
    later = decayed(one, T0 + timedelta(days=180), HALF_LIFE)
    assert later.good == pytest.approx(0.5)
    assert score(later, PRIOR) == pytest.approx(3.5 / 4.5)
    assert decay_factor(T0, T0 + timedelta(days=360), HALF_LIFE) == pytest.approx(0.25)


def test_decaying_in_steps_equals_decaying_at_once() -> None:
    evidence = add(add(Evidence(), "no_shows", T0, HALF_LIFE), GOOD, T0, HALF_LIFE)
    stepwise = evidence
    for day in (10, 40, 100, 250):
        stepwise = decayed(stepwise, T0 + timedelta(days=day), HALF_LIFE)
    once = decayed(evidence, T0 + timedelta(days=250), HALF_LIFE)
    assert stepwise.good == pytest.approx(once.good)
    assert stepwise.bad == pytest.approx(once.bad)


@given(histories)
def test_the_score_is_a_probability_and_counts_are_kept(
    history: list[tuple[str, float]],
) -> None:
    evidence, _ = build(history)
    assert 0 < score(evidence, PRIOR) < 1
    for kind in EVENT_KINDS:
        assert evidence.count(kind) == sum(1 for k, _ in history if k == kind)


@given(histories, st.floats(0, 1000, allow_nan=False))
def test_a_good_event_never_lowers_the_score(history: list[tuple[str, float]], gap: float) -> None:
    evidence, at = build(history)
    now = at + timedelta(days=gap)
    before = score(decayed(evidence, now, HALF_LIFE), PRIOR)
    assert score(add(evidence, GOOD, now, HALF_LIFE), PRIOR) > before


@given(histories, st.sampled_from(BAD_KINDS), st.floats(0, 1000, allow_nan=False))
def test_a_bad_event_never_raises_the_score(
    history: list[tuple[str, float]], kind: str, gap: float
) -> None:
    evidence, at = build(history)
    now = at + timedelta(days=gap)
    before = score(decayed(evidence, now, HALF_LIFE), PRIOR)
    assert score(add(evidence, kind, now, HALF_LIFE), PRIOR) < before


@given(histories, st.floats(0.01, 2000, allow_nan=False), st.floats(0.01, 2000, allow_nan=False))
def test_decay_moves_toward_the_prior_and_never_past_it(
    history: list[tuple[str, float]], first: float, second: float
) -> None:
    evidence, at = build(history)
    distances = [
        abs(score(decayed(evidence, at + timedelta(days=d), HALF_LIFE), PRIOR) - PRIOR.mean)
        for d in (0, first, first + second)
    ]
    assert distances[0] + 1e-12 >= distances[1] >= distances[2] - 1e-12
    sides = {
        score(decayed(evidence, at + timedelta(days=d), HALF_LIFE), PRIOR) >= PRIOR.mean
        for d in (0, first + second)
    }
    # Fading never carries a score across the prior.
    start = score(evidence, PRIOR)
    if abs(start - PRIOR.mean) > 1e-9:
        assert len(sides) == 1


@given(st.floats(1, 3650, allow_nan=False))
def test_old_trouble_weighs_less_than_new(days: float) -> None:
    old = add(Evidence(), "no_shows", T0, HALF_LIFE)
    now = T0 + timedelta(days=days)
    assert score(decayed(old, now, HALF_LIFE), PRIOR) > score(
        add(Evidence(), "no_shows", now, HALF_LIFE), PRIOR
    )


def test_a_write_off_costs_more_than_a_no_show_more_than_a_late_payment() -> None:
    def after(kind: str) -> float:
        return score(add(Evidence(), kind, T0, HALF_LIFE), PRIOR)

    assert after("write_offs") < after("no_shows") < after("late_payments")
    assert after("late_payments") == after("late_cancellations")
    assert after("rejected_concerns") == after("no_shows")


def test_an_upheld_concern_is_not_an_event() -> None:
    assert "upheld_concerns" not in EVENT_KINDS
    assert "concerns" not in EVENT_KINDS
    with pytest.raises(ValueError, match="not a history event"):
        add(Evidence(), "upheld_concerns", T0, HALF_LIFE)


# --- factors -----------------------------------------------------------------------------


def test_factors_rank_by_effect_with_time_words() -> None:
    evidence = Evidence()
    for day in range(0, 360, 30):  # 12 visits over a year
        evidence = add(evidence, GOOD, T0 + timedelta(days=day), HALF_LIFE)
    for day in (300, 330, 345):  # 3 no-shows in the last 60 days
        evidence = add(evidence, "no_shows", T0 + timedelta(days=day), HALF_LIFE)
    now = T0 + timedelta(days=360)
    shown = factors(evidence, PRIOR, now)
    # Faded: ~6.4 good visits against ~2.6 no-shows; without the visits the score
    # would fall by 0.27, without the no-shows rise by 0.18.
    assert shown == ["12 visits paid on time in the last year", "3 no-shows in the last 90 days"]


def test_factors_are_said_in_the_reader_s_language_and_stay_english_for_the_api() -> None:
    evidence = Evidence()
    for day in (300, 330, 345):  # 3 no-shows in the last 60 days
        evidence = add(evidence, "no_shows", T0 + timedelta(days=day), HALF_LIFE)
    for day in (0, 10):  # 2 write-offs long ago
        evidence = add(evidence, "write_offs", T0 + timedelta(days=day), HALF_LIFE)
    now = T0 + timedelta(days=360)
    with i18n.use_language("pt"):
        said = [factor.said() for factor in weigh(evidence, PRIOR, now)]
        english = factors(evidence, PRIOR, now)
    assert said == [
        "2 contas por pagar dadas como perdidas (a última vez há 11 meses)",
        "3 faltas a marcações nos últimos 90 dias",
    ]
    assert english == [
        "2 unpaid tabs written off (the last one 11 months ago)",
        "3 no-shows in the last 90 days",
    ]


def test_a_factor_of_this_week_has_no_time_words_and_old_ones_say_when() -> None:
    evidence = add(Evidence(), "write_offs", T0, HALF_LIFE)
    evidence = add(evidence, GOOD, T0 + timedelta(days=400), HALF_LIFE)
    now = T0 + timedelta(days=401)
    # The write-off (2 bad visits) has faded to 0.43, and still moved the score
    # a little more than yesterday's paid visit.
    assert factors(evidence, PRIOR, now) == [
        "1 unpaid tab written off (13 months ago)",
        "1 visit paid on time",
    ]

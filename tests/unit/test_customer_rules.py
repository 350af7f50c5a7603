"""The keys a customer search compares, the duplicate check, and two
customers' trust evidence combined in a merge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from servefirst.customers.rules import (
    Contact,
    is_phone,
    likely_same,
    merged_contact,
    merged_counts,
    name_key,
    phone_key,
    phone_tail,
)
from servefirst.trust.estimator import Evidence, add, combined, decayed

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


def test_names_compare_without_accents_case_or_spaces() -> None:
    assert name_key("José  da Conceição") == name_key("JOSE DACONCEICAO") == "josedaconceicao"
    assert name_key("Ångström\tØre") == "angstromøre"  # Ø has no accent to drop: it stays


def test_phones_compare_by_their_digits_and_their_last_nine() -> None:
    assert phone_key("+351 912-345 678") == "351912345678"
    assert phone_key("no digits") is None and phone_key(None) is None
    assert phone_tail("+351 912 345 678") == phone_tail("912345678") == "912345678"


def test_a_phone_number_needs_digits_enough_to_dial_not_just_separators() -> None:
    for written in ("+351 912 345 678", "(21) 000 1111", "912-345-678", "+351 912", "21.000.00"):
        assert is_phone(written), written
    # Nothing a text could go to or a customer could dial: refused.
    for written in ("---", "()", "+", "+ ( ) - . /", "12", "+351 12", "21 000"):
        assert not is_phone(written), written


def test_a_likely_duplicate_needs_the_same_email_or_phone_not_a_name() -> None:
    ana = Contact("Ana Costa", "Ana@Example.com", "+351 912 345 678")
    assert likely_same(Contact("Other", " ana@example.com", None), ana) == ["email"]
    assert likely_same(Contact("Other", None, "912345678"), ana) == ["phone"]
    assert likely_same(Contact("Ana Costa", None, None), ana) == []


def test_the_customer_kept_keeps_their_details_and_gains_what_they_lacked() -> None:
    kept = merged_contact(Contact("Ana", "ana@example.com", None), Contact("A.", "x@y", "912"))
    assert kept == Contact("Ana", "ana@example.com", "912")
    assert merged_counts({"paid_visits": 2}, {"paid_visits": 3, "no_shows": 1}) == {
        "paid_visits": 5,
        "late_payments": 0,
        "no_shows": 1,
        "late_cancellations": 0,
        "write_offs": 0,
        "rejected_concerns": 0,
    }


KINDS = st.sampled_from(["paid_visits", "no_shows", "late_payments", "write_offs"])


def history(events: list[tuple[str, int]]) -> Evidence:
    evidence = Evidence()
    for kind, days_ago in sorted(events, key=lambda e: -e[1]):
        evidence = add(evidence, kind, NOW - timedelta(days=days_ago), 180.0)
    return evidence


@given(
    st.lists(st.tuples(KINDS, st.integers(0, 400)), max_size=8),
    st.lists(st.tuples(KINDS, st.integers(0, 400)), max_size=8),
)
def test_combined_evidence_is_both_histories_whichever_way_round(
    a: list[tuple[str, int]], b: list[tuple[str, int]]
) -> None:
    one, other = history(a), history(b)
    merged = combined(one, other, NOW, 180.0)
    swapped = combined(other, one, NOW, 180.0)
    assert abs(merged.good - swapped.good) < 1e-9 and abs(merged.bad - swapped.bad) < 1e-9
    for kind in ("paid_visits", "no_shows", "late_payments", "write_offs"):
        assert merged.count(kind) == one.count(kind) + other.count(kind)
    faded = decayed(one, NOW, 180.0), decayed(other, NOW, 180.0)
    assert abs(merged.good - (faded[0].good + faded[1].good)) < 1e-9
    assert abs(merged.bad - (faded[0].bad + faded[1].bad)) < 1e-9

"""Who may be marked as having left the business (``staff.rules.leaving_refusal``)."""

from __future__ import annotations

from servefirst.staff.rules import leaving_refusal


def refusal_code(**facts: object) -> str | None:
    given = {"is_self": False, "is_owner": False, "other_owners": 1, "upcoming": 0, **facts}
    refused = leaving_refusal("Marta", **given)  # type: ignore[arg-type]
    return None if refused is None else refused.code


def test_a_stylist_with_nothing_booked_may_go() -> None:
    assert refusal_code() is None


def test_nobody_marks_themselves_even_with_other_owners() -> None:
    assert refusal_code(is_self=True, is_owner=True, other_owners=3) == "staff_is_you"


def test_the_last_owner_stays_but_one_of_two_may_go() -> None:
    assert refusal_code(is_owner=True, other_owners=0) == "last_owner"
    assert refusal_code(is_owner=True, other_owners=1) is None
    assert refusal_code(is_owner=False, other_owners=0) is None  # a stylist, in a shop run by key


def test_bookings_to_come_are_counted_in_the_refusal() -> None:
    one = leaving_refusal("Marta", is_self=False, is_owner=False, other_owners=1, upcoming=1)
    many = leaving_refusal("Marta", is_self=False, is_owner=False, other_owners=1, upcoming=3)
    assert one is not None and many is not None
    assert (one.status, one.code, one.details) == (
        409,
        "staff_has_bookings",
        {"upcoming_bookings": 1},
    )
    assert "1 booking to come: move it" in one.message
    assert "3 bookings to come: move them" in many.message


def test_the_last_owner_refusal_names_the_field_that_asked() -> None:
    from servefirst.staff.rules import last_owner

    refusal = last_owner("Rita", param="access")
    assert (refusal.code, refusal.param) == ("last_owner", "access")
    assert "Rita is the last owner" in str(refusal)

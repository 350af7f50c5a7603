"""A customer's details changed through their repository, on the fakes: the
use case writes the row with ``uow.customers.write`` (the fake unit of work
fails a use case that reaches for the session)."""

from __future__ import annotations

from servefirst.customers.service import update_customer
from tests.unit.fakes import FakeUnitOfWork


def test_a_customer_who_changed_their_name_and_phone_is_found_by_the_new_ones() -> None:
    cafe = FakeUnitOfWork()
    cafe.add_customer("cus_ana", "Ana")

    update_customer(cafe.as_uow(), "cus_ana", name="Ana Sofia Costa", phone="+351 912 345 678")

    ana = cafe.customers.get("cus_ana")
    assert (ana.name, ana.name_key) == ("Ana Sofia Costa", "anasofiacosta")
    assert (ana.phone, ana.phone_key) == ("+351 912 345 678", "351912345678")
    assert ana.email is None
    [changed] = cafe.appended_to("events")
    assert (changed["type"], changed["data"]["changed"]) == (
        "customer.updated",
        ["name", "name_key", "phone", "phone_key"],
    )

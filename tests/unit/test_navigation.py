"""The console's menu: what each access level sees, and which section is current."""

from __future__ import annotations

import pytest

from servefirst.staff.navigation import SECTIONS, Section, menu
from servefirst.staff.rules import Access


def names(access: Access, path: str = "/staff") -> list[str]:
    return [item.name for item in menu(access, path)]


def test_staff_do_not_see_what_needs_a_manager() -> None:
    assert "Messages" not in names(Access.STAFF)
    assert "Messages" in names(Access.MANAGER)
    assert names(Access.OWNER) == [s.name for s in SECTIONS]


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/staff", "Counter"),
        ("/staff/tabs/tab_123", "Counter"),
        ("/staff/find", "Counter"),
        ("/staff/customers", "Customers"),
        ("/staff/customers/cus_9", "Customers"),
        ("/staff/messages", "Messages"),
    ],
)
def test_the_section_holding_the_page_is_current(path: str, current: str) -> None:
    marked = [item.name for item in menu(Access.OWNER, path) if item.current]
    assert marked == [current]


def test_a_page_of_no_section_marks_none_current() -> None:
    # The root covers only itself: a page nobody listed does not claim to be the counter.
    assert [i for i in menu(Access.OWNER, "/staff/deposits/simulate") if i.current] == []


def test_adding_a_page_is_one_line() -> None:
    sections = (*SECTIONS, Section("Payroll", "/staff/payroll", Access.OWNER))
    owner = menu(Access.OWNER, "/staff/payroll/2026-11", sections)
    assert [i.name for i in owner if i.current] == ["Payroll"]
    assert "Payroll" not in [i.name for i in menu(Access.MANAGER, "/staff", sections)]


def test_the_back_office_pages_are_in_the_menu_at_their_levels() -> None:
    manager = [i.name for i in menu(Access.MANAGER, "/staff")]
    assert "Debtors" in manager and "Close the day" in manager and "Reports" not in manager
    owner = menu(Access.OWNER, "/staff/reports/cash-flow")
    assert [i.name for i in owner if i.current] == ["Reports"]
    current = [i.name for i in menu(Access.OWNER, "/staff/policies/trust") if i.current]
    assert current == ["Policies"]


def test_a_longer_address_wins_over_a_shorter_one() -> None:
    sections = (
        Section("Bookings", "/staff/bookings", Access.STAFF),
        Section("Policies", "/staff/bookings/policy", Access.OWNER),
    )
    marked = [i.name for i in menu(Access.OWNER, "/staff/bookings/policy/deposit", sections)]
    current = [i.name for i in menu(Access.OWNER, "/staff/bookings/policy", sections) if i.current]
    assert marked == ["Bookings", "Policies"] and current == ["Policies"]

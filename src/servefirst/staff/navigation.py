"""The console's menu: every section, the access it needs, and which pages belong to it.

Rendered on every console page by ``staff/_layout.html`` (``staff.web.render``
adds it for the signed-in member). A section above the member's access is not
shown at all (its pages answer 403 anyway); the section of the page being read
is marked current (``aria-current="page"``).

To add a page to the menu, add one line to ``SECTIONS``, in the order the menu
shows it: its name marked with ``N_`` (and the Portuguese in
``locales/pt/LC_MESSAGES/navigation.po``), its address, the access it needs, and
``covers`` when pages under other addresses belong to it too. A section whose
page does not exist yet is left out, never linked to a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from servefirst.kit.i18n import N_
from servefirst.staff.rules import Access


@dataclass(frozen=True)
class Section:
    """One entry of the menu."""

    #: The words shown, in English; translated when the page is rendered.
    name: str
    href: str
    needs: Access
    #: Address prefixes whose pages belong to this section (default: below ``href``).
    #: The console's root ``/staff`` covers only itself unless told otherwise.
    covers: tuple[str, ...] = ()

    def holds(self, path: str) -> int:
        """How closely ``path`` belongs here: the length of the longest match, 0 if none."""
        prefixes = self.covers or (() if self.href == ROOT else (self.href,))
        best = len(self.href) if path.rstrip("/") == self.href else 0
        for prefix in prefixes:
            if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                best = max(best, len(prefix))
        return best


ROOT = "/staff"

SECTIONS: tuple[Section, ...] = (
    Section(N_("Today"), "/staff/today", Access.STAFF),
    Section(N_("Counter"), ROOT, Access.STAFF, covers=("/staff/tabs", "/staff/find")),
    Section(N_("Customers"), "/staff/customers", Access.STAFF),
    Section(N_("Bookings"), "/staff/bookings/day", Access.STAFF, covers=("/staff/bookings",)),
    Section(N_("Services"), "/staff/services", Access.MANAGER),
    Section(N_("Team"), "/staff/team", Access.OWNER),
    # Beside the team, where an owner doing the pay looks; one of the reports too.
    Section(N_("Staff earnings"), "/staff/reports/earnings", Access.OWNER),
    Section(N_("Policies"), "/staff/policies", Access.OWNER),
    Section(N_("Messages"), "/staff/messages", Access.MANAGER),
    Section(N_("Disputes"), "/staff/disputes", Access.MANAGER),
    Section(N_("Debtors"), "/staff/debtors", Access.MANAGER),
    Section(N_("Close the day"), "/staff/close-day", Access.MANAGER),
    Section(N_("Reports"), "/staff/reports", Access.OWNER),
    Section(N_("Card payments"), "/staff/settings/payments", Access.OWNER),
    Section(N_("Settings"), "/staff/settings", Access.STAFF),
)


@dataclass(frozen=True)
class MenuItem:
    name: str
    href: str
    current: bool


def menu(
    access: Access | str, path: str, sections: tuple[Section, ...] = SECTIONS
) -> list[MenuItem]:
    """The sections ``access`` may open, the one holding ``path`` marked current."""
    shown = [s for s in sections if Access(access).allows(s.needs)]
    closeness = {s.href: s.holds(path) for s in shown}
    best = max(closeness.values(), default=0)
    return [MenuItem(s.name, s.href, current=best > 0 and closeness[s.href] == best) for s in shown]

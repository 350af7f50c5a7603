"""Which parts of the customer's tab page are drawn for a tab: what the page
(``web.customer``, ``customer/tab.html``) and its live poll decide from."""

from __future__ import annotations

from servefirst.kit.i18n import N_
from servefirst.tabs.public import PublicTab

#: Statuses in which the customer still has something to do on the page.
ACTIVE = frozenset({"open", "served", "overdue"})


def can_pay(tab: PublicTab) -> bool:
    return tab.status in ACTIVE and tab.amount_due > 0


def page_state(tab: PublicTab) -> str:
    """What decides which sections the page shows (not the amounts).

    The live poll sends back the state its page was drawn in; when it differs
    (the tab was served, paid, a concern answered), the whole page reloads so
    the right forms appear. Amounts alone change in place.
    """
    concerns = ".".join(c.status[0] for c in tab.concerns)
    parts = [tab.status, str(int(can_pay(tab))), str(int(tab.terms_accepted))]
    return "-".join([*parts, str(int(bool(tab.lines))), concerns or "none"])


def fields_drawn(tab: PublicTab) -> set[str]:
    """The fields the page draws for ``tab`` (as customer/tab.html decides): a
    refusal about one is said beside it, about any other above the tab (a
    reward used up on another tab meanwhile is no longer offered)."""
    drawn = set()
    if tab.status in ACTIVE and tab.lines:
        drawn |= {"reason", "remedy", "amount"}
    if can_pay(tab):
        drawn |= {"tip", "custom_tip"}
        if tab.loyalty and tab.loyalty.rewards:
            drawn.add("reward_id")
    if tab.status != "void" and tab.lines and not (tab.review and tab.status not in ACTIVE):
        drawn |= {"rating", "comment"}
    return drawn


#: The only messages a redirect can ask the page to show (never echoed text).
FLASHES = {
    "accepted": N_("Thank you: you accepted the terms of this tab."),
    "reviewed": N_("Thank you for your rating."),
    "concern_approved": N_("Your concern was upheld and the bill adjusted."),
    "concern_pending": N_("Your concern was sent to the staff; they will answer shortly."),
    "concern_rejected": N_(
        "Your concern was recorded, but it could not be approved automatically."
    ),
    "paid": N_("Payment received. Thank you!"),
    "refunded_in_full": N_("Everything you paid was given back to you."),
    "confirming": N_("Your bank is confirming the payment; this page shows it paid in a moment."),
    "tip_not_taken": N_("Your reward paid the bill. The card was declined, so no tip was taken."),
}

"""Words the console shows from data (a tab's status, a tier, a trust event),
marked here so the catalogs have them; pages translate them when shown
(``translated(...)`` in a template)."""

from __future__ import annotations

from servefirst.kit.i18n import N_

#: Tab, concern and booking statuses, and trust tiers, as the console shows them.
STATUS_WORDS = (
    N_("open"),
    N_("served"),
    N_("paid"),
    N_("overdue"),
    N_("written_off"),
    N_("void"),
    N_("pending"),
    N_("succeeded"),  # a refund's (or payment's) statuses
    N_("failed"),
    N_("refunded"),  # beside a paid tab's status
    N_("partly refunded"),
    N_("approved"),
    N_("rejected"),
    N_("confirmed"),
    N_("checked in"),
    N_("cancelled"),
    N_("no show"),
    N_("trusted"),
    N_("standard"),
    N_("new"),
    N_("restricted"),
)

#: ``trust.schemas.EVENT_WORDS``, the lines of a customer's trust history.
EVENT_WORDS = (
    N_("visit paid on time"),
    N_("payment made late"),
    N_("no-show"),
    N_("late cancellation"),
    N_("unpaid tab written off"),
    N_("concern rejected as unfounded"),
)

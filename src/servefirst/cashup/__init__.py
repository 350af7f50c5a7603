"""Closing the day (cash-up): count the drawer, compare it with what the ledger
expects, post the difference, and print the day's Z report.

``rules.py`` is pure (denominations, the count, the over/short entry, the Z
report's sums); ``repository.py`` holds the SQL (the day's ledger movements,
the close rows); ``service.py`` is the use case; ``endpoints.py`` the API
(``POST /v1/day-closes``, ``GET /v1/day-closes/{date}``) and ``pages.py`` the
console's form and printable report. A day is the merchant's day, in its zone.
"""

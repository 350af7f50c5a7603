"""Taxes: rates per merchant, the tax in each line, the ledger's tax payable and the tax report.

``rules.py`` is pure: ``tab_tax`` is the one computation of a tab's net, tax per rate
and gross. ``models.py`` holds the rates and the per-entry movements the report sums;
``service.py`` the use cases (rates, what a change of a tab does to its tax);
``endpoints.py`` the API (``/v1/tax-rates``, ``/v1/reports/tax``).
"""

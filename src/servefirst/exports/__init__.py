"""The merchant's books for their accountant.

A period's journal (one row per leg; Beancount with balance assertions;
QuickBooks Online's journal-entry import; Xero's manual-journal import) and the
Z reports of its closed days, over HTTP (``/v1/exports/...``), from the
console's reports and on the command line (``servefirst export ...``). The
QuickBooks and Xero files name accounts by the merchant's own codes, set once
in the account mapping (``/v1/merchant/account-mapping``).

``rules.py`` (periods, Beancount names, the mapping's checks),
``by_rate.py`` (revenue and tax-payable legs split by tax rate, from the
taxes package's per-entry movements) and ``formats.py`` (the files, row by
row) are pure; ``service.py`` plans and
writes an export, reading the legs from the ledger in batches so memory stays
flat; ``endpoints.py``, ``pages.py`` and ``cli.py`` only translate.
"""

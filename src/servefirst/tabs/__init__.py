"""Tabs: a customer's visit, served first and paid after.

A tab opens with an unguessable token (the customer's link and QR code) and a
short code (for the counter). Lines are added at the service's price of the
moment; each line is a ledger charge (receivables up, revenue up), so what is
owed is always in the ledger. ``open → served → paid`` is the happy path;
``void`` closes an open tab with nothing owed; ``overdue`` and ``written_off``
follow an unpaid one. See ``rules.py`` for the state machine.

The use cases live one to a module (``opening``, ``lines``, ``closing``,
``reading``, with the tab limit in ``limits``) and ``service`` names them all.
They reach the database only through ``repository.TabRepository``
(``uow.tabs``), which owns the SQL, the locks and the dialect differences.
What other features read of tabs (messages, concerns, reviews, the staff
console) is named in ``read_repository``, so they never query the tables.
"""

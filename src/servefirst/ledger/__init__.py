"""The double-entry ledger: every movement of money, balanced to the cent.

A journal entry has legs; each leg is a positive amount on the debit or the
credit side of one account, and an entry's debits equal its credits. The rule
is kept three times: by :class:`rules.JournalEntry` when an entry is built, by
a ``CHECK`` on each leg, and on PostgreSQL by a deferred constraint trigger that
re-adds every entry at commit. Entries are append-only: a correction is a
reversing entry. Balances are per-account running totals (O(1) to read) that
``servefirst ledger audit`` rebuilds from the legs to prove they agree.
"""

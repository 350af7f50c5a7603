"""Idempotency keys: a retried POST returns the first answer and moves no money twice.

The key is claimed in its own short transaction (so a concurrent retry sees it
and gets 409), and the response is stored in the *same* transaction as the
work it describes: either both are committed or neither, so a crash can never
leave money moved without a stored answer. Work done in phases (a booking's
deposit, a fee from a card hold, a raise of one) commits before its answer
exists: its first phase keeps a recovery point beside the work, where a retry
after a crash lands (``api.phased``).
"""

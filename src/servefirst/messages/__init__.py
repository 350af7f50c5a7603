"""Messages: the e-mails and texts the outbox sends to customers.

The delivery worker (``worker.py``) reads the outbox (``events``) in order and
turns each event into deliveries: messages here (a receipt for a paid tab, a
confirmation of each refund that gave money back, a booking's confirmation,
reminder and cancellation, word that a deposit's refund was refused or that a
refund failed after it went through (``refund_returned``), the
dunning steps of a served tab, a notice to the owners) and
webhook deliveries (``servefirst.webhooks``). Each delivery is a row with its
own state, so a killed worker resumes from what the database says; a message
is sent at least once, in order per customer, and a duplicate carries the same
``Message-ID``. What to send and when is decided in ``rules.py`` (pure).
"""

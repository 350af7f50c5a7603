"""The outbox: every state change writes an event in the same transaction.

Events are what webhooks and e-mails are sent from after commit (so a crash
never loses or duplicates one), and what ``GET /v1/events`` lists.
"""

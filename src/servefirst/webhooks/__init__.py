"""Webhooks for integrators: endpoints, Standard Webhooks signatures, deliveries.

An endpoint subscribes to event types (or ``*``). The delivery worker
(``servefirst.messages.worker``) plans one delivery per matching event and
endpoint, and sends them in order per endpoint with retries (``rules.py``);
a dead endpoint only ever holds up its own deliveries.
"""

"""Merchants (the tenants) and their API keys."""

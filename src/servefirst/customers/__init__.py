"""Customers of a merchant, with the history their trust is computed from."""

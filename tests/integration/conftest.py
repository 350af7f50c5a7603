"""Fixtures of the integration tier kept in modules of their own."""

from tests.integration.manage_pages import signed_in  # noqa: F401

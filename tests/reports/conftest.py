"""Fixtures for the reports tests: the real browser and a live server that sees committed data."""

from tests.browser import browser_page, committed_live_server  # noqa: F401

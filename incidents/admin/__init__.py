"""Brand admin for incidents, split by sub-domain."""

from incidents.admin import care, crisis, early_warning, reviews  # noqa: F401

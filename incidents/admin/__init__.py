"""Brand admin for incidents, split by sub-domain."""

from incidents.admin import crisis, early_warning, reviews  # noqa: F401

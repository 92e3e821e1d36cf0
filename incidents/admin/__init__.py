"""Brand admin for incidents, one module per topic (as incidents/services/)."""

from incidents.admin import (  # noqa: F401
    care,
    drills,
    early_warning,
    incidents,
    moderation,
    plans,
    responses,
    reviews,
    team,
    template_library,
)

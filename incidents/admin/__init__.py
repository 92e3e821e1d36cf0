"""Brand admin for incidents, one module per topic (as incidents/services/)."""

from incidents.admin import (  # noqa: F401
    alerts,
    care,
    drills,
    incidents,
    intake,
    moderation,
    notifications,
    plans,
    responses,
    reviews,
    team,
    template_library,
    webhooks,
)

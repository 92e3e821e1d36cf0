"""What a person may do with the brand's content: rows `content.*` of the one role matrix in
tenants/roles.py, which the content services, API and admin all read. The services check the
person behind each call; an integration (API key) is let in by the API's own check, and the
system (Celery) is not checked."""

from django.core.exceptions import PermissionDenied

from tenants.roles import role_can
from tenants.selectors import brand_role_get

ACTIONS = frozenset({"draft", "submit", "approve", "schedule", "confirm", "manage_channels"})


def content_permission(action: str) -> str:
    """The matrix row for a content action; an unknown action is a programming error."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown content action {action!r}")
    return f"content.{action}"


def content_role(user) -> str | None:
    """The user's grant role on the brand whose schema is active (tenants.selectors.brand_role_get)."""
    return brand_role_get(user=user)


def content_can(user, action: str) -> bool:
    return role_can(content_role(user), content_permission(action))


def require_content_action(actor, action: str) -> None:
    """Raise PermissionDenied (403) unless the actor's role may do `action`. None is the system or
    an integration, whose reach the API limits."""
    if actor is None:
        content_permission(action)  # an unknown action fails for the system too
        return
    if not content_can(actor, action):
        raise PermissionDenied(f"Your role on this brand does not allow: {action.replace('_', ' ')}.")

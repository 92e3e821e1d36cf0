"""Who may do what with content: the one role matrix for the content app, read by its services,
API and admin alike (the same shape as the incident matrix, keyed by the brand grant's role).
An integration (API key) reaches only the endpoints meant for it; the system (Celery) is not
checked."""

from django.core.exceptions import PermissionDenied
from django.db import connection

from tenants.models import BrandGrant
from tenants.selectors import brand_role_get

R = BrandGrant.Role
ACTIONS = frozenset({"draft", "submit", "approve", "schedule", "confirm", "manage_channels"})

# The one source of truth: role → actions on the brand's content.
MATRIX: dict[str, frozenset[str]] = {
    R.AGENCY_OWNER: ACTIONS,
    R.AGENCY_ADMIN: ACTIONS,
    R.CRISIS_MANAGER: ACTIONS,
    R.SOCIAL_MEDIA_SPECIALIST: frozenset({"draft", "submit", "schedule", "confirm"}),
    R.SPOKESPERSON: frozenset({"draft", "submit", "approve"}),
    R.LEGAL: frozenset({"approve"}),
    R.CUSTOMER_CARE: frozenset({"draft", "submit"}),
    R.CLIENT_APPROVER: frozenset({"approve"}),
    R.CLIENT_VIEWER: frozenset(),
}


def content_role(user) -> str | None:
    """The user's grant role on the brand whose schema is active."""
    tenant = getattr(connection, "tenant", None)
    if user is None or tenant is None or getattr(user, "pk", None) is None:
        return None
    cached = getattr(user, "_content_brand_role", None)
    if cached is not None and cached[0] == tenant.pk:
        return cached[1]
    role = brand_role_get(user=user, brand=tenant)
    user._content_brand_role = (tenant.pk, role)
    return role


def content_can(user, action: str) -> bool:
    if action not in ACTIONS:
        raise ValueError(f"Unknown content action {action!r}")
    return action in MATRIX.get(content_role(user), frozenset())


def require_content_action(actor, action: str) -> None:
    """Raise PermissionDenied (403) unless the actor's role may do `action`. None is the system or
    an integration, whose reach the API limits."""
    if actor is None:
        return
    if not content_can(actor, action):
        raise PermissionDenied(f"Your role on this brand does not allow: {action.replace('_', ' ')}.")

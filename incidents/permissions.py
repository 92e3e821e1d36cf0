"""Who may do what on an incident: the one permission matrix, handed out as guardian object
permissions when a person is assigned a role on an incident and taken back when the role ends.

Rules:
- An assignment on an incident gives that role's actions on that incident (guardian rows in the
  brand's schema, one per action).
- The brand-wide roles (crisis manager, agency owner, agency admin on the brand's grant) act on
  every incident of the brand with the crisis manager's actions, without an assignment.
- Other staff with a brand grant see every incident in full (`view`, `view_internal`) and may add
  notes; anything else needs an assignment.
- Client viewers see incidents through the client view (pinned timeline only) and never write.
  Client approvers additionally approve (or send back) the responses and status updates sent to
  them, on incidents they are assigned to.
- Which brand-level surfaces a role reaches at all (admin pages, API views, report controls) is
  the brand matrix in tenants/roles.py; this one refines it per incident.
- Superuser status changes nothing: checks read guardian's rows directly, never `is_superuser`.
"""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from guardian.models import UserObjectPermission

from incidents.models import CrisisRole, Incident, IncidentAssignment
from tenants.models import BrandGrant
from tenants.selectors import brand_role_get

# Action name → guardian codename on Incident.
ACTIONS: dict[str, str] = {
    "view": "view_incident",
    "view_internal": "view_internal_incident",
    "triage": "triage_incident",
    "resolve": "resolve_incident",
    "manage_team": "manage_team_incident",
    "manage_tasks": "manage_tasks_incident",
    "note": "note_incident",
    "pin": "pin_incident",
    "draft_response": "draft_response_incident",
    "approve_reply": "approve_reply_incident",
    "approve_statement": "approve_statement_incident",
    "approve_client": "approve_client_incident",
    "hide": "hide_incident",
    "delete_request": "delete_request_incident",
    "draft_status_update": "draft_status_update_incident",
    "approve_status_update": "approve_status_update_incident",
}

_STAFF_BASE = frozenset({"view", "view_internal", "note"})

# The one source of truth: role → actions on an incident.
MATRIX: dict[str, frozenset[str]] = {
    CrisisRole.CRISIS_MANAGER: frozenset(ACTIONS) - {"approve_client"},
    CrisisRole.SOCIAL_MEDIA_SPECIALIST: _STAFF_BASE
    | {"manage_tasks", "draft_response", "hide", "draft_status_update"},
    CrisisRole.SPOKESPERSON: _STAFF_BASE
    | {"manage_tasks", "draft_response", "approve_reply", "approve_statement"},
    CrisisRole.LEGAL: _STAFF_BASE | {"manage_tasks"},
    CrisisRole.CUSTOMER_CARE: _STAFF_BASE | {"manage_tasks", "draft_response", "hide"},
    CrisisRole.CLIENT_APPROVER: frozenset({"view", "approve_client"}),
    BrandGrant.Role.CLIENT_VIEWER: frozenset({"view"}),
}

# Brand grants that act on every incident as its crisis manager would.
BRAND_WIDE_ROLES = frozenset(
    {BrandGrant.Role.CRISIS_MANAGER, BrandGrant.Role.AGENCY_OWNER, BrandGrant.Role.AGENCY_ADMIN}
)
CLIENT_ROLES = BrandGrant.CLIENT_ROLES


def brand_role(user) -> str | None:
    """The user's grant role on the brand whose schema is active (tenants.selectors.brand_role_get)."""
    return brand_role_get(user=user)


def brand_actions(role: str | None) -> frozenset[str]:
    """What a brand grant alone allows on every incident."""
    if role in BRAND_WIDE_ROLES:
        return MATRIX[CrisisRole.CRISIS_MANAGER]
    if role in BrandGrant.STAFF_ROLES:
        return _STAFF_BASE
    if role in CLIENT_ROLES:
        return frozenset({"view"})
    return frozenset()


def _incident_content_type() -> ContentType:
    return ContentType.objects.get_for_model(Incident)


def object_actions(user, incident: Incident) -> frozenset[str]:
    """Actions the user's guardian rows on this incident grant (one query, no superuser shortcut)."""
    if user is None or getattr(user, "pk", None) is None or not user.is_active:
        return frozenset()
    # Joined by name rather than a cached ContentType id, so it is always exactly one query.
    codenames = set(
        UserObjectPermission.objects.filter(
            user_id=user.pk,
            content_type__app_label="incidents",
            content_type__model="incident",
            object_pk=str(incident.pk),
        ).values_list("permission__codename", flat=True)
    )
    return frozenset(action for action, codename in ACTIONS.items() if codename in codenames)


def incident_actions(user, incident: Incident) -> frozenset[str]:
    """Everything the user may do on the incident: brand-wide grant plus assignment permissions."""
    role = brand_role(user)
    if role is None:
        return frozenset()
    return brand_actions(role) | object_actions(user, incident)


def incident_can(user, action: str, incident: Incident) -> bool:
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}")
    return action in incident_actions(user, incident)


def require_incident_action(actor, action: str, incident: Incident) -> None:
    """Raise PermissionDenied (403) unless the actor may do `action` on the incident. A None actor
    is the system (Celery, an integration's confirmation) and is not checked here: the API lets
    integrations reach only the endpoints meant for them."""
    if actor is None:
        return
    if not incident_can(actor, action, incident):
        raise PermissionDenied(f"Your role on this incident does not allow: {action.replace('_', ' ')}.")


def require_brand_action(actor, action: str) -> None:
    """For work outside an incident (everyday moderation, opening incidents): the brand grant's
    role is read against the matrix; brand-wide roles act as crisis managers."""
    if actor is None:
        return
    role = brand_role(actor)
    allowed = MATRIX[CrisisRole.CRISIS_MANAGER] if role in BRAND_WIDE_ROLES else MATRIX.get(role, frozenset())
    if action not in allowed:
        raise PermissionDenied(f"Your role on this brand does not allow: {action.replace('_', ' ')}.")


def incident_permissions_sync(*, incident: Incident, user) -> None:
    """Make the user's guardian rows on the incident match their active assignments' roles."""
    active_roles = set(
        IncidentAssignment.objects.filter(
            incident=incident, member__user=user, ended_at__isnull=True
        ).values_list("role", flat=True)
    )
    wanted = {ACTIONS[a] for role in active_roles for a in MATRIX[role]}
    content_type = _incident_content_type()
    existing = UserObjectPermission.objects.filter(
        user=user, content_type=content_type, object_pk=str(incident.pk)
    )
    have = set(existing.values_list("permission__codename", flat=True))
    existing.exclude(permission__codename__in=wanted).delete()
    missing = wanted - have
    if missing:
        permissions = Permission.objects.filter(content_type=content_type, codename__in=missing)
        UserObjectPermission.objects.bulk_create(
            [
                UserObjectPermission(
                    user=user, permission=p, content_type=content_type, object_pk=str(incident.pk)
                )
                for p in permissions
            ],
            ignore_conflicts=True,
        )


# --- Care cases: brand-level work, read from the brand grant's role -----------------------------
# `care_view`: see cases (handle, state, times); `care_work`: open, invite, log contacts, resolve;
# `care_contact_details`: see and edit the customer's name, email, phone, private summaries and
# DM texts; `care_erase`: erase a customer's personal data. Client roles see none of it: they get
# counts and times in their report.
CARE_ACTIONS = frozenset({"care_view", "care_work", "care_contact_details", "care_erase"})
CARE_MATRIX: dict[str, frozenset[str]] = {
    BrandGrant.Role.AGENCY_OWNER: CARE_ACTIONS,
    BrandGrant.Role.AGENCY_ADMIN: CARE_ACTIONS,
    BrandGrant.Role.CRISIS_MANAGER: CARE_ACTIONS,
    BrandGrant.Role.CUSTOMER_CARE: frozenset({"care_view", "care_work", "care_contact_details"}),
    BrandGrant.Role.SOCIAL_MEDIA_SPECIALIST: frozenset({"care_view", "care_work"}),
    BrandGrant.Role.SPOKESPERSON: frozenset({"care_view"}),
    BrandGrant.Role.LEGAL: frozenset({"care_view"}),
}


def care_can(user, action: str) -> bool:
    """Whether the user's role on the current brand allows a care action (one matrix lookup)."""
    if action not in CARE_ACTIONS:
        raise ValueError(f"Unknown care action {action!r}")
    return action in CARE_MATRIX.get(brand_role(user), frozenset())


def require_care_action(actor, action: str) -> None:
    """Raise PermissionDenied unless the actor's brand role allows `action` on care cases. A None
    actor is the system (intake attaching a DM, the reminder sweep)."""
    if actor is None:
        return
    if not care_can(actor, action):
        raise PermissionDenied(f"Your role on this brand does not allow: {action.replace('_', ' ')}.")

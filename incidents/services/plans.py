"""The brand's crisis plan: a versioned document. Editing publishes a new version; none changes."""

from django.db import transaction
from django.db.models import Max

from incidents.models import CrisisPlanVersion
from incidents.permissions import require_brand_action
from incidents.services.settings import crisis_settings_get
from tenants.errors import DomainError
from tenants.models import User

PLAN_FIELDS = ("roles_and_contacts", "escalation_thresholds", "holding_statements", "guidelines")


@transaction.atomic
def crisis_plan_publish(
    *,
    actor: User | None,
    roles_and_contacts: str = "",
    escalation_thresholds: str = "",
    holding_statements: str = "",
    guidelines: str = "",
    change_note: str = "",
) -> CrisisPlanVersion:
    """Publish the next version of the plan. Publishing the same text as the newest version
    returns that version instead of a copy."""
    require_brand_action(actor, "manage_team")
    values = {
        "roles_and_contacts": roles_and_contacts.strip(),
        "escalation_thresholds": escalation_thresholds.strip(),
        "holding_statements": holding_statements.strip(),
        "guidelines": guidelines.strip(),
    }
    if not any(values.values()):
        raise DomainError(
            "The plan is empty.", field_errors={"roles_and_contacts": ["Write at least one section."]}
        )
    crisis_settings_get(for_update=True)  # serialises publishing so version numbers never clash
    latest = CrisisPlanVersion.objects.order_by("-version").first()
    if latest and all(getattr(latest, f) == v for f, v in values.items()):
        return latest
    number = (CrisisPlanVersion.objects.aggregate(m=Max("version"))["m"] or 0) + 1
    return CrisisPlanVersion.objects.create(
        version=number,
        change_note=change_note.strip()[:300],
        created_by=actor if getattr(actor, "pk", None) else None,
        **values,
    )

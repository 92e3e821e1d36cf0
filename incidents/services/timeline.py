"""The incident timeline: every action on an incident lands here, once. Entries are never
changed or deleted (the database refuses it); only the client pin can be toggled."""

from uuid import UUID

from django.db import transaction

from incidents.models import Incident, TimelineEntry, TimelineKind
from incidents.permissions import require_incident_action
from tenants.errors import DomainError, text_checked
from tenants.models import User


def actor_label(actor, fallback: str = "system") -> str:
    """How an actor is named on the timeline and in logs: their full name, else `fallback`."""
    if actor is None:
        return fallback
    return actor.get_full_name() if hasattr(actor, "get_full_name") else str(actor)


def timeline_record(
    *,
    incident: Incident,
    actor: User | None,
    kind: str,
    text: str,
    data: dict | None = None,
    pinned: bool = False,
    label: str = "",
) -> TimelineEntry:
    """Append one entry. Called inside the caller's transaction, so it lands only if the action does."""
    return TimelineEntry.objects.create(
        incident=incident,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=label or actor_label(actor if getattr(actor, "pk", None) else None),
        kind=kind,
        text=text,
        data=data or {},
        pinned=pinned,
    )


# The one limit on a note: the API and the war room describe and obey it.
NOTE_MAX = 8000


@transaction.atomic
def timeline_note_add(
    *, incident_id: UUID, actor: User | None, text: str, pinned: bool = False
) -> TimelineEntry:
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    require_incident_action(actor, "note", incident)
    text = text_checked(text, field="text", max_length=NOTE_MAX)
    if not text:
        raise DomainError("A note needs text.", field_errors={"text": ["This field may not be blank."]})
    if pinned:
        require_incident_action(actor, "pin", incident)
    return timeline_record(incident=incident, actor=actor, kind=TimelineKind.NOTE, text=text, pinned=pinned)


@transaction.atomic
def timeline_pin_set(*, entry_id: UUID, actor: User | None, pinned: bool) -> TimelineEntry:
    """Pin or unpin an entry for the client's view. Repeating it records nothing twice."""
    entry = TimelineEntry.objects.select_for_update().select_related("incident").get(pk=entry_id)
    require_incident_action(actor, "pin", entry.incident)
    if entry.pinned == pinned:
        return entry
    entry.pinned = pinned
    entry.save(update_fields=["pinned"])
    timeline_record(
        incident=entry.incident,
        actor=actor,
        kind=TimelineKind.PIN,
        text=("Pinned for the client: " if pinned else "Unpinned: ") + entry.text[:200],
        data={"entry_id": str(entry.pk), "pinned": pinned},
    )
    return entry

"""Moderation with reasons: the brand's community guidelines (versioned, rules numbered) and the
append-only moderation log. Every hide, unhide, delete request and ban cites a rule; deleting and
banning need a higher role than hiding. The integration carries the action out and confirms."""

from uuid import UUID

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from incidents.models import (
    GuidelineRule,
    GuidelineVersion,
    Incident,
    Mention,
    ModerationAction,
    TimelineKind,
)
from incidents.permissions import require_brand_action, require_incident_action
from incidents.services.responses import drill_mention_check
from incidents.services.settings import crisis_settings_get
from incidents.services.timeline import actor_label, timeline_record
from incidents.services.webhooks import webhook_emit
from tenants.errors import DomainError, field_errors_raise, text_checked
from tenants.models import User

Action = ModerationAction.Action
# Deleting is final and banning silences a customer: the guides ask for a strong reason, so these
# need the higher action than hiding (which can be undone).
ACTION_PERMISSION = {
    Action.HIDE: "hide",
    Action.UNHIDE: "hide",
    Action.DELETE_REQUEST: "delete_request",
    Action.BAN_AUTHOR: "delete_request",
}
MIN_REASON_LENGTH = 10
# The one limit on a reason and a public explanation: the API and the war room describe and obey it.
REASON_MAX = 4000


@transaction.atomic
def guidelines_publish(
    *, actor: User | None, rules: list[dict], intro: str = "", change_note: str = ""
) -> GuidelineVersion:
    """Publish a new version of the community guidelines; rules are numbered 1..n in the given
    order. Earlier versions stay, so every logged action still points at the rule it cited."""
    require_brand_action(actor, "delete_request")
    cleaned = []
    for index, rule in enumerate(rules or [], start=1):
        title = str(rule.get("title", "")).strip()
        if not title:
            raise DomainError(
                f"Rule {index} needs a title.", field_errors={"rules": [f"Rule {index} has no title."]}
            )
        cleaned.append((index, title[:200], str(rule.get("text", "")).strip()))
    if not cleaned:
        raise DomainError(
            "Guidelines need at least one rule.", field_errors={"rules": ["Add at least one rule."]}
        )
    # The settings row lock serialises publishing, so two editors never share a version number.
    crisis_settings_get(for_update=True)
    version = GuidelineVersion.objects.create(
        version=guidelines_next_version(),
        intro=intro,
        change_note=change_note[:300],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    GuidelineRule.objects.bulk_create(
        [GuidelineRule(version=version, number=n, title=t, text=x) for n, t, x in cleaned]
    )
    return version


def guidelines_current() -> GuidelineVersion | None:
    return GuidelineVersion.objects.order_by("-version").prefetch_related("rules").first()


@transaction.atomic
def moderation_act(
    *,
    actor: User | None,
    mention_id: UUID,
    action: str,
    rule_number: int | None,
    reason: str,
    public_explanation: str = "",
    incident_id: UUID | None = None,
) -> ModerationAction:
    """Record a moderation action on a mention and ask the integration to carry it out. Refused
    without a rule of the current guidelines and a reason in words."""
    if action not in Action.values:
        raise DomainError(
            "Unknown moderation action.",
            field_errors={"action": ["Use hide, unhide, delete_request or ban_author."]},
        )
    incident = Incident.objects.select_for_update().filter(pk=incident_id).first() if incident_id else None
    if incident_id and incident is None:
        raise DomainError("Unknown incident.", field_errors={"incident_id": ["Unknown incident."]})
    if incident is not None:
        require_incident_action(actor, ACTION_PERMISSION[action], incident)
    else:
        require_brand_action(actor, ACTION_PERMISSION[action])
    mention = Mention.all_objects.select_for_update().filter(pk=mention_id).first()
    if mention is None:
        raise DomainError("Unknown mention.", field_errors={"mention_id": ["Unknown mention."]})
    drill_mention_check(mention, incident)
    current = guidelines_current()
    if current is None:
        raise DomainError(
            "Publish the brand's community guidelines first: every moderation action cites one of their rules.",
            field_errors={"rule_number": ["The brand has no community guidelines yet."]},
        )
    rule = next((r for r in current.rules.all() if r.number == rule_number), None)
    if rule is None:
        raise DomainError(
            f"Cite a rule of the community guidelines (v{current.version}, rules 1–{current.rules.count()}).",
            field_errors={"rule_number": ["Not a rule of the current guidelines."]},
        )
    errors = {}
    reason = text_checked(reason, field="reason", max_length=REASON_MAX, errors=errors)
    public_explanation = text_checked(
        public_explanation, field="public_explanation", max_length=REASON_MAX, errors=errors
    )
    field_errors_raise(errors)
    if len(reason) < MIN_REASON_LENGTH:
        raise DomainError(
            "Explain in a sentence why this comment breaks the rule.",
            field_errors={"reason": [f"At least {MIN_REASON_LENGTH} characters."]},
        )
    last = (
        ModerationAction.objects.filter(mention=mention, action__in=[Action.HIDE, Action.UNHIDE])
        .order_by("-at")
        .first()
    )
    if action == Action.UNHIDE and (last is None or last.action != Action.HIDE):
        raise DomainError("This comment is not hidden.")
    if action == Action.HIDE and last is not None and last.action == Action.HIDE:
        return last  # hidden already; a second click records nothing twice
    if action in (Action.DELETE_REQUEST, Action.BAN_AUTHOR):
        # Nothing undoes these, so a repeat (a retried request, a double click) is the same
        # request: the integration must not be asked to carry it out twice.
        requested = ModerationAction.objects.filter(mention=mention, action=action).order_by("at").first()
        if requested is not None:
            return requested
    entry = ModerationAction.objects.create(
        mention=mention,
        incident=incident,
        action=action,
        rule=rule,
        reason=reason,
        public_explanation=public_explanation,
        author_handle=getattr(mention, "author_handle", "") or "",
        platform=getattr(mention, "platform", "") or "",
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label(actor if getattr(actor, "pk", None) else None),
    )
    if mention.is_drill:
        # Practice: recorded and shown as carried out, never asked of the integration.
        entry.carried_out_at, entry.external_ref = entry.at, "drill"
        entry.save(update_fields=["carried_out_at", "external_ref"])
    if incident is not None:
        timeline_record(
            incident=incident,
            actor=actor,
            kind=TimelineKind.MODERATION,
            text=f"{entry.get_action_display()} @{entry.author_handle} under rule {rule.number} "
            f"(“{rule.title}”): {reason}",
            data={
                "moderation_id": str(entry.pk),
                "action": action,
                "rule": rule.number,
                "version": current.version,
            },
        )
    if mention.is_drill:
        return entry
    webhook_emit(
        event="moderation.requested",
        payload={
            "id": str(entry.pk),
            "action": action,
            "mention": {
                "id": str(mention.pk),
                "platform": entry.platform,
                "external_id": getattr(mention, "external_id", ""),
            },
            "author_handle": entry.author_handle,
            "rule": {"version": current.version, "number": rule.number, "title": rule.title},
            "public_explanation": entry.public_explanation,
            "confirm_url": f"/api/v1/moderation/{entry.pk}/confirm/",
        },
    )
    return entry


@transaction.atomic
def moderation_confirm(*, moderation_id: UUID, external_ref: str = "") -> ModerationAction:
    """The integration confirms it carried the action out. Confirming twice is a no-op."""
    entry = ModerationAction.objects.select_for_update().get(pk=moderation_id)
    if entry.carried_out_at is None:
        entry.carried_out_at = timezone.now()
        entry.external_ref = (external_ref or "")[:200]
        entry.save(update_fields=["carried_out_at", "external_ref"])
    return entry


def guidelines_next_version() -> int:
    return (GuidelineVersion.objects.aggregate(m=Max("version"))["m"] or 0) + 1

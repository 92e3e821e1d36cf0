"""The brand's crisis plan: a versioned document. Publishing adds a numbered version; none changes.
Reviews' accepted lessons go into the one open draft (pre-filled from the current version, the
lessons listed as proposed changes), which staff edit, then publish or discard with a reason."""

from uuid import UUID

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from incidents.models import CrisisPlanVersion, Review, TimelineKind
from incidents.permissions import require_brand_action
from incidents.services.settings import crisis_settings_get
from incidents.services.timeline import timeline_record
from tenants.errors import DomainError
from tenants.models import User

PLAN_FIELDS = ("roles_and_contacts", "escalation_thresholds", "holding_statements", "guidelines")

Published = CrisisPlanVersion.State.PUBLISHED
Draft = CrisisPlanVersion.State.DRAFT


def crisis_plan_current() -> CrisisPlanVersion | None:
    """The newest published version, or None before the first."""
    return CrisisPlanVersion.objects.filter(state=Published).order_by("-version").first()


def crisis_plan_draft_open() -> CrisisPlanVersion | None:
    """The open draft, if there is one (there is never more than one)."""
    return CrisisPlanVersion.objects.filter(state=Draft).first()


def _who(actor):
    return actor if getattr(actor, "pk", None) else None


def _sections(values: dict) -> dict:
    sections = {field: (values.get(field) or "").strip() for field in PLAN_FIELDS}
    if not any(sections.values()):
        raise DomainError(
            "The plan is empty.", field_errors={"roles_and_contacts": ["Write at least one section."]}
        )
    return sections


def _next_number() -> int:
    # The caller holds the crisis-settings row lock, so two publications never take one number.
    return (CrisisPlanVersion.objects.aggregate(m=Max("version"))["m"] or 0) + 1


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
    """Publish the next version of the plan, written by hand. Publishing the same text as the
    newest version returns that version instead of a copy."""
    require_brand_action(actor, "manage_team")
    values = _sections(
        {
            "roles_and_contacts": roles_and_contacts,
            "escalation_thresholds": escalation_thresholds,
            "holding_statements": holding_statements,
            "guidelines": guidelines,
        }
    )
    crisis_settings_get(for_update=True)  # serialises publishing so version numbers never clash
    latest = crisis_plan_current()
    if latest and all(getattr(latest, f) == v for f, v in values.items()):
        return latest
    return CrisisPlanVersion.objects.create(
        version=_next_number(),
        state=Published,
        change_note=change_note.strip()[:300],
        created_by=_who(actor),
        published_at=timezone.now(),
        published_by=_who(actor),
        **values,
    )


def crisis_plan_draft_propose(*, review: Review, actor: User | None) -> CrisisPlanVersion:
    """Put the review's accepted lessons into the open draft (created from the current version
    when there is none) as proposed changes, replacing what this review proposed before, and link
    the review. The first time a review feeds the draft, its lessons are also appended to the
    draft's guidelines under "Lessons from incident #N" as a starting point; afterwards the text is
    the staff's and only the proposed changes follow the lessons. Runs in the caller's transaction,
    with the review locked; the caller checks the actor's role on the review's incident, and
    changing the plan needs the brand-wide right to manage the team, as publishing does."""
    require_brand_action(actor, "manage_team")
    lessons = list(review.lessons.filter(accepted=True).order_by("created_at"))
    if not lessons:
        raise DomainError("Accept at least one lesson first.", field_errors={"lessons": ["None accepted."]})
    crisis_settings_get(for_update=True)  # one open draft: two reviews at once find the same one
    draft = CrisisPlanVersion.objects.select_for_update().filter(state=Draft).first()
    if draft is None:
        current = crisis_plan_current()
        draft = CrisisPlanVersion.objects.create(
            state=Draft,
            version=None,
            based_on_version=current.version if current else None,
            created_by=_who(actor),
            **{field: getattr(current, field, "") for field in PLAN_FIELDS},
        )
    incident = review.incident
    heading = f"Lessons from {incident.label} ({incident.title}):"
    if not draft.source_reviews.filter(pk=review.pk).exists() and heading not in draft.guidelines:
        block = "\n".join([heading, *(f"- {lesson.text}" for lesson in lessons)])
        draft.guidelines = f"{draft.guidelines}\n\n{block}".strip()
    draft.proposed_changes = [
        change for change in draft.proposed_changes if change.get("review_id") != str(review.pk)
    ] + [
        {
            "lesson_id": str(lesson.pk),
            "text": lesson.text,
            "review_id": str(review.pk),
            "incident_id": str(incident.pk),
            "incident_number": incident.number,
            "incident_display_number": incident.display_number,
            "incident_title": incident.title,
        }
        for lesson in lessons
    ]
    if not draft.change_note:
        draft.change_note = f"Lessons from the review of {incident.label}"[:300]
    draft.save()
    draft.source_reviews.add(review)
    return draft


def _draft_for_update(draft_id: UUID, actor: User | None) -> CrisisPlanVersion:
    require_brand_action(actor, "manage_team")
    crisis_settings_get(for_update=True)  # serialises with publishing and proposing
    version = CrisisPlanVersion.objects.select_for_update().filter(pk=draft_id).first()
    if version is None:
        raise CrisisPlanVersion.DoesNotExist
    return version


def _refuse_unless_draft(version: CrisisPlanVersion) -> None:
    if version.state != Draft:
        raise DomainError(
            f"This version is {version.get_state_display().lower()}; only a draft changes.",
            field_errors={"state": ["Not a draft."]},
        )


@transaction.atomic
def crisis_plan_draft_update(
    *,
    draft_id: UUID,
    actor: User | None,
    roles_and_contacts: str | None = None,
    escalation_thresholds: str | None = None,
    holding_statements: str | None = None,
    guidelines: str | None = None,
    change_note: str | None = None,
) -> CrisisPlanVersion:
    """Edit the open draft's sections or change note (a section left None is kept)."""
    draft = _draft_for_update(draft_id, actor)
    _refuse_unless_draft(draft)
    given = {
        "roles_and_contacts": roles_and_contacts,
        "escalation_thresholds": escalation_thresholds,
        "holding_statements": holding_statements,
        "guidelines": guidelines,
    }
    values = _sections({f: getattr(draft, f) if v is None else v for f, v in given.items()})
    for field, value in values.items():
        setattr(draft, field, value)
    if change_note is not None:
        draft.change_note = change_note.strip()[:300]
    draft.save()
    return draft


@transaction.atomic
def crisis_plan_draft_publish(*, draft_id: UUID, actor: User | None) -> CrisisPlanVersion:
    """Publish the draft as the next version: every review that fed it is linked to the version
    and its "plan" step marked done, with a timeline entry on each review's incident. Publishing
    a published version again returns it; a draft identical to the current version is refused
    (write the proposed changes in, or discard it)."""
    draft = _draft_for_update(draft_id, actor)
    if draft.state == Published:
        return draft  # a repeated request records nothing twice
    _refuse_unless_draft(draft)
    values = _sections({f: getattr(draft, f) for f in PLAN_FIELDS})
    current = crisis_plan_current()
    if current and all(getattr(current, f) == v for f, v in values.items()):
        raise DomainError(
            f"The draft is the same as version {current.version}: write the proposed changes in, or discard it.",
            field_errors={"guidelines": ["Nothing changed."]},
        )
    now = timezone.now()
    draft.version, draft.state = _next_number(), Published
    draft.published_at, draft.published_by = now, _who(actor)
    draft.save()
    reviews = list(
        Review.objects.select_for_update(of=("self",)).select_related("incident").filter(plan_versions=draft)
    )
    for review in reviews:
        review.plan_version = draft
        # Marked here rather than through the reviews' service, which imports this module.
        if "plan" in review.steps:
            review.steps["plan"] = {"state": "done", "reason": "", "at": now.isoformat()}
        review.save(update_fields=["plan_version", "steps", "updated_at"])
        timeline_record(
            incident=review.incident,
            actor=actor,
            kind=TimelineKind.REVIEW,
            text=f"Crisis plan v{draft.version} published with the lessons of this review",
            data={"review_id": str(review.pk), "plan_version": draft.version},
        )
    return draft


@transaction.atomic
def crisis_plan_draft_discard(*, draft_id: UUID, actor: User | None, reason: str) -> CrisisPlanVersion:
    """Discard the open draft with a reason; its reviews' plan step stays pending (a review can
    feed the next draft). Discarding it again returns it."""
    draft = _draft_for_update(draft_id, actor)
    if draft.state == CrisisPlanVersion.State.DISCARDED:
        return draft
    _refuse_unless_draft(draft)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why the draft is discarded.", field_errors={"reason": ["Give a reason."]})
    draft.state, draft.discard_reason = CrisisPlanVersion.State.DISCARDED, reason[:4000]
    draft.discarded_at, draft.discarded_by = timezone.now(), _who(actor)
    draft.save()
    for review in Review.objects.select_related("incident").filter(plan_versions=draft):
        timeline_record(
            incident=review.incident,
            actor=actor,
            kind=TimelineKind.REVIEW,
            text=f"Crisis plan draft discarded: {reason}",
            data={"review_id": str(review.pk)},
        )
    return draft

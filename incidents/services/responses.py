"""Responses: the template library, drafts with their empathy check, approval by the right role,
and the integration's confirmation that a response was sent. Approved text is frozen; sending to
the network is the integration's job (it gets `response.approved` by webhook)."""

from datetime import datetime
from uuid import UUID

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.empathy import check_empathy
from incidents.models import Incident, Mention, Response, ResponseKind, ResponseTemplate, TimelineKind
from incidents.permissions import require_brand_action, require_incident_action
from incidents.services.notifications import notify
from incidents.services.settings import crisis_settings_get
from incidents.services.timeline import timeline_record
from incidents.services.webhooks import webhook_emit
from incidents.templating import TemplateError, facts_promise_unkept, render_template, validate_template
from tenants.errors import DomainError, text_checked
from tenants.languages import LANGUAGE_CODES
from tenants.models import BrandGrant, User

# The one limit on a response's text: the API and the war room describe and obey it.
TEXT_MAX = 8000


# --- Templates --------------------------------------------------------------------------------
@transaction.atomic
def response_template_save(
    *,
    actor: User | None,
    name: str,
    language: str,
    situation: str,
    body: str,
    kind: str = ResponseKind.REPLY,
    template_id: UUID | None = None,
    is_active: bool = True,
) -> ResponseTemplate:
    """Create or change a template. A template with a placeholder the library does not know is
    refused with each problem named."""
    require_brand_action(actor, "draft_response")
    errors = validate_template(body or "")
    if not (body or "").strip():
        errors = ["The template text may not be blank."]
    if errors:
        raise DomainError("The template has errors: " + " ".join(errors), field_errors={"body": errors})
    if language not in LANGUAGE_CODES:
        raise DomainError("Use en or id.", field_errors={"language": ["Use en or id."]})
    if situation not in ResponseTemplate.Situation.values:
        raise DomainError("Unknown situation.", field_errors={"situation": ["Unknown situation."]})
    if kind not in ResponseKind.values:
        raise DomainError("Unknown kind.", field_errors={"kind": ["Unknown kind."]})
    template = (
        ResponseTemplate.objects.select_for_update().get(pk=template_id)
        if template_id
        else ResponseTemplate()
    )
    template.name, template.language, template.situation = (name or "").strip()[:120], language, situation
    template.kind, template.body, template.is_active = kind, body, is_active
    if not template.name:
        raise DomainError("A template needs a name.", field_errors={"name": ["This field may not be blank."]})
    if (
        ResponseTemplate.objects.filter(name=template.name, language=language)
        .exclude(pk=template.pk)
        .exists()
    ):
        raise DomainError(
            "A template with this name and language exists.", field_errors={"name": ["Already taken."]}
        )
    template.save()
    return template


@transaction.atomic
def response_template_archive(*, actor: User | None, template_id: UUID) -> ResponseTemplate:
    """Take a template out of the library (drafts made from it keep their text). Safe to repeat."""
    require_brand_action(actor, "draft_response")
    template = ResponseTemplate.objects.select_for_update().get(pk=template_id)
    if template.is_active:
        template.is_active = False
        template.save(update_fields=["is_active", "updated_at"])
    return template


# --- Drafts -----------------------------------------------------------------------------------
def _empathy(text: str, *, language: str, kind: str, at_fault: bool) -> tuple[bool, list[dict]]:
    report = check_empathy(text, language=language, at_fault=at_fault, kind=kind)
    return report.passed, [
        {"code": c.code, "ok": c.ok, "reason": c.reason, "evidence": list(c.evidence)} for c in report.checks
    ]


def _render(template: ResponseTemplate, context: dict, incident: Incident | None) -> str:
    values = {k: str(v) for k, v in (context or {}).items() if v is not None}
    values.setdefault("brand", getattr(connection.tenant, "name", ""))
    if incident is not None:
        # A drill's reply reads "D-3": practice text never names a real incident's number.
        values.setdefault("incident_number", incident.display_number.lstrip("#"))
    try:
        return render_template(template.body, values)
    except TemplateError as exc:
        raise DomainError(
            "The template could not be filled in: " + " ".join(exc.errors),
            field_errors={"context": exc.errors},
        )


@transaction.atomic
def response_draft(
    *,
    actor: User | None,
    kind: str,
    incident_id: UUID | None = None,
    mention_id: UUID | None = None,
    text: str = "",
    template_id: UUID | None = None,
    context: dict | None = None,
    language: str | None = None,
    at_fault: bool = True,
    requires_client_approval: bool = False,
) -> Response:
    """Draft a response from free text or a template; the empathy check is run and stored with
    the draft as advice with reasons."""
    if kind not in ResponseKind.values:
        raise DomainError("Unknown response kind.", field_errors={"kind": ["Unknown kind."]})
    incident = Incident.objects.select_for_update().filter(pk=incident_id).first() if incident_id else None
    if incident_id and incident is None:
        raise DomainError("Unknown incident.", field_errors={"incident_id": ["Unknown incident."]})
    if incident is not None:
        require_incident_action(actor, "draft_response", incident)
    else:
        require_brand_action(actor, "draft_response")
    mention = None
    if mention_id:
        mention = Mention.all_objects.filter(pk=mention_id).first()
        if mention is None:
            raise DomainError("Unknown mention.", field_errors={"mention_id": ["Unknown mention."]})
        drill_mention_check(mention, incident)
    if kind in (ResponseKind.REPLY, ResponseKind.PRIVATE_MESSAGE) and mention is None:
        raise DomainError(
            "A reply answers a mention.", field_errors={"mention_id": ["Required for replies."]}
        )
    if kind in (ResponseKind.STATEMENT, ResponseKind.HOLDING_STATEMENT) and incident is None:
        raise DomainError(
            "A statement belongs to an incident.", field_errors={"incident_id": ["Required for statements."]}
        )
    template = None
    if template_id:
        template = ResponseTemplate.objects.filter(pk=template_id, is_active=True).first()
        if template is None:
            raise DomainError(
                "Unknown template.", field_errors={"template_id": ["Unknown or inactive template."]}
            )
        text = _render(template, context or {}, incident)
        language = language or template.language
    text = text_checked(text, field="text", max_length=TEXT_MAX)
    if not text:
        raise DomainError(
            "A response needs text or a template.", field_errors={"text": ["This field may not be blank."]}
        )
    if facts_promise_unkept(text):
        raise DomainError(
            _("The text promises facts but gives none after the promise; write the facts there."),
            field_errors={"text": [_("Give the facts the text promises.")]},
        )
    language = language or getattr(connection.tenant, "default_language", "id")
    if language not in LANGUAGE_CODES:
        raise DomainError("Use en or id.", field_errors={"language": ["Use en or id."]})
    passed, checks = _empathy(text, language=language, kind=kind, at_fault=at_fault)
    response = Response.objects.create(
        incident=incident,
        mention=mention,
        kind=kind,
        language=language,
        text=text,
        template=template,
        at_fault=at_fault,
        empathy_passed=passed,
        empathy_checks=checks,
        requires_client_approval=requires_client_approval,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if incident is not None:
        timeline_record(
            incident=incident,
            actor=actor,
            kind=TimelineKind.RESPONSE,
            text=f"Drafted {response.get_kind_display().lower()}"
            + (
                ""
                if passed
                else " (empathy check: " + ", ".join(c["code"] for c in checks if not c["ok"]) + ")"
            ),
            data={"response_id": str(response.pk), "event": "drafted", "empathy_passed": passed},
        )
    return response


def drill_mention_check(mention, incident: Incident | None) -> None:
    """A drill's post is answered or moderated only within its drill (whose actions never reach a
    network); a real incident never takes one."""
    if not mention.is_drill:
        return
    if (
        incident is None
        or not incident.is_drill
        or not incident.mention_links.filter(mention=mention).exists()
    ):
        raise DomainError(
            _("A drill post is handled from its drill's incident."),
            field_errors={"incident_id": [_("Use the drill's incident.")]},
        )


def _lock(response_id: UUID) -> Response:
    return (
        Response.objects.select_for_update(of=("self",))
        .select_related("incident", "mention")
        .get(pk=response_id)
    )


def _require_drafting(actor: User | None, response: Response) -> None:
    if response.incident_id:
        require_incident_action(actor, "draft_response", response.incident)
    else:
        require_brand_action(actor, "draft_response")


@transaction.atomic
def response_update(
    *, response_id: UUID, actor: User | None, text: str, at_fault: bool | None = None
) -> Response:
    """Change a draft's text; the empathy check runs again. Submitted or approved text is frozen."""
    response = _lock(response_id)
    _require_drafting(actor, response)
    if response.state != Response.State.DRAFT:
        raise DomainError(
            f"Only drafts can be edited; this response is {response.get_state_display().lower()}."
        )
    text = text_checked(text, field="text", max_length=TEXT_MAX)
    if not text:
        raise DomainError("A response needs text.", field_errors={"text": ["This field may not be blank."]})
    if at_fault is not None:
        response.at_fault = at_fault
    response.text = text
    response.empathy_passed, response.empathy_checks = _empathy(
        text, language=response.language, kind=response.kind, at_fault=response.at_fault
    )
    response.save(update_fields=["text", "at_fault", "empathy_passed", "empathy_checks", "updated_at"])
    return response


def _needs_approval(response: Response) -> bool:
    if response.is_statement or response.requires_client_approval:
        return True
    threshold = crisis_settings_get().reply_approval_max_severity
    if threshold is None:
        return False
    # Crisis mode: a reply on an open incident at or above the threshold goes through approval,
    # also when it was drafted from the mention without naming the incident the mention is in.
    incidents = Incident.objects.filter(status__in=Incident.OPEN_STATUSES, severity__lte=threshold)
    if response.incident_id:
        return incidents.filter(pk=response.incident_id).exists()
    return incidents.filter(mention_links__mention_id=response.mention_id).exists()


def _approve_action(response: Response) -> str:
    if response.requires_client_approval:
        return "approve_client"
    return "approve_statement" if response.is_statement else "approve_reply"


def _check_gate(response: Response) -> None:
    if response.is_statement and not response.empathy_passed and crisis_settings_get().statement_empathy_gate:
        reasons = [c["reason"] for c in response.empathy_checks if not c["ok"]]
        raise DomainError(
            "This statement does not pass the empathy check yet: " + " ".join(reasons),
            field_errors={"text": reasons},
        )


COMMENT_MAX_LENGTH = 2000


def decision_comment_clean(comment: str | None, *, required: bool = False, field: str = "comment") -> str:
    """The comment an approver gives with a decision: trimmed, bounded, required to send back."""
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise DomainError(
            f"Keep the comment under {COMMENT_MAX_LENGTH} characters.",
            field_errors={field: [f"At most {COMMENT_MAX_LENGTH} characters ({len(comment)} given)."]},
        )
    if required and not comment:
        raise DomainError("Say what needs to change.", field_errors={field: ["This field may not be blank."]})
    return comment


def _approve(response: Response, actor: User | None, comment: str = "") -> None:
    now = timezone.now()
    response.state = Response.State.APPROVED
    response.approved_by = actor if getattr(actor, "pk", None) else None
    response.approved_at = now
    response.approved_text = response.text
    response.save(update_fields=["state", "approved_by", "approved_at", "approved_text", "updated_at"])
    if response.incident_id:
        timeline_record(
            incident=response.incident,
            actor=actor,
            kind=TimelineKind.RESPONSE,
            text=f"Approved {response.get_kind_display().lower()}: {response.approved_text[:300]}"
            + (f"\nComment: {comment}" if comment else ""),
            data={"response_id": str(response.pk), "event": "approved", "comment": comment},
            # Statements are what the client shows the public; a client's own decision is theirs to see.
            pinned=response.is_statement or response.requires_client_approval,
        )
    if response.incident_id and response.incident.is_drill:
        # A drill never reaches the networks: the approval stands in for sending.
        _mark_sent(response, actor=None, external_id="drill", sent_at=now)
        return
    webhook_emit(event="response.approved", payload=response_payload(response))


def response_payload(response: Response) -> dict:
    mention = response.mention
    return {
        "id": str(response.pk),
        "kind": response.kind,
        "language": response.language,
        "text": response.approved_text,
        "incident_id": str(response.incident_id) if response.incident_id else None,
        "mention": (
            {"id": str(mention.pk), "platform": mention.platform, "external_id": mention.external_id}
            if mention is not None
            else None
        ),
        "confirm_url": f"/api/v1/responses/{response.pk}/confirm-sent/",
    }


@transaction.atomic
def response_submit(*, response_id: UUID, actor: User | None) -> Response:
    """Hand a draft on: to approval when it needs one (statements, crisis mode, client sign-off),
    otherwise straight to approved. Repeating it changes nothing."""
    response = _lock(response_id)
    _require_drafting(actor, response)
    if response.state != Response.State.DRAFT:
        return response
    _check_gate(response)
    response.requires_approval = _needs_approval(response)
    if not response.requires_approval:
        response.save(update_fields=["requires_approval"])
        _approve(response, actor)
        return response
    response.state = Response.State.PENDING_APPROVAL
    response.rejection_reason = ""
    response.save(update_fields=["state", "requires_approval", "rejection_reason", "updated_at"])
    if response.incident_id:
        timeline_record(
            incident=response.incident,
            actor=actor,
            kind=TimelineKind.RESPONSE,
            text=f"Submitted {response.get_kind_display().lower()} for approval",
            data={"response_id": str(response.pk), "event": "submitted"},
        )
    roles = (
        [BrandGrant.Role.CLIENT_APPROVER]
        if response.requires_client_approval
        else [BrandGrant.Role.CRISIS_MANAGER, BrandGrant.Role.SPOKESPERSON]
    )
    # Client approvers decide on the report page; the admin is staff-only.
    link = (
        f"/reports/incidents/{response.incident_id}/"
        if response.requires_client_approval and response.incident_id
        else f"/admin/incidents/response/{response.pk}/change/"
    )
    notify(
        subject=f"Waiting for your approval: {response.get_kind_display().lower()}",
        body=response.text,
        link=link,
        roles=roles,
    )
    return response


@transaction.atomic
def response_approve(*, response_id: UUID, actor: User | None, comment: str = "") -> Response:
    """Approve a submitted response: only the role the response needs may, with an optional
    comment on the timeline. The approved text is frozen and delivered to the integration.
    Approving twice changes nothing."""
    response = _lock(response_id)
    if response.state in (Response.State.APPROVED, Response.State.SENT):
        return response
    if response.state != Response.State.PENDING_APPROVAL:
        raise DomainError("Submit the draft for approval first.")
    if response.incident_id:
        require_incident_action(actor, _approve_action(response), response.incident)
    else:
        require_brand_action(actor, _approve_action(response))
    comment = decision_comment_clean(comment)
    _check_gate(response)
    _approve(response, actor, comment)
    return response


@transaction.atomic
def response_reject(*, response_id: UUID, actor: User | None, reason: str) -> Response:
    """Send a submitted response back to its writer as a draft, with the reason (the approver's
    comment). Repeating the same send-back changes nothing."""
    response = _lock(response_id)
    if response.state == Response.State.DRAFT and response.rejection_reason == (reason or "").strip() != "":
        return response  # the same send-back again (a double click, a retried request)
    if response.state != Response.State.PENDING_APPROVAL:
        raise DomainError("Only a response waiting for approval can be sent back.")
    if response.incident_id:
        require_incident_action(actor, _approve_action(response), response.incident)
    else:
        require_brand_action(actor, _approve_action(response))
    reason = decision_comment_clean(reason, required=True, field="reason")
    response.state, response.rejection_reason = Response.State.DRAFT, reason
    response.save(update_fields=["state", "rejection_reason", "updated_at"])
    if response.incident_id:
        timeline_record(
            incident=response.incident,
            actor=actor,
            kind=TimelineKind.RESPONSE,
            text=f"Sent back for changes: {reason}",
            data={"response_id": str(response.pk), "event": "rejected", "comment": reason},
            pinned=response.requires_client_approval,  # the client sees their own decision
        )
    return response


def _mark_sent(response: Response, *, actor: User | None, external_id: str, sent_at: datetime) -> None:
    response.state, response.sent_at, response.external_id = Response.State.SENT, sent_at, external_id[:200]
    response.save(update_fields=["state", "sent_at", "external_id", "updated_at"])
    mention = response.mention
    if mention is not None and mention.answered_at is None:
        # Time to first response is measured from the mention's post to this moment.
        type(mention).all_objects.filter(pk=mention.pk, answered_at__isnull=True).update(answered_at=sent_at)
        mention.answered_at = sent_at
    incident = response.incident
    if incident is not None:
        if incident.first_response_at is None:
            Incident.objects.filter(pk=incident.pk, first_response_at__isnull=True).update(
                first_response_at=sent_at
            )
            incident.first_response_at = sent_at
        seconds = None
        if mention is not None and getattr(mention, "posted_at", None):
            seconds = int((mention.answered_at - mention.posted_at).total_seconds())
        timeline_record(
            incident=incident,
            actor=actor,
            kind=TimelineKind.RESPONSE,
            text=f"Sent {response.get_kind_display().lower()}"
            + (f" ({seconds // 60} min after the post)" if seconds is not None else ""),
            data={
                "response_id": str(response.pk),
                "event": "sent",
                "external_id": external_id,
                "seconds_to_answer": seconds,
            },
            label="" if actor else "integration",
        )


@transaction.atomic
def response_confirm_sent(
    *, response_id: UUID, external_id: str = "", sent_at: datetime | None = None, actor: User | None = None
) -> Response:
    """The integration (actor None) confirms it posted an approved response; staff who post by
    hand may confirm too. Confirming twice is a no-op; an unapproved response is refused."""
    response = _lock(response_id)
    if actor is not None:
        _require_drafting(actor, response)
    if response.state == Response.State.SENT:
        return response
    if response.state != Response.State.APPROVED:
        raise DomainError(
            f"Only an approved response can be sent; this one is {response.get_state_display().lower()}."
        )
    now = timezone.now()
    sent_at = min(sent_at or now, now)
    _mark_sent(response, actor=actor, external_id=external_id or "", sent_at=sent_at)
    return response


@transaction.atomic
def response_withdraw(*, response_id: UUID, actor: User | None) -> Response:
    """Withdraw a response that was not sent yet (nothing is posted). Repeating it changes nothing."""
    response = _lock(response_id)
    _require_drafting(actor, response)
    if response.state == Response.State.WITHDRAWN:
        return response
    if response.state == Response.State.SENT:
        raise DomainError("A sent response cannot be withdrawn; post a correction instead.")
    was_approved = response.state == Response.State.APPROVED
    response.state = Response.State.WITHDRAWN
    response.save(update_fields=["state", "updated_at"])
    if response.incident_id:
        timeline_record(
            incident=response.incident,
            actor=actor,
            kind=TimelineKind.RESPONSE,
            text=f"Withdrew {response.get_kind_display().lower()}",
            data={"response_id": str(response.pk), "event": "withdrawn"},
        )
    if was_approved and not (response.incident_id and response.incident.is_drill):
        webhook_emit(event="response.withdrawn", payload={"id": str(response.pk)})
    return response

"""Care cases: take a public complaint private, log every private contact, attach the customer's
DMs, close with an outcome and a public closing reply, remind owners of overdue cases, and erase a
customer's personal data on request. Roles are read from `incidents.permissions.CARE_MATRIX`; the
invitation and the closing reply are ordinary responses (templates, empathy check, approval)."""

from datetime import datetime, timedelta
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from incidents.models import (
    CareCase,
    CareCaseMention,
    CareContact,
    CareSettings,
    Incident,
    Mention,
    Response,
    ResponseKind,
    ResponseTemplate,
    RosterMember,
    TimelineKind,
)
from incidents.permissions import care_can, require_care_action
from incidents.services.notifications import email_contacts, notify
from incidents.services.responses import response_draft
from incidents.services.timeline import actor_label, timeline_record
from incidents.services.webhooks import webhook_emit
from surveys.selectors import contact_opted_out
from surveys.services.erasure import invitations_erase_person
from surveys.services.invitations import invitation_create, invitation_unreachable
from tenants.errors import DomainError
from tenants.localization import stored_text
from tenants.models import BrandGrant, User

MAX_MENTIONS = 50


def care_settings_get(*, for_update: bool = False) -> CareSettings:
    """The brand's care settings row, created on first use; locked to allocate case numbers."""
    CareSettings.objects.bulk_create([CareSettings(id=1)], ignore_conflicts=True)
    queryset = CareSettings.objects.select_for_update() if for_update else CareSettings.objects
    return queryset.get(pk=1)


@transaction.atomic
def care_settings_update(
    *, actor: User | None, resolve_within_hours: int, escalate_after_hours: int
) -> CareSettings:
    """Set the brand's care targets (brand-wide roles only)."""
    require_care_action(actor, "care_erase")
    errors = {}
    for name, value in (
        ("resolve_within_hours", resolve_within_hours),
        ("escalate_after_hours", escalate_after_hours),
    ):
        if not isinstance(value, int) or not 1 <= value <= 24 * 30:
            errors[name] = [_("Between 1 and 720 hours.")]
    if errors:
        raise DomainError(_("The care targets are not valid."), field_errors=errors)
    row = care_settings_get(for_update=True)
    row.resolve_within_hours, row.escalate_after_hours = resolve_within_hours, escalate_after_hours
    row.save(update_fields=["resolve_within_hours", "escalate_after_hours"])
    return row


def _lock(case_id: UUID) -> CareCase:
    case = (
        CareCase.objects.select_for_update(of=("self",)).select_related("incident").filter(pk=case_id).first()
    )
    if case is None:
        raise CareCase.DoesNotExist("No such care case.")
    return case


def _record(case: CareCase, *, actor: User | None, text: str, event: str, **data) -> None:
    """Put what happened on the incident's timeline when the case belongs to one. Never any
    personal detail: the timeline is append-only and would outlive an erasure."""
    if case.incident_id is None:
        return
    timeline_record(
        incident=case.incident,
        actor=actor,
        kind=TimelineKind.CARE,
        text=f"C-{case.number}: {text}",
        data={"care_case_id": str(case.pk), "event": event, **data},
    )


def care_case_payload(case: CareCase) -> dict:
    """What webhooks carry: state and times, never the customer's handle or details."""
    return {
        "id": str(case.pk),
        "number": case.number,
        "platform": case.platform,
        "state": case.state,
        "incident_id": str(case.incident_id) if case.incident_id else None,
        "opened_at": case.opened_at,
        "due_at": case.due_at,
        "private_contact_at": case.private_contact_at,
        "closed_at": case.closed_at,
    }


def _details(*, customer_name: str, customer_email: str, customer_phone: str) -> dict:
    errors: dict[str, list[str]] = {}
    name, email, phone = (
        (customer_name or "").strip(),
        (customer_email or "").strip(),
        (customer_phone or "").strip(),
    )
    if len(name) > 200:
        errors["customer_name"] = [_("At most 200 characters.")]
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors["customer_email"] = [_("Enter a valid email address.")]
    if phone and (len(phone) > 40 or not all(c.isdigit() or c in "+-() ." for c in phone)):
        errors["customer_phone"] = [_("Enter a phone number: digits, spaces and + - ( ) only.")]
    if errors:
        raise DomainError(_("The customer's contact details are not valid."), field_errors=errors)
    return {"customer_name": name, "customer_email": email, "customer_phone": phone}


# --- Opening --------------------------------------------------------------------------------------
@transaction.atomic
def care_case_open(
    *,
    actor: User | None,
    mention_ids: list[UUID],
    incident_id: UUID | None = None,
    owner_id: UUID | None = None,
    customer_name: str = "",
    customer_email: str = "",
    customer_phone: str = "",
) -> CareCase:
    """Open a care case for the author of these public mentions. If that customer already has an
    open case, the mentions join it (opening twice never makes two cases)."""
    require_care_action(actor, "care_work")
    details = _details(
        customer_name=customer_name, customer_email=customer_email, customer_phone=customer_phone
    )
    if any(details.values()):
        require_care_action(actor, "care_contact_details")
    ids = list(dict.fromkeys(mention_ids or []))
    if not ids:
        raise DomainError(
            _("A care case starts from a mention."), field_errors={"mention_ids": [_("Required.")]}
        )
    if len(ids) > MAX_MENTIONS:
        raise DomainError(
            _("Too many mentions."), field_errors={"mention_ids": [_("At most %d.") % MAX_MENTIONS]}
        )
    mentions = list(Mention.objects.filter(pk__in=ids))
    if len(mentions) != len(ids):
        raise DomainError(_("Unknown mention."), field_errors={"mention_ids": [_("Unknown mention.")]})
    authors = {(m.platform, m.author_handle) for m in mentions}
    if len(authors) != 1:
        raise DomainError(
            _("A care case is for one customer: the mentions have different authors."),
            field_errors={"mention_ids": [_("All mentions must be by the same author on one platform.")]},
        )
    if any(m.is_own for m in mentions):
        raise DomainError(
            _("The brand's own posts cannot open a care case."),
            field_errors={"mention_ids": [_("This is the brand's own post.")]},
        )
    platform, handle = authors.pop()
    incident = None
    if incident_id:
        incident = Incident.objects.filter(pk=incident_id).first()
        if incident is None:
            raise DomainError(_("Unknown incident."), field_errors={"incident_id": [_("Unknown incident.")]})
    owner = None
    if owner_id:
        owner = RosterMember.objects.filter(pk=owner_id, is_active=True).first()
        if owner is None:
            raise DomainError(
                _("Unknown owner."), field_errors={"owner_id": [_("Unknown or inactive member.")]}
            )
    # The settings row lock serialises openings, so two requests for one customer make one case.
    settings_row = care_settings_get(for_update=True)
    case = (
        CareCase.objects.select_for_update()
        .filter(platform=platform, author_handle=handle, state__in=CareCase.OPEN_STATES)
        .first()
    )
    now = timezone.now()
    created = case is None
    if created:
        settings_row.last_case_number += 1
        settings_row.save(update_fields=["last_case_number"])
        case = CareCase.objects.create(
            number=settings_row.last_case_number,
            platform=platform,
            author_handle=handle,
            incident=incident,
            owner=owner,
            opened_by=actor if getattr(actor, "pk", None) else None,
            opened_at=now,
            due_at=now + timedelta(hours=settings_row.resolve_within_hours),
            **details,
        )
    else:
        changed = []
        if incident is not None and case.incident_id is None:
            case.incident, changed = incident, [*changed, "incident"]
        if owner is not None and case.owner_id is None:
            case.owner, changed = owner, [*changed, "owner"]
        for field, value in details.items():
            if value and not getattr(case, field):
                setattr(case, field, value)
                changed.append(field)
        if changed:
            case.save(update_fields=[*changed, "updated_at"])
    existing = set(case.mention_links.values_list("mention_id", flat=True))
    new = [m for m in mentions if m.pk not in existing]
    CareCaseMention.objects.bulk_create(
        [CareCaseMention(case=case, mention=m, is_private=m.kind == Mention.Kind.DIRECT_MESSAGE) for m in new]
    )
    if created:
        _record(case, actor=actor, text=_("care case opened from %d mention(s)") % len(new), event="opened")
        webhook_emit(event="case.opened", payload=care_case_payload(case))
        if owner is not None:
            _tell_owner(
                case,
                subject=_("Care case C-%d is yours") % case.number,
                body=_("A complaint was taken private; you own the case."),
            )
    elif new:
        _record(case, actor=actor, text=_("%d mention(s) added") % len(new), event="mentions_added")
    return case


INVITATION = {
    "en": "Hi {customer_name}, we are sorry about this and we want to fix it for you. Could you send "
    "us a direct message with your order number and a phone number or email, so we can help you "
    "personally? ({case_number})",
    "id": "Halo {customer_name}, mohon maaf atas ketidaknyamanannya, kami ingin membantu "
    "menyelesaikannya. Boleh kirimkan pesan langsung berisi nomor pesanan dan nomor telepon atau "
    "email Kakak, agar kami bisa membantu secara pribadi? ({case_number})",
}


# --- The public side ------------------------------------------------------------------------------
@transaction.atomic
def care_case_invite(
    *,
    actor: User | None,
    case_id: UUID,
    text: str = "",
    template_id: UUID | None = None,
    context: dict | None = None,
    language: str | None = None,
) -> CareCase:
    """Draft the public reply that invites the customer to a private channel (a "move to DM"
    response, empathy-checked and approved like any other). Repeating it drafts nothing new while
    the invitation is not withdrawn."""
    require_care_action(actor, "care_work")
    case = _lock(case_id)
    if not case.is_open:
        raise DomainError(_("This case is closed."))
    if case.invitation_id and case.invitation.state != Response.State.WITHDRAWN:
        return case
    origin = _public_mention(case)
    values = {"customer_name": case.author_handle, "case_number": f"C-{case.number}", **(context or {})}
    language = (
        language
        or origin.language
        or origin.source_language
        or getattr(connection.tenant, "default_language", "id")
    )
    if language not in INVITATION:
        raise DomainError(_("Use en or id."), field_errors={"language": [_("Use en or id.")]})
    if not (text or "").strip() and not template_id:
        # The brand's own "move to DM" template in that language, else the built-in one.
        template = ResponseTemplate.objects.filter(
            situation=ResponseTemplate.Situation.MOVE_TO_DM, language=language, is_active=True
        ).first()
        if template is not None:
            template_id = template.pk
        else:
            text = INVITATION[language].format(**values)
    response = response_draft(
        actor=actor,
        kind=ResponseKind.PRIVATE_MESSAGE,
        incident_id=case.incident_id,
        mention_id=origin.pk,
        text=text,
        template_id=template_id,
        context=values,
        language=language,
    )
    case.invitation = response
    fields = ["invitation", "updated_at"]
    if case.state == CareCase.State.NEW:
        case.state, case.invited_at = CareCase.State.INVITED, timezone.now()
        fields += ["state", "invited_at"]
    case.save(update_fields=fields)
    _record(case, actor=actor, text=_("invitation to a private channel drafted"), event="invited")
    return case


def _public_mention(case: CareCase) -> Mention:
    link = case.mention_links.select_related("mention").filter(is_private=False).first()
    if link is None:
        raise DomainError(_("This case has no public mention to answer."))
    return link.mention


# --- Private contacts -----------------------------------------------------------------------------
def _first_private_contact(case: CareCase, at: datetime) -> list[str]:
    fields = []
    if case.private_contact_at is None or at < case.private_contact_at:
        case.private_contact_at = at
        fields.append("private_contact_at")
    if case.state in (CareCase.State.NEW, CareCase.State.INVITED):
        case.state = CareCase.State.IN_PRIVATE
        fields.append("state")
    return fields


@transaction.atomic
def care_contact_log(
    *,
    actor: User | None,
    case_id: UUID,
    channel: str,
    direction: str,
    summary: str = "",
    at: datetime | None = None,
) -> CareContact:
    """Log one private contact (call, DM, email, meeting). The first one moves the case into
    private conversation and starts the clock of time to private contact."""
    require_care_action(actor, "care_work")
    errors = {}
    if channel not in CareContact.Channel.values:
        errors["channel"] = [_("Unknown channel.")]
    if direction not in CareContact.Direction.values:
        errors["direction"] = [_("Unknown direction.")]
    if len(summary or "") > 8000:
        errors["summary"] = [_("At most 8000 characters.")]
    now = timezone.now()
    at = at or now
    if at > now + timedelta(minutes=5):
        errors["at"] = [_("A contact cannot be in the future.")]
    if errors:
        raise DomainError(_("The contact could not be logged."), field_errors=errors)
    case = _lock(case_id)
    if not case.is_open:
        raise DomainError(_("This case is closed."))
    if at < case.opened_at - timedelta(days=30):
        raise DomainError(_("The contact is long before the case."), field_errors={"at": [_("Too early.")]})
    contact = CareContact.objects.create(
        case=case,
        channel=channel,
        direction=direction,
        summary=(summary or "").strip(),
        at=at,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label(actor),
    )
    fields = _first_private_contact(case, at)
    if fields:
        case.save(update_fields=[*fields, "updated_at"])
    _record(
        case,
        actor=actor,
        text=_("%(channel)s logged (%(direction)s)")
        % {"channel": contact.get_channel_display(), "direction": contact.get_direction_display().lower()},
        event="contact",
        channel=channel,
        direction=direction,
    )
    return contact


def care_dms_attach(*, mention_ids: list) -> int:
    """Attach incoming direct messages to their author's open case (called by intake, inside its
    transaction). A DM whose author has no open case is left alone. Returns how many attached."""
    dms = list(Mention.objects.filter(pk__in=mention_ids, kind=Mention.Kind.DIRECT_MESSAGE, is_own=False))
    if not dms:
        return 0
    # One query for the open cases of every author in the batch (a bulk intake holds thousands of
    # DMs, nearly all from people without a case); each author's first case, as .first() chose.
    open_cases: dict[tuple[str, str], CareCase] = {}
    for case in (
        CareCase.objects.select_for_update(of=("self",))
        .select_related("incident")
        .filter(author_handle__in={dm.author_handle for dm in dms}, state__in=CareCase.OPEN_STATES)
        .order_by("-opened_at")  # the case the author opened last, as before
    ):
        open_cases.setdefault((case.platform, case.author_handle), case)
    attached = 0
    for dm in dms:
        case = open_cases.get((dm.platform, dm.author_handle))
        if case is None or CareCaseMention.objects.filter(case=case, mention=dm).exists():
            continue  # a resend of the same DM attaches nothing twice
        CareCaseMention.objects.create(case=case, mention=dm, is_private=True)
        CareContact.objects.create(
            case=case,
            channel=CareContact.Channel.DM,
            direction=CareContact.Direction.INCOMING,
            at=dm.posted_at,
            mention=dm,
            actor_label="intake",
        )
        fields = _first_private_contact(case, dm.posted_at)
        if fields:
            case.save(update_fields=[*fields, "updated_at"])
        _record(case, actor=None, text=_("direct message from the customer attached"), event="dm_attached")
        attached += 1
    return attached


@transaction.atomic
def care_case_update(
    *,
    actor: User | None,
    case_id: UUID,
    owner_id: UUID | None = None,
    customer_name: str | None = None,
    customer_email: str | None = None,
    customer_phone: str | None = None,
) -> CareCase:
    """Change the owner or the customer's contact details (details: only roles that see them)."""
    require_care_action(actor, "care_work")
    case = _lock(case_id)
    fields = []
    given = {
        k: v
        for k, v in {
            "customer_name": customer_name,
            "customer_email": customer_email,
            "customer_phone": customer_phone,
        }.items()
        if v is not None
    }
    if given:
        require_care_action(actor, "care_contact_details")
        if case.erased_at is not None:
            raise DomainError(_("This customer's personal data was erased; it is not collected again here."))
        current = {f: getattr(case, f) for f in ("customer_name", "customer_email", "customer_phone")}
        details = _details(**{**current, **given})
        for field in given:
            setattr(case, field, details[field])
            fields.append(field)
    if owner_id is not None:
        owner = RosterMember.objects.filter(pk=owner_id, is_active=True).first()
        if owner is None:
            raise DomainError(
                _("Unknown owner."), field_errors={"owner_id": [_("Unknown or inactive member.")]}
            )
        if owner.pk != case.owner_id:
            case.owner, case.reminded_at = owner, None
            fields += ["owner", "reminded_at"]
            _record(case, actor=actor, text=_("owner set to %s") % owner.name, event="owner")
    if fields:
        case.save(update_fields=[*fields, "updated_at"])
    return case


# --- Closing --------------------------------------------------------------------------------------
CLOSING_REPLY = {
    # Acknowledges, apologises and names the remedy, so the empathy check can pass as drafted.
    "en": "Hi {customer_name}, thank you for your patience, and we are sorry for the trouble. We have "
    "resolved this with you privately and fixed the problem. If anything else comes up, we are here "
    "to help. ({case_number})",
    "id": "Halo {customer_name}, terima kasih atas kesabarannya dan mohon maaf atas ketidaknyamanannya. "
    "Kami sudah menyelesaikan masalah ini bersama Kakak secara pribadi dan sudah memperbaikinya. Jika "
    "ada hal lain, kami siap membantu. ({case_number})",
}


@transaction.atomic
def care_case_close(
    *,
    actor: User | None,
    case_id: UUID,
    state: str,
    outcome: str = "",
    closing_text: str = "",
    closing_template_id: UUID | None = None,
    language: str | None = None,
    survey_id: UUID | None = None,
) -> CareCase:
    """Close the case as resolved, unresolved or customer unreachable. A resolved case gets a
    public closing reply on the original complaint, drafted (the brand's default text unless a
    text or template is given) and approved like any reply; when it is sent the complaint counts
    as answered. With `survey_id`, a resolved case's customer is invited to that satisfaction
    survey (by email or phone), unless they opted out of the brand's surveys. Closing a closed
    case changes nothing."""
    require_care_action(actor, "care_work")
    if state not in CareCase.CLOSED_STATES:
        raise DomainError(
            _("Close a case as resolved, unresolved or unreachable."),
            field_errors={"state": [_("Choose resolved, unresolved or unreachable.")]},
        )
    if len(outcome or "") > 8000:
        raise DomainError(
            _("The outcome is too long."), field_errors={"outcome": [_("At most 8000 characters.")]}
        )
    case = _lock(case_id)
    if not case.is_open:
        return case
    now = timezone.now()
    case.state, case.closed_at, case.outcome = state, now, (outcome or "").strip()
    fields = ["state", "closed_at", "outcome", "updated_at"]
    if state == CareCase.State.RESOLVED:
        origin = _public_mention(case)
        language = (
            language
            or origin.language
            or origin.source_language
            or getattr(connection.tenant, "default_language", "id")
        )
        if language not in CLOSING_REPLY:
            raise DomainError(_("Use en or id."), field_errors={"language": [_("Use en or id.")]})
        text = closing_text
        if not text and not closing_template_id:
            text = CLOSING_REPLY[language].format(
                customer_name=case.author_handle, case_number=f"C-{case.number}"
            )
        case.closing_reply = response_draft(
            actor=actor,
            kind=ResponseKind.REPLY,
            incident_id=case.incident_id,
            mention_id=origin.pk,
            text=text,
            template_id=closing_template_id,
            context={"customer_name": case.author_handle, "case_number": f"C-{case.number}"},
            language=language,
        )
        fields.append("closing_reply")
        if survey_id:
            fields += _survey_invite(case, survey_id=survey_id, language=language, actor=actor)
    case.save(update_fields=fields)
    with override(None):
        label = str(CareCase.State(state).label).lower()
    _record(case, actor=actor, text=_("closed: %s") % label, event="closed", state=state)
    webhook_emit(event="case.resolved", payload=care_case_payload(case))
    return case


def _survey_invite(case: CareCase, *, survey_id: UUID, language: str, actor: User | None) -> list[str]:
    """Invite the customer to the satisfaction survey (inside the closing transaction: a survey
    that cannot take the invitation refuses the whole closing)."""
    if not (case.customer_email or case.customer_phone):
        raise DomainError(
            _("There is no email or phone to send the survey to."),
            field_errors={"survey_id": [_("Add the customer's email or phone first.")]},
        )
    if contact_opted_out(email=case.customer_email or "", phone=case.customer_phone or ""):
        _record(case, actor=actor, text=_("no survey sent: the customer opted out"), event="survey_opted_out")
        return []
    invitation, _link = invitation_create(
        survey_id=survey_id,
        name=case.customer_name or "",
        email=case.customer_email or "",
        phone=case.customer_phone or "",
        language=language,
        incident_id=case.incident_id,
        mention_author=case.author_handle,
        send_message=True,
    )
    case.survey_invitation_id = invitation.pk
    if invitation_unreachable(invitation):
        _record(
            case,
            actor=actor,
            text=_("no survey sent: only a phone, and the brand has no messaging channel enabled"),
            event="survey_unreachable",
        )
        return ["survey_invitation_id"]
    _record(case, actor=actor, text=_("satisfaction survey sent to the customer"), event="survey_sent")
    return ["survey_invitation_id"]


# --- Personal data --------------------------------------------------------------------------------
def _erase(case: CareCase, *, actor: User | None, now: datetime, by_retention: bool = False) -> None:
    # The same person in the brand's surveys (the satisfaction survey this case sent, and any
    # invitation with their email, phone or handle) goes too; read before the case is emptied.
    invitations_erase_person(
        emails=[case.customer_email or ""],
        phones=[case.customer_phone or ""],
        mention_author=case.author_handle,
        invitation_ids=[case.survey_invitation_id] if case.survey_invitation_id else [],
    )
    case.customer_name = case.customer_email = case.customer_phone = case.outcome = ""
    case.erased_at = now
    case.save(
        update_fields=[
            "customer_name",
            "customer_email",
            "customer_phone",
            "outcome",
            "erased_at",
            "updated_at",
        ]
    )
    CareContact.objects.filter(case=case).update(summary="")
    # The customer's private messages are theirs: their text and name go with the rest.
    private = case.mention_links.filter(is_private=True).values_list("mention_id", flat=True)
    Mention.objects.filter(pk__in=list(private)).update(text="", author_name="", url="")
    if by_retention:
        _record(
            case, actor=None, text=_("customer's personal data erased by the retention rule"), event="erased"
        )
    else:
        _record(case, actor=actor, text=_("customer's personal data erased on request"), event="erased")


@transaction.atomic
def care_case_erase(*, actor: User | None, case_id: UUID) -> CareCase:
    """Erase the customer's personal data from one case: name, email, phone, the outcome and
    contact summaries, and the text of their DMs. The case keeps its state and times (the figures
    need them). Erasing twice records nothing twice."""
    require_care_action(actor, "care_erase")
    case = _lock(case_id)
    if case.erased_at is None:
        _erase(case, actor=actor, now=timezone.now())
    return case


@transaction.atomic
def care_customer_erase(*, actor: User | None, platform: str, author_handle: str) -> int:
    """Erase a person's personal data from every care case of the brand (a request names them by
    their handle). Returns how many cases were erased now."""
    require_care_action(actor, "care_erase")
    now, erased = timezone.now(), 0
    cases = CareCase.objects.select_for_update(of=("self",)).select_related("incident")
    for case in cases.filter(platform=platform, author_handle=author_handle, erased_at__isnull=True):
        _erase(case, actor=actor, now=now)
        erased += 1
    return erased


@transaction.atomic
def care_cases_erase_closed_before(*, before: datetime) -> int:
    """The brand's retention rule: erase the personal data of cases closed before `before` (the
    same erasure as on request, survey invitations of the person included). Returns how many."""
    now, erased = timezone.now(), 0
    cases = CareCase.objects.select_for_update(of=("self",)).select_related("incident")
    for case in cases.filter(closed_at__lt=before, erased_at__isnull=True):
        _erase(case, actor=None, now=now, by_retention=True)
        erased += 1
    return erased


def care_details_visible(user) -> bool:
    """Whether this person may see customer contact details and private texts (API, admin, CSV)."""
    try:
        return care_can(user, "care_contact_details")
    except PermissionDenied:
        return False


# --- Reminders ------------------------------------------------------------------------------------
def _tell_owner(case: CareCase, *, subject: dict, body: dict) -> None:
    owner = case.owner
    link = f"/admin/incidents/carecase/{case.pk}/change/"
    if owner is None:
        notify(subject=subject, body=body, link=link, roles=[BrandGrant.Role.CUSTOMER_CARE])
    elif owner.user_id:
        notify(subject=subject, body=body, link=link, users=[owner.user])
    else:
        email_contacts(subject=subject, body=body, emails=[owner.email])


def care_reminders_send(*, now: datetime | None = None) -> dict[str, int]:
    """Remind owners of overdue open cases, once per due time, and past the brand's second
    threshold tell the crisis managers. Each case is claimed with a conditional UPDATE, so two
    sweeps at once remind once."""
    now = now or timezone.now()
    escalate_after = timedelta(hours=care_settings_get().escalate_after_hours)
    open_cases = CareCase.objects.filter(state__in=CareCase.OPEN_STATES)
    reminded = escalated = 0
    for case_id in open_cases.filter(reminded_at__isnull=True, due_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            if not CareCase.objects.filter(pk=case_id, reminded_at__isnull=True).update(reminded_at=now):
                continue
            case = CareCase.objects.select_related("owner__user", "incident").get(pk=case_id)
            _tell_owner(
                case,
                subject=stored_text(gettext_lazy("Care case C-%(number)s is overdue"), number=case.number),
                body=stored_text(gettext_lazy("It was due at %(at)s."), at=case.due_at),
            )
            _record(case, actor=None, text=_("owner reminded: the case is overdue"), event="reminded")
            reminded += 1
    late = open_cases.filter(escalated_at__isnull=True, due_at__lte=now - escalate_after)
    for case_id in late.values_list("pk", flat=True):
        with transaction.atomic():
            if not CareCase.objects.filter(pk=case_id, escalated_at__isnull=True).update(escalated_at=now):
                continue
            case = CareCase.objects.select_related("incident").get(pk=case_id)
            notify(
                subject=stored_text(
                    gettext_lazy("Care case C-%(number)s is long overdue"), number=case.number
                ),
                body=stored_text(gettext_lazy("It was due at %(at)s and is still open."), at=case.due_at),
                link=f"/admin/incidents/carecase/{case.pk}/change/",
                roles=[BrandGrant.Role.CRISIS_MANAGER],
            )
            _record(case, actor=None, text=_("escalated to the crisis manager"), event="escalated")
            escalated += 1
    return {"care_reminders": reminded, "care_escalations": escalated}


# --- Key rotation ---------------------------------------------------------------------------------
ENCRYPTED_FIELDS = {
    CareCase: ("customer_name", "customer_email", "customer_phone", "outcome"),
    CareContact: ("summary",),
}


def encrypted_fields_reset() -> None:
    """Forget the derived keys the encrypted fields cache, so changed key settings apply."""
    for model, names in ENCRYPTED_FIELDS.items():
        for name in names:
            field = model._meta.get_field(name)
            for cached in ("keys", "f"):
                field.__dict__.pop(cached, None)


def personal_data_reencrypt(*, batch: int = 500) -> int:
    """Re-encrypt every encrypted value of the current brand with the first key (after a new key
    was put first). Reading accepts every listed key, so this can run while the brand works.
    Returns how many rows were written."""
    written = 0
    for model, names in ENCRYPTED_FIELDS.items():
        ids = list(model.objects.values_list("pk", flat=True))
        for start in range(0, len(ids), batch):
            with transaction.atomic():
                rows = (
                    model.objects.select_for_update()
                    .filter(pk__in=ids[start : start + batch])
                    .only("pk", *names)
                )
                for row in rows:
                    # Saving writes each value encrypted with the first (current) key.
                    model.objects.filter(pk=row.pk).update(**{n: getattr(row, n) for n in names})
                    written += 1
    return written

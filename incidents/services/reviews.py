"""Post-crisis reviews: opened with the incident's resolution (same transaction, once per
incident), figures computed by a task (the review row is the outbox record; a sweep re-hands it),
affected customers surveyed after a delay through surveys' one named service, team feedback,
action items, lessons turned into a new crisis-plan version, reminders, and completion."""

import logging
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import (
    REVIEW_DUE_DAYS,
    REVIEW_STEPS,
    CareCase,
    CrisisPlanVersion,
    CrisisRole,
    Incident,
    IncidentAssignment,
    Review,
    ReviewActionItem,
    ReviewCustomer,
    ReviewFeedback,
    ReviewLesson,
    RosterMember,
    TimelineKind,
    review_steps_for,
)
from incidents.permissions import brand_role, require_incident_action
from incidents.selectors_figures import review_figures
from incidents.services.notifications import email_contacts, notify
from incidents.services.plans import crisis_plan_draft_propose
from incidents.services.settings import crisis_settings_get
from incidents.services.timeline import timeline_record
from incidents.services.webhooks import webhook_emit
from incidents.tasks import reviews as review_tasks
from surveys.services.invitations import invitation_unreachable, survey_send_for_incident
from tenants import outbox
from tenants.contacts import contact_errors
from tenants.errors import DomainError
from tenants.localization import stored_text
from tenants.models import BrandGrant, User
from tenants.roles import role_can

logger = logging.getLogger(__name__)


def _review_link(review: Review) -> str:
    return f"/admin/incidents/review/{review.pk}/change/"


def _tell_member(member: RosterMember, *, subject: str | dict, body: str | dict, link: str) -> None:
    if member.user_id:
        notify(subject=subject, body=body, link=link, users=[member.user])
    else:
        email_contacts(subject=subject, body=body, emails=[member.contact_email])


def review_payload(review: Review) -> dict:
    return {
        "id": str(review.pk),
        "incident": str(review.incident_id),
        "incident_number": review.incident.number,
        "incident_display_number": review.incident.display_number,
        "state": review.state,
        "due_at": review.due_at,
        "figures": review.figures,
    }


def review_survey_delay_hours() -> int:
    """Hours from resolution until the affected customers are surveyed: the brand's own setting,
    else the installation's default."""
    own = crisis_settings_get().review_survey_delay_hours
    return settings.REVIEW_SURVEY_DELAY_HOURS if own is None else own


def review_open(*, incident: Incident, now: datetime | None = None) -> Review:
    """Open the incident's review, or hand its figures over again when it has one (a resolution
    repeated after a reopening). Called inside the resolving transaction, with the incident
    locked, so two resolutions at once still make one review."""
    now = now or timezone.now()
    existing = Review.objects.filter(incident=incident).first()
    if existing is not None:
        # Resolved again after a reopening: the crisis changed, so its review is open again
        # (a completed one included) and its figures are asked for again.
        Review.objects.filter(pk=existing.pk).update(
            state=Review.State.OPEN,
            completed_at=None,
            completed_by=None,
            signed_off_at=None,
            signed_off_by=None,
            **outbox.pending_fields(now),
        )
        outbox.hand_over_on_commit(review_tasks.review_figures_task, str(existing.pk))
        existing.refresh_from_db()
        return existing
    manager = (
        IncidentAssignment.objects.filter(
            incident=incident, role=CrisisRole.CRISIS_MANAGER, member__user__isnull=False
        )
        .select_related("member")
        .order_by(F("ended_at").asc(nulls_first=True), "-started_at")  # an active manager first
        .first()
    )
    review = Review.objects.create(
        incident=incident,
        is_drill=incident.is_drill,
        owner_id=manager.member.user_id if manager else incident.opened_by_id,
        due_at=now + timedelta(days=REVIEW_DUE_DAYS[incident.severity]),
        steps=review_steps_for(incident.severity),
        survey_due_at=(incident.resolved_at or now) + timedelta(hours=review_survey_delay_hours()),
        **outbox.pending_fields(now),
    )
    # Everyone who held a role on the incident is asked for feedback.
    members = {
        a.member_id: a.member
        for a in IncidentAssignment.objects.filter(incident=incident).select_related("member__user")
    }
    ReviewFeedback.objects.bulk_create(
        [ReviewFeedback(review=review, member=m) for m in members.values()], ignore_conflicts=True
    )
    for member in members.values():
        _tell_member(
            member,
            subject=f"How did {incident.label} go? Rate it 1–5",
            body=f"“{incident.title}” is resolved. Give the review a rating from 1 to 5 and a few words.",
            link=_review_link(review),
        )
    timeline_record(
        incident=incident,
        actor=None,
        kind=TimelineKind.REVIEW,
        text=f"Post-crisis review opened, due {timezone.localtime(review.due_at):%d %b %Y}",
        data={"review_id": str(review.pk)},
    )
    outbox.hand_over_on_commit(review_tasks.review_figures_task, str(review.pk))
    if not review.is_drill:
        webhook_emit(event="review.opened", payload=review_payload(review))
    return review


def review_figures_compute(*, review_id: UUID, now: datetime | None = None) -> bool:
    """Compute and store the review's figures, once per request (claimed like every outbox item;
    a duplicate task finds it taken). Returns whether this call computed them."""
    if not outbox.claim(Review.objects, review_id):
        return False
    now = now or timezone.now()
    review = Review.objects.select_related("incident").get(pk=review_id)
    try:
        figures, method = review_figures(incident=review.incident, now=now)
    except Exception as exc:
        outbox.release(Review.objects, review_id, error=f"{type(exc).__name__}: {exc}")
        raise
    with transaction.atomic():
        if outbox.complete(
            Review.objects, review_id, figures=figures, figures_method=method, figures_computed_at=now
        ):
            _step_mark(review_id=review_id, step="figures", now=now)
    return True


def _step_mark(*, review_id: UUID, step: str, now: datetime, state: str = "done", reason: str = "") -> None:
    """Record a step of the review's policy (a step the policy does not have is left alone)."""
    review = Review.objects.select_for_update().only("steps").get(pk=review_id)
    if step in review.steps:
        review.steps[step] = {"state": state, "reason": reason, "at": now.isoformat()}
        Review.objects.filter(pk=review_id).update(steps=review.steps)


@transaction.atomic
def review_step_set(
    *, review_id: UUID, actor: User | None, step: str, state: str, reason: str = ""
) -> Review:
    """Mark a step of the review done, or skipped with a reason, or pending again."""
    review = _review_for_update(review_id, actor)
    if step not in review.steps:
        known = ", ".join(review.steps) or "none"
        raise DomainError(
            f"This review has no step {step!r}; its steps: {known}.", field_errors={"step": ["Unknown step."]}
        )
    if state not in ("pending", "done", "skipped"):
        raise DomainError("Use pending, done or skipped.", field_errors={"state": ["Unknown state."]})
    reason = (reason or "").strip()
    if state == "skipped" and not reason:
        raise DomainError("Say why the step is skipped.", field_errors={"reason": ["Give a reason."]})
    _step_mark(review_id=review.pk, step=step, now=timezone.now(), state=state, reason=reason)
    review.refresh_from_db()
    timeline_record(
        incident=review.incident,
        actor=actor,
        kind=TimelineKind.REVIEW,
        text=f"Review step “{REVIEW_STEPS[step]}”: {state}" + (f" ({reason})" if reason else ""),
        data={"review_id": str(review.pk), "step": step, "state": state},
    )
    return review


def _review_for_update(review_id: UUID, actor: User | None, action: str = "resolve") -> Review:
    review = Review.objects.select_for_update().select_related("incident").filter(pk=review_id).first()
    if review is None:
        raise Review.DoesNotExist
    require_incident_action(actor, action, review.incident)
    return review


@transaction.atomic
def review_recompute(*, review_id: UUID, actor: User | None) -> Review:
    """Ask for the figures again (new survey answers, late mentions). Safe to repeat."""
    review = _review_for_update(review_id, actor)
    Review.objects.filter(pk=review.pk).update(**outbox.pending_fields())
    outbox.hand_over_on_commit(review_tasks.review_figures_task, str(review.pk))
    review.refresh_from_db()
    return review


def reviews_figures_sweep() -> int:
    """Hand over again figure computations the broker never got or a worker never finished."""
    return outbox.sweep(Review.objects.all(), review_tasks.review_figures_task)


@transaction.atomic
def review_update(
    *, review_id: UUID, actor: User | None, owner_id=None, summary: str | None = None
) -> Review:
    """Change the review's owner (a staff user on the brand) or its summary."""
    review = _review_for_update(review_id, actor)
    fields = []
    if owner_id is not None:
        if not BrandGrant.objects.filter(
            brand_id=connection.tenant.pk, user_id=owner_id, role__in=BrandGrant.STAFF_ROLES
        ).exists():
            raise DomainError(
                "The owner must be staff on this brand.", field_errors={"owner": ["Not staff here."]}
            )
        review.owner_id = owner_id
        fields.append("owner")
    if summary is not None:
        review.summary = summary.strip()
        fields.append("summary")
    if fields:
        review.save(update_fields=[*fields, "updated_at"])
    return review


# --- Affected customers and the survey -----------------------------------------------------------
CUSTOMER_FIELDS = ("name", "email", "phone", "language", "mention_author", "external_id")
CUSTOMERS_IMPORT_LIMIT = 1000
_EMAIL_MAX_LENGTH = ReviewCustomer._meta.get_field("email").max_length
_TEXT_LIMITS = {"name": 200, "phone": 32, "mention_author": 200, "external_id": 100}


def review_customer_check(row: dict, *, errors: dict[str, list[str]], prefix: str = "") -> dict:
    """One affected customer's fields, trimmed and normalised (email lower-cased), with every
    problem added to `errors` under `prefix + field`: the one check behind adding a customer by
    hand, through the API and from a CSV import."""

    def err(field: str, message: str) -> None:
        errors.setdefault(f"{prefix}{field}", []).append(message)

    values = {field: str(row.get(field) or "").strip() for field in CUSTOMER_FIELDS}
    values["email"] = values["email"].lower()
    values["language"] = values["language"].lower()
    for field, limit in _TEXT_LIMITS.items():
        if len(values[field]) > limit:
            err(field, f"At most {limit} characters.")
    if any("\x00" in value for value in values.values()):
        err("name", "Plain text only (no NUL characters).")
    for field, message in contact_errors(
        email=values["email"],
        phone=values["phone"],
        language=values["language"],
        email_max_length=_EMAIL_MAX_LENGTH,
    ).items():
        err(field, message)
    return values


def _customer_upsert(review: Review, values: dict, source: str) -> tuple[ReviewCustomer, str]:
    """Store one checked customer on a locked review: by the integration's id when it has one
    (posting it again updates that row), else the customer already there with the same email or
    phone. Returns the row and what happened: created, updated or existing."""
    customers = ReviewCustomer.objects.filter(review=review)
    external_id, email, phone = values["external_id"], values["email"], values["phone"]
    same_contact = None
    if email:
        same_contact = customers.filter(email=email).first()
    if same_contact is None and phone:
        same_contact = customers.filter(phone=phone).first()
    if external_id:
        mapped = customers.filter(external_id=external_id).first()
        if mapped is not None:
            if email and customers.filter(email=email).exclude(pk=mapped.pk).exists():
                raise DomainError(
                    "Another customer of this review has this email.",
                    field_errors={"email": ["Another customer of this review has this email."]},
                )
            changed = [f for f in CUSTOMER_FIELDS if f != "external_id" and getattr(mapped, f) != values[f]]
            for field in changed:
                setattr(mapped, field, values[field])
            if changed:
                mapped.save(update_fields=changed)
            return mapped, "updated" if changed else "existing"
        if same_contact is not None:
            if same_contact.external_id:
                raise DomainError(
                    "This contact belongs to another customer id of the integration.",
                    field_errors={"external_id": [f"The contact is mapped to {same_contact.external_id!r}."]},
                )
            # A customer staff or a care case added first is now known to the integration by its id.
            same_contact.external_id = external_id
            same_contact.save(update_fields=["external_id"])
            return same_contact, "updated"
    elif same_contact is not None:
        return same_contact, "existing"
    customer = ReviewCustomer.objects.create(review=review, source=source, **values)
    return customer, "created"


def _check_source(source: str) -> None:
    if source not in ReviewCustomer.Source.values:
        raise DomainError("Unknown source.", field_errors={"source": ["Unknown source."]})


@transaction.atomic
def review_customer_add(
    *,
    review_id: UUID,
    actor: User | None,
    name: str = "",
    email: str = "",
    phone: str = "",
    language: str = "",
    mention_author: str = "",
    external_id: str = "",
    source: str = ReviewCustomer.Source.STAFF,
) -> ReviewCustomer:
    """Add an affected customer with a contact. The same email or phone again returns the first;
    the same `external_id` (the integration's customer id) again updates that customer."""
    return review_customer_put(
        review_id=review_id,
        actor=actor,
        source=source,
        name=name,
        email=email,
        phone=phone,
        language=language,
        mention_author=mention_author,
        external_id=external_id,
    )[0]


@transaction.atomic
def review_customer_put(
    *, review_id: UUID, actor: User | None, source: str = ReviewCustomer.Source.STAFF, **fields
) -> tuple[ReviewCustomer, str]:
    """review_customer_add, also saying what happened: created, updated or existing."""
    review = _review_for_update(review_id, actor, "note")
    _check_source(source)
    errors: dict[str, list[str]] = {}
    values = review_customer_check(fields, errors=errors)
    if errors:
        raise DomainError("The customer's contact is invalid.", field_errors=errors)
    return _customer_upsert(review, values, source)


@transaction.atomic
def review_customers_import(
    *,
    review_id: UUID,
    actor: User | None,
    customers: list[dict],
    labels: list[str] | None = None,
    source: str = ReviewCustomer.Source.STAFF,
) -> dict:
    """Add many affected customers at once (a CSV file, an integration's batch), all or none: every
    row is checked first and the errors come back under `<label>.<field>` (the label of each row:
    `customers[i]` by default, `row N` for a file). A customer already on the review (same email
    or phone) is left as it is, one repeated in the batch counts once, and an `external_id` seen
    before updates its customer. Returns the counts and the customers, in the batch's order."""
    review = _review_for_update(review_id, actor, "note")
    _check_source(source)
    if not customers:
        raise DomainError("Give at least one customer.", field_errors={"customers": ["Empty list."]})
    if len(customers) > CUSTOMERS_IMPORT_LIMIT:
        raise DomainError(
            f"At most {CUSTOMERS_IMPORT_LIMIT} customers at once; split the list.",
            field_errors={"customers": [f"{len(customers)} given."]},
        )
    labels = labels or [f"customers[{i}]" for i in range(len(customers))]
    errors: dict[str, list[str]] = {}
    rows = [
        review_customer_check(row, errors=errors, prefix=f"{label}.")
        for row, label in zip(customers, labels, strict=True)
    ]
    # Within the batch, a row with the email, phone or customer id of an earlier one is that
    # customer again and counts once, unless it names the customer differently.
    seen: dict[tuple[str, str], int] = {}
    unique = []
    for index, (values, label) in enumerate(zip(rows, labels, strict=True)):
        keys = [(k, values[k]) for k in ("external_id", "email", "phone") if values[k]]
        earlier = next((seen[key] for key in keys if key in seen), None)
        if earlier is None:
            seen.update({key: index for key in keys})
            unique.append((values, label))
            continue
        first = rows[earlier]
        if values["external_id"] and values["external_id"] != first["external_id"]:
            errors.setdefault(f"{label}.external_id", []).append(
                f"Same contact as {labels[earlier]}, with another customer id."
            )
        elif values["external_id"] and (values["email"], values["phone"]) != (first["email"], first["phone"]):
            errors.setdefault(f"{label}.external_id", []).append(
                f"This customer id is also on {labels[earlier]}, with another contact."
            )
    if errors:
        raise DomainError("Some customers are invalid; nothing was imported.", field_errors=errors)
    result = {
        "created": 0,
        "updated": 0,
        "existing": 0,
        "duplicates": len(rows) - len(unique),
        "customers": [],
    }
    for values, label in unique:
        try:
            customer, outcome = _customer_upsert(review, values, source)
        except DomainError as exc:
            # Raised inside this transaction: nothing of the batch is kept.
            raise DomainError(
                f"{label}: {exc.message} Nothing was imported.",
                field_errors={f"{label}.{field}": messages for field, messages in exc.field_errors.items()},
            ) from exc
        result[outcome] += 1
        result["customers"].append(customer)
    return result


def _customers_from_care_cases(review: Review) -> int:
    """Add the customers of the incident's care cases who left a contact (and were not erased) to
    the review's affected customers, once each: a care case is where a complaint on the incident
    got a name and an email or phone. Returns how many were added."""
    known_emails = set(review.customers.exclude(email="").values_list("email", flat=True))
    known_phones = set(review.customers.exclude(phone="").values_list("phone", flat=True))
    added = []
    for case in CareCase.objects.filter(incident_id=review.incident_id).order_by("opened_at"):
        email = (case.customer_email or "").strip().lower()
        phone = (case.customer_phone or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                email = ""
        if (
            (not email and not phone)
            or (email and email in known_emails)
            or (phone and phone in known_phones)
        ):
            continue
        known_emails.add(email)
        known_phones.add(phone)
        added.append(
            ReviewCustomer(
                review=review,
                name=(case.customer_name or "")[:200],
                email=email,
                phone=phone[:32],
                mention_author=case.author_handle[:200],
                source=ReviewCustomer.Source.CARE_CASE,
            )
        )
    ReviewCustomer.objects.bulk_create(added, ignore_conflicts=True)
    return len(added)


def review_surveys_send_due(*, now: datetime | None = None) -> int:
    """Survey the affected customers of every real (not drill) review whose delay has passed.
    Each review is claimed with a conditional UPDATE in the same transaction as its invitations,
    so a repeated sweep invites nobody twice. Returns how many customers were invited."""
    now = now or timezone.now()
    due = Review.objects.filter(survey_due_at__lte=now, survey_sent_at__isnull=True, is_drill=False)
    invited = 0
    for review_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            if not Review.objects.filter(pk=review_id, survey_sent_at__isnull=True).update(
                survey_sent_at=now
            ):
                continue
            review = Review.objects.select_related("incident").get(pk=review_id)
            _customers_from_care_cases(review)
            customers = list(review.customers.filter(invited_at__isnull=True))
            try:
                with transaction.atomic():
                    invitations = survey_send_for_incident(
                        incident_id=review.incident_id,
                        brand_name=connection.tenant.name,
                        recipients=[
                            {
                                "name": c.name,
                                "email": c.email,
                                "phone": c.phone,
                                "language": c.language,
                                "mention_author": c.mention_author,
                            }
                            for c in customers
                        ],
                    )
            except DomainError as exc:
                # One review's bad contact must not stop the rest of the sweep; it is marked sent
                # (nobody invited) and the reason is on the timeline for staff to see.
                logger.warning("Review %s: survey not sent: %s", review_id, exc.message)
                timeline_record(
                    incident=review.incident,
                    actor=None,
                    kind=TimelineKind.REVIEW,
                    text=f"Satisfaction survey not sent: {exc.message}",
                    data={"review_id": str(review_id)},
                )
                continue
            ReviewCustomer.objects.filter(pk__in=[c.pk for c in customers]).update(invited_at=now)
            Review.objects.filter(pk=review_id).update(survey_invitations=len(invitations))
            _step_mark(review_id=review_id, step="survey", now=now)
            unreachable = sum(1 for invitation in invitations if invitation_unreachable(invitation))
            text = f"Satisfaction survey sent to {len(invitations) - unreachable} affected customer(s)"
            if unreachable:
                # Said where staff look first: the invitations carry the reason, for a retry once
                # the brand has a messaging channel.
                text += (
                    f"; {unreachable} could not be reached (only a phone, and the brand has no "
                    "messaging channel enabled)"
                )
            timeline_record(
                incident=review.incident,
                actor=None,
                kind=TimelineKind.REVIEW,
                text=text,
                data={"review_id": str(review_id), "invited": len(invitations), "unreachable": unreachable},
            )
            invited += len(invitations)
    return invited


# --- Team feedback --------------------------------------------------------------------------------
@transaction.atomic
def review_feedback_submit(*, review_id: UUID, actor: User, rating: int, text: str = "") -> ReviewFeedback:
    """The actor's own feedback (a 1–5 rating and a few words); answering again replaces it."""
    review = Review.objects.filter(pk=review_id).first()
    if review is None:
        raise Review.DoesNotExist
    if not 1 <= int(rating) <= 5:
        raise DomainError("Rate from 1 to 5.", field_errors={"rating": ["Use 1 to 5."]})
    feedback = (
        ReviewFeedback.objects.select_for_update()
        .filter(review=review, member__user_id=getattr(actor, "pk", None))
        .first()
    )
    if feedback is None:
        raise DomainError(
            "Only people who had a role on the incident give feedback.",
            field_errors={"rating": ["You had no role on this incident."]},
        )
    feedback.rating, feedback.text, feedback.answered_at = int(rating), (text or "").strip(), timezone.now()
    feedback.save(update_fields=["rating", "text", "answered_at"])
    if (
        review.feedback_digest_sent_at is None
        and not ReviewFeedback.objects.filter(review=review, answered_at__isnull=True).exists()
    ):
        # The last answer is in: the owner gets the digest now rather than at the window's end. The
        # answers are the record of this work: if the broker never gets the task, the crisis sweep
        # finds the review complete and sends it.
        outbox.hand_over_on_commit(review_tasks.review_feedback_digest_task, str(review.pk))
    return feedback


def review_feedback_window_end(review: Review) -> datetime:
    """When the review's feedback window ends: REVIEW_FEEDBACK_WINDOW_HOURS after it opened, or
    earlier, REVIEW_REMINDER_LEAD_HOURS before it is due (the owner reads the digest before the
    reminder)."""
    window = timedelta(hours=settings.REVIEW_FEEDBACK_WINDOW_HOURS)
    lead = timedelta(hours=settings.REVIEW_REMINDER_LEAD_HOURS)
    return min(review.opened_at + window, review.due_at - lead)


def _digest_due(now: datetime):
    """Open reviews whose team was asked, digest not sent, and everyone answered or the window ended."""
    asked = ReviewFeedback.objects.filter(review_id=OuterRef("pk"))
    window = timedelta(hours=settings.REVIEW_FEEDBACK_WINDOW_HOURS)
    lead = timedelta(hours=settings.REVIEW_REMINDER_LEAD_HOURS)
    return Review.objects.filter(
        Exists(asked),
        Q(opened_at__lte=now - window)
        | Q(due_at__lte=now + lead)
        | ~Exists(asked.filter(answered_at__isnull=True)),
        state=Review.State.OPEN,
        feedback_digest_sent_at__isnull=True,
    )


@transaction.atomic
def review_feedback_digest_send(*, review_id: UUID, now: datetime | None = None) -> bool:
    """Send the review's owner one digest of the team's feedback (average rating, answers, who has
    not answered, and what they wrote) and mark the "feedback" step done, once everyone asked has
    answered or the feedback window has ended. The review is claimed with a conditional UPDATE in
    the same transaction as the notification, so a repeated task or sweep sends nothing twice.
    Returns whether this call sent it."""
    now = now or timezone.now()
    if not _digest_due(now).filter(pk=review_id).update(feedback_digest_sent_at=now):
        return False
    review = Review.objects.select_related("incident").get(pk=review_id)
    feedback = list(
        ReviewFeedback.objects.filter(review=review).select_related("member").order_by("member__name")
    )
    answered = [f for f in feedback if f.answered_at is not None]
    missing = [f.member.name for f in feedback if f.answered_at is None]
    average = f"{sum(f.rating for f in answered) / len(answered):.1f}" if answered else "–"
    answers = "\n".join(
        f"- {f.member.name} ({f.rating}/5)" + (f": {f.text}" if f.text else "") for f in answered
    )
    owner = User.objects.filter(pk=review.owner_id).first()
    if owner is not None:
        notify(
            subject=stored_text(
                _("Team feedback on incident #%(number)s: %(average)s/5 from %(answered)s of %(asked)s"),
                number=review.incident.number,
                average=average,
                answered=len(answered),
                asked=len(feedback),
            ),
            body=stored_text(
                _(
                    "The team's feedback on “%(title)s” (review due %(due)s).\n"
                    "Average rating: %(average)s/5 from %(answered)s answer(s) of %(asked)s asked.\n"
                    "Not answered: %(missing)s\n\n%(answers)s"
                ),
                title=review.incident.title,
                due=review.due_at,
                average=average,
                answered=len(answered),
                asked=len(feedback),
                missing=", ".join(missing) if missing else stored_text(_("everyone answered")),
                answers=answers,
            ),
            link=_review_link(review),
            users=[owner],
        )
    _step_mark(review_id=review.pk, step="feedback", now=now)
    timeline_record(
        incident=review.incident,
        actor=None,
        kind=TimelineKind.REVIEW,
        text=f"Team feedback digest sent to the review owner ({len(answered)} of {len(feedback)} answered)",
        data={"review_id": str(review.pk), "step": "feedback"},
    )
    return True


def review_feedback_digests_send_due(*, now: datetime | None = None) -> int:
    """Send every due feedback digest (the crisis sweep's part). Returns how many were sent."""
    now = now or timezone.now()
    return sum(
        review_feedback_digest_send(review_id=review_id, now=now)
        for review_id in _digest_due(now).values_list("pk", flat=True)
    )


# --- Action items ------------------------------------------------------------------------------
@transaction.atomic
def review_action_item_add(
    *,
    review_id: UUID,
    actor: User | None,
    title: str,
    owner_id: UUID,
    due_at: datetime,
    visible_to_client: bool = False,
    priority: int = ReviewActionItem.Priority.MEDIUM,
) -> ReviewActionItem:
    review = _review_for_update(review_id, actor)
    _check_priority(priority)
    if not (title or "").strip():
        raise DomainError(
            "An action item needs a title.", field_errors={"title": ["This field may not be blank."]}
        )
    owner = RosterMember.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None:
        raise DomainError("Unknown owner.", field_errors={"owner_id": ["Pick someone on the roster."]})
    return ReviewActionItem.objects.create(
        review=review,
        title=title.strip()[:200],
        owner=owner,
        due_at=due_at,
        visible_to_client=visible_to_client,
        priority=priority,
    )


def _check_priority(priority) -> None:
    if priority not in ReviewActionItem.Priority.values:
        raise DomainError(
            "Unknown priority.", field_errors={"priority": ["Use 1 (high), 2 (medium) or 3 (low)."]}
        )


@transaction.atomic
def review_action_item_update(
    *,
    item_id: UUID,
    actor: User | None,
    status: str | None = None,
    reason: str | None = None,
    due_at: datetime | None = None,
    visible_to_client: bool | None = None,
    priority: int | None = None,
) -> ReviewActionItem:
    """Move an action item (outstanding, completed, or not doing with a reason), or change its
    due date, priority or whether the client sees it."""
    item = (
        ReviewActionItem.objects.select_for_update()
        .select_related("review__incident")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise ReviewActionItem.DoesNotExist
    require_incident_action(actor, "resolve", item.review.incident)
    if status is not None:
        if status not in ReviewActionItem.Status.values:
            raise DomainError("Unknown status.", field_errors={"status": ["Unknown status."]})
        item.status = status
    if reason is not None:
        item.reason = reason.strip()
    if item.status == ReviewActionItem.Status.NOT_DOING and not item.reason:
        raise DomainError("Say why it will not be done.", field_errors={"reason": ["Give a reason."]})
    if due_at is not None:
        item.due_at, item.reminded_at = due_at, None
    if visible_to_client is not None:
        item.visible_to_client = visible_to_client
    if priority is not None:
        _check_priority(priority)
        item.priority = priority
    item.save()
    return item


# --- Lessons and the crisis plan -------------------------------------------------------------------
@transaction.atomic
def review_lesson_add(
    *, review_id: UUID, actor: User | None, text: str, accepted: bool = False, visible_to_client: bool = True
) -> ReviewLesson:
    review = _review_for_update(review_id, actor)
    if not (text or "").strip():
        raise DomainError("Write the lesson.", field_errors={"text": ["This field may not be blank."]})
    return ReviewLesson.objects.create(
        review=review,
        text=text.strip(),
        accepted=accepted,
        visible_to_client=visible_to_client,
        created_by=actor if getattr(actor, "pk", None) else None,
    )


@transaction.atomic
def review_lesson_accept(*, lesson_id: UUID, actor: User | None, accepted: bool = True) -> ReviewLesson:
    lesson = (
        ReviewLesson.objects.select_for_update()
        .select_related("review__incident")
        .filter(pk=lesson_id)
        .first()
    )
    if lesson is None:
        raise ReviewLesson.DoesNotExist
    require_incident_action(actor, "resolve", lesson.review.incident)
    lesson.accepted = accepted
    lesson.save(update_fields=["accepted"])
    return lesson


@transaction.atomic
def review_plan_update(*, review_id: UUID, actor: User | None) -> CrisisPlanVersion:
    """Propose the review's accepted lessons for the crisis plan: they go into the one open draft
    (created from the current published version when there is none), linked to the review.
    Staff then edit and publish the draft (incidents.services.plans), which marks the "plan" step
    done. Repeating it updates the same draft with the review's current lessons."""
    # The plan's lock before the review's, in the order publishing takes them, so the two never deadlock.
    crisis_settings_get(for_update=True)
    review = _review_for_update(review_id, actor)
    draft = crisis_plan_draft_propose(review=review, actor=actor)
    count = sum(1 for change in draft.proposed_changes if change["review_id"] == str(review.pk))
    timeline_record(
        incident=review.incident,
        actor=actor,
        kind=TimelineKind.REVIEW,
        text=f"{count} lesson(s) proposed for the crisis plan's draft",
        data={"review_id": str(review.pk), "plan_draft": str(draft.pk)},
    )
    return draft


# --- Completion and reminders --------------------------------------------------------------------
@transaction.atomic
def review_complete(*, review_id: UUID, actor: User | None, summary: str) -> Review:
    """Close the review and move the incident to reviewed; when the brand's reviews need the
    client's sign-off (never for drills), leave it waiting for the client approver instead.
    Safe to repeat."""
    # Cycle break: resolving an incident (services.incidents) opens reviews (this module).
    from incidents.services.incidents import incident_transition, incident_transition_check

    review = _review_for_update(review_id, actor)
    if review.state in (Review.State.COMPLETED, Review.State.AWAITING_SIGN_OFF):
        return review
    summary = (summary or "").strip()
    if not summary:
        raise DomainError(
            "Write the review's summary.", field_errors={"summary": ["This field may not be blank."]}
        )
    if not review.is_drill and crisis_settings_get().reviews_need_client_sign_off:
        # Checked now, so the client's sign-off later cannot fail on what the team left out.
        incident_transition_check(
            incident=review.incident, to_status=Incident.Status.REVIEWED, summary=summary
        )
        return _review_await_sign_off(review=review, actor=actor, summary=summary)
    incident_transition(
        incident_id=review.incident_id, actor=actor, to_status=Incident.Status.REVIEWED, summary=summary
    )
    review.state, review.summary = Review.State.COMPLETED, summary
    review.completed_at, review.completed_by = timezone.now(), actor if getattr(actor, "pk", None) else None
    review.save(update_fields=["state", "summary", "completed_at", "completed_by", "updated_at"])
    review.incident.refresh_from_db()
    if not review.is_drill:
        webhook_emit(event="review.completed", payload=review_payload(review))
    return review


def review_reminders_send(*, now: datetime | None = None) -> dict[str, int]:
    """Remind owners of reviews and action items coming due; tell the agency admins of overdue
    reviews. Each row is claimed with a conditional UPDATE, so overlapping sweeps tell once."""
    now = now or timezone.now()
    lead = timedelta(hours=settings.REVIEW_REMINDER_LEAD_HOURS)
    result = {"review_reminders": 0, "review_escalations": 0, "action_item_reminders": 0}
    open_reviews = Review.objects.filter(state=Review.State.OPEN)
    for review_id in open_reviews.filter(reminded_at__isnull=True, due_at__lte=now + lead).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            if not Review.objects.filter(pk=review_id, reminded_at__isnull=True).update(reminded_at=now):
                continue
            review = Review.objects.select_related("incident").get(pk=review_id)
            owner = User.objects.filter(pk=review.owner_id).first()
            if owner is not None:
                notify(
                    subject=stored_text(
                        _("Review of drill %(number)s due %(at)s")
                        if review.incident.is_drill
                        else _("Review of incident #%(number)s due %(at)s"),
                        number=review.incident.display_number.lstrip("#"),
                        at=review.due_at,
                    ),
                    body=stored_text(
                        _("The post-crisis review of “%(title)s” is due soon."), title=review.incident.title
                    ),
                    link=_review_link(review),
                    users=[owner],
                )
            timeline_record(
                incident=review.incident,
                actor=None,
                kind=TimelineKind.REVIEW,
                text="Reminded the review owner: the review is due soon",
                data={"review_id": str(review.pk)},
            )
            result["review_reminders"] += 1
    for review_id in open_reviews.filter(escalated_at__isnull=True, due_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            if not Review.objects.filter(pk=review_id, escalated_at__isnull=True).update(escalated_at=now):
                continue
            review = Review.objects.select_related("incident").get(pk=review_id)
            notify(
                subject=stored_text(
                    _("Overdue: review of drill %(number)s")
                    if review.incident.is_drill
                    else _("Overdue: review of incident #%(number)s"),
                    number=review.incident.display_number.lstrip("#"),
                ),
                body=stored_text(
                    _("The post-crisis review of “%(title)s” is past its due date."),
                    title=review.incident.title,
                ),
                link=_review_link(review),
                roles=[BrandGrant.Role.AGENCY_ADMIN, BrandGrant.Role.AGENCY_OWNER],
            )
            result["review_escalations"] += 1
    items = ReviewActionItem.objects.filter(
        status=ReviewActionItem.Status.OUTSTANDING, reminded_at__isnull=True, due_at__lte=now + lead
    )
    for item_id in items.values_list("pk", flat=True):
        with transaction.atomic():
            if not ReviewActionItem.objects.filter(pk=item_id, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            item = ReviewActionItem.objects.select_related("owner__user", "review__incident").get(pk=item_id)
            _tell_member(
                item.owner,
                subject=stored_text(_("Follow-up due %(at)s: %(title)s"), at=item.due_at, title=item.title),
                body=stored_text(
                    _("Your follow-up from the review of drill %(number)s is due soon.")
                    if item.review.incident.is_drill
                    else _("Your follow-up from the review of incident #%(number)s is due soon."),
                    number=item.review.incident.display_number.lstrip("#"),
                ),
                link=_review_link(item.review),
            )
            result["action_item_reminders"] += 1
    return result


# --- The client's sign-off ------------------------------------------------------------------------
def _review_await_sign_off(*, review: Review, actor: User | None, summary: str) -> Review:
    now = timezone.now()
    review.steps["client_sign_off"] = {"state": "pending", "reason": "", "at": None}
    review.state, review.summary = Review.State.AWAITING_SIGN_OFF, summary
    review.completed_at, review.completed_by = now, actor if getattr(actor, "pk", None) else None
    review.save(update_fields=["state", "summary", "steps", "completed_at", "completed_by", "updated_at"])
    timeline_record(
        incident=review.incident,
        actor=actor,
        kind=TimelineKind.REVIEW,
        text="Review completed by the team; waiting for the client's sign-off",
        data={"review_id": str(review.pk), "step": "client_sign_off", "state": "pending"},
        pinned=True,
    )
    notify(
        subject=f"Sign off the review of {review.incident.label}",
        body=f"The team completed the post-crisis review of “{review.incident.title}”. "
        "Sign it off or send it back with a comment on the incident's report page.",
        link=f"/reports/incidents/{review.incident_id}/",
        roles=[BrandGrant.Role.CLIENT_APPROVER],
    )
    return review


@transaction.atomic
def review_sign_off(*, review_id: UUID, actor: User | None, approve: bool, comment: str = "") -> Review:
    """The client approver signs the review off (the incident moves to reviewed) or sends it back
    to the team with a comment (the review is open again). Only a review waiting for the client
    is decided; a repeated decision records nothing twice."""
    # Cycle break: resolving an incident (services.incidents) opens reviews (this module).
    from incidents.services.incidents import incident_transition

    review = (
        Review.objects.select_for_update()
        .select_related("incident")
        .filter(pk=review_id, is_drill=False)
        .first()
    )
    if review is None:
        raise Review.DoesNotExist
    if actor is not None and not role_can(brand_role(actor), "reports.decide"):
        raise PermissionDenied("Only the client's approver signs off a review.")
    comment = (comment or "").strip()
    if not approve and not comment:
        raise DomainError("Say what needs to change.", field_errors={"comment": ["Give a comment."]})
    if review.state != Review.State.AWAITING_SIGN_OFF:
        return review  # decided already: a repeat is a no-op
    now, who = timezone.now(), actor if getattr(actor, "pk", None) else None
    if approve:
        # The team's completion already met the transition's requirements and role (checked then).
        incident_transition(
            incident_id=review.incident_id,
            actor=None,
            to_status=Incident.Status.REVIEWED,
            summary=review.summary,
        )
        review.steps["client_sign_off"] = {"state": "done", "reason": comment, "at": now.isoformat()}
        review.state, review.signed_off_at, review.signed_off_by = Review.State.COMPLETED, now, who
        fields = ["state", "steps", "signed_off_at", "signed_off_by", "updated_at"]
        text = "Client signed off the review" + (f": {comment}" if comment else "")
    else:
        review.steps["client_sign_off"] = {"state": "pending", "reason": comment, "at": now.isoformat()}
        review.state, review.completed_at, review.completed_by = Review.State.OPEN, None, None
        fields = ["state", "steps", "completed_at", "completed_by", "updated_at"]
        text = f"Client sent the review back: {comment}"
    review.save(update_fields=fields)
    timeline_record(
        incident=review.incident,
        actor=actor,
        kind=TimelineKind.REVIEW,
        text=text,
        data={"review_id": str(review.pk), "step": "client_sign_off", "approved": approve},
        pinned=True,
    )
    if approve:
        review.incident.refresh_from_db()
        webhook_emit(event="review.completed", payload=review_payload(review))
    else:
        owner = User.objects.filter(pk=review.owner_id).first()
        if owner is not None:
            notify(
                subject=f"The client sent back the review of {review.incident.label}",
                body=comment,
                link=_review_link(review),
                users=[owner],
            )
    return review

"""Every write on surveys: building surveys, inviting, answering, reminding, reviewing
testimonials. Keyword-only, one transaction each, idempotent where a repeat is plausible."""

import logging
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from uuid import UUID

import psycopg
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import F, Max
from django.template.loader import render_to_string
from django.utils import timezone, translation

from surveys.catalog import SURVEY_TEMPLATES
from surveys.models import (
    Invitation,
    InvitationEmail,
    InvitationLink,
    Option,
    Question,
    Response,
    Survey,
    TestimonialCandidate,
)
from surveys.selectors import survey_questions_get
from surveys.tokens import brand_base_url, token_new
from surveys.tokens import token_hash as hash_of_token
from tenants.errors import DomainError

logger = logging.getLogger(__name__)

INVITATION_TTL_DAYS = 14
BATCH_LIMIT = 1000
# Question fields whose change cannot break answers already given: wording, help, order.
_SAFE_QUESTION_FIELDS = frozenset({"text_en", "text_id", "help_en", "help_id", "position"})
_QUESTION_FIELDS = _SAFE_QUESTION_FIELDS | {"kind", "required"}


class InvitationUnavailable(DomainError):
    """The link cannot be answered: `reason` is answered, expired or closed."""

    def __init__(self, reason: str):
        super().__init__(f"This invitation cannot be answered ({reason}).")
        self.reason = reason


# --- Building surveys ---------------------------------------------------------------------------
def _required_text(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"{field} is required.", field_errors={field: ["This field is required."]})
    return value


def _survey_for_edit(survey_id: UUID) -> Survey:
    survey = Survey.objects.select_for_update().filter(pk=survey_id).first()
    if survey is None:
        raise DomainError("No such survey.", field_errors={"survey": ["No such survey."]})
    return survey


def _require_draft(survey: Survey, what: str) -> None:
    if survey.status != Survey.Status.DRAFT:
        raise DomainError(
            f"The survey is {survey.status}: {what} would break answers already collected. "
            "Duplicate it as a draft and edit the copy."
        )


def _bump_version(survey: Survey) -> None:
    Survey.objects.filter(pk=survey.pk).update(questions_version=F("questions_version") + 1)


@transaction.atomic
def survey_create(
    *,
    title_en: str,
    title_id: str = "",
    intro_en: str = "",
    intro_id: str = "",
    questions: Iterable[dict] = (),
    template: str = "",
) -> Survey:
    """A draft survey with its questions (each a dict of question_add's arguments)."""
    survey = Survey.objects.create(
        title_en=_required_text(title_en, "title_en")[:200],
        title_id=(title_id or "").strip()[:200],
        intro_en=(intro_en or "").strip(),
        intro_id=(intro_id or "").strip(),
        template=template,
    )
    for position, spec in enumerate(questions, start=1):
        question_add(survey_id=survey.pk, position=position, **spec)
    return survey


@transaction.atomic
def survey_create_from_template(*, template: str, brand_name: str, open_now: bool = False) -> Survey:
    """A survey made from one of SURVEY_TEMPLATES, with the brand's name filled in."""
    spec = SURVEY_TEMPLATES.get(template)
    if spec is None:
        raise DomainError(
            f"Unknown template {template!r}; use one of: {', '.join(SURVEY_TEMPLATES)}.",
            field_errors={"template": ["Unknown template."]},
        )

    def fill(text: str) -> str:
        return text.replace("{brand}", brand_name)

    questions = []
    for q in spec["questions"]:
        q = dict(q)
        q["options"] = q.get("options", [])
        questions.append(
            {k: fill(v) if isinstance(v, str) else v for k, v in q.items() if k != "options"}
            | {"options": [(fill(en), fill(id_)) for en, id_ in q["options"]]}
        )
    survey = survey_create(
        title_en=fill(spec["title_en"]),
        title_id=fill(spec["title_id"]),
        intro_en=fill(spec["intro_en"]),
        intro_id=fill(spec["intro_id"]),
        questions=questions,
        template=template,
    )
    if open_now:
        survey = survey_open(survey_id=survey.pk)
    return survey


@transaction.atomic
def survey_update(
    *, survey_id: UUID, title_en: str, title_id: str = "", intro_en: str = "", intro_id: str = ""
) -> Survey:
    """Titles and introductions may change in any status: they do not affect answers."""
    survey = _survey_for_edit(survey_id)
    survey.title_en = _required_text(title_en, "title_en")[:200]
    survey.title_id, survey.intro_en, survey.intro_id = (
        title_id.strip()[:200],
        intro_en.strip(),
        intro_id.strip(),
    )
    survey.save(update_fields=["title_en", "title_id", "intro_en", "intro_id", "updated_at"])
    return survey


def _clean_options(options: Iterable) -> list[tuple[str, str]]:
    cleaned = []
    for item in options or []:
        en, id_ = (item.get("text_en", ""), item.get("text_id", "")) if isinstance(item, dict) else item
        en, id_ = (en or "").strip(), (id_ or "").strip()
        if not en and not id_:
            continue
        cleaned.append((en[:200] or id_[:200], id_[:200]))
    return cleaned


@transaction.atomic
def question_add(
    *,
    survey_id: UUID,
    kind: str,
    text_en: str,
    text_id: str = "",
    help_en: str = "",
    help_id: str = "",
    required: bool = True,
    position: int | None = None,
    options: Iterable = (),
) -> Question:
    """Add a question (and its options) to a draft survey."""
    survey = _survey_for_edit(survey_id)
    _require_draft(survey, "adding a question")
    if kind not in Question.Kind.values:
        raise DomainError(
            f"Unknown question type {kind!r}.", field_errors={"kind": ["Unknown question type."]}
        )
    option_texts = _clean_options(options)
    if kind in Question.CHOICE_KINDS and len(option_texts) < 2:
        raise DomainError(
            "A choice question needs at least two options.", field_errors={"options": ["Add two or more."]}
        )
    if kind not in Question.CHOICE_KINDS and option_texts:
        raise DomainError(
            "Only choice questions have options.", field_errors={"options": ["Not allowed here."]}
        )
    if position is None:
        position = (survey.questions.aggregate(m=Max("position"))["m"] or 0) + 1
    question = Question.objects.create(
        survey=survey,
        kind=kind,
        text_en=_required_text(text_en, "text_en")[:500],
        text_id=(text_id or "").strip()[:500],
        help_en=(help_en or "").strip()[:500],
        help_id=(help_id or "").strip()[:500],
        required=bool(required),
        position=position,
    )
    Option.objects.bulk_create(
        Option(question=question, text_en=en, text_id=id_, position=i)
        for i, (en, id_) in enumerate(option_texts, 1)
    )
    _bump_version(survey)
    return question


@transaction.atomic
def question_update(*, question_id: UUID, **changes: Any) -> Question:
    """Change a question. On an open or closed survey only wording, help text and order may change;
    a new type or a question turned required would break or invalidate answers already given."""
    question = Question.objects.select_related("survey").filter(pk=question_id).first()
    if question is None:
        raise DomainError("No such question.")
    survey = _survey_for_edit(question.survey_id)
    unknown = set(changes) - _QUESTION_FIELDS
    if unknown:
        raise DomainError(f"Cannot change {', '.join(sorted(unknown))} of a question.")
    real = {k: v for k, v in changes.items() if getattr(question, k) != v}
    if not real:
        return question  # Nothing to change: not a new version either.
    if survey.status != Survey.Status.DRAFT and set(real) - _SAFE_QUESTION_FIELDS:
        _require_draft(survey, f"changing {', '.join(sorted(set(real) - _SAFE_QUESTION_FIELDS))}")
    if "kind" in real:
        if real["kind"] not in Question.Kind.values:
            raise DomainError("Unknown question type.", field_errors={"kind": ["Unknown question type."]})
        if (real["kind"] in Question.CHOICE_KINDS) != (question.kind in Question.CHOICE_KINDS):
            raise DomainError(
                "Remove the question and add a new one to switch between choice and non-choice."
            )
    if "text_en" in real:
        real["text_en"] = _required_text(real["text_en"], "text_en")[:500]
    for field, value in real.items():
        setattr(question, field, value)
    question.save(update_fields=list(real))
    _bump_version(survey)
    return question


@transaction.atomic
def question_remove(*, question_id: UUID) -> None:
    """Remove a question of a draft survey. Removing one that is already gone is a no-op."""
    question = Question.objects.filter(pk=question_id).first()
    if question is None:
        return
    survey = _survey_for_edit(question.survey_id)
    _require_draft(survey, "removing a question")
    question.delete()
    _bump_version(survey)


@transaction.atomic
def option_add(*, question_id: UUID, text_en: str, text_id: str = "") -> Option:
    question = Question.objects.filter(pk=question_id).first()
    if question is None or question.kind not in Question.CHOICE_KINDS:
        raise DomainError("Options belong to choice questions only.")
    survey = _survey_for_edit(question.survey_id)
    _require_draft(survey, "adding an option")
    position = (question.options.aggregate(m=Max("position"))["m"] or 0) + 1
    option = Option.objects.create(
        question=question,
        text_en=_required_text(text_en, "text_en")[:200],
        text_id=text_id.strip()[:200],
        position=position,
    )
    _bump_version(survey)
    return option


@transaction.atomic
def option_update(*, option_id: UUID, text_en: str, text_id: str = "") -> Option:
    """Reword an option; allowed in any status, since answers point at the option, not its text."""
    option = Option.objects.select_related("question").filter(pk=option_id).first()
    if option is None:
        raise DomainError("No such option.")
    survey = _survey_for_edit(option.question.survey_id)
    text_en, text_id = _required_text(text_en, "text_en")[:200], (text_id or "").strip()[:200]
    if (option.text_en, option.text_id) == (text_en, text_id):
        return option
    option.text_en, option.text_id = text_en, text_id
    option.save(update_fields=["text_en", "text_id"])
    _bump_version(survey)
    return option


@transaction.atomic
def option_remove(*, option_id: UUID) -> None:
    option = Option.objects.select_related("question").filter(pk=option_id).first()
    if option is None:
        return
    survey = _survey_for_edit(option.question.survey_id)
    _require_draft(survey, "removing an option")
    option.delete()
    _bump_version(survey)


@transaction.atomic
def survey_open(*, survey_id: UUID) -> Survey:
    """Open a draft for answers. Opening an open survey is a no-op; a closed one stays closed."""
    survey = _survey_for_edit(survey_id)
    if survey.status == Survey.Status.OPEN:
        return survey
    if survey.status == Survey.Status.CLOSED:
        raise DomainError("A closed survey cannot be reopened; duplicate it as a draft instead.")
    questions = list(survey.questions.prefetch_related("options"))
    if not questions:
        raise DomainError("Add at least one question before opening the survey.")
    for q in questions:
        if q.kind in Question.CHOICE_KINDS and len(q.options.all()) < 2:
            raise DomainError(f"The question {q.text_en!r} needs at least two options.")
    survey.status, survey.opened_at = Survey.Status.OPEN, timezone.now()
    survey.save(update_fields=["status", "opened_at", "updated_at"])
    return survey


@transaction.atomic
def survey_close(*, survey_id: UUID) -> Survey:
    """Stop accepting answers; open links then show a "survey closed" page. Safe to repeat."""
    survey = _survey_for_edit(survey_id)
    if survey.status == Survey.Status.CLOSED:
        return survey
    survey.status, survey.closed_at = Survey.Status.CLOSED, timezone.now()
    survey.save(update_fields=["status", "closed_at", "updated_at"])
    return survey


@transaction.atomic
def survey_duplicate_as_draft(*, survey_id: UUID) -> Survey:
    """A draft copy (questions and options) to edit when the original already has answers."""
    original = Survey.objects.filter(pk=survey_id).prefetch_related("questions__options").first()
    if original is None:
        raise DomainError("No such survey.")
    copy = Survey.objects.create(
        title_en=f"{original.title_en} (copy)"[:200],
        title_id=f"{original.title_id} (salinan)"[:200] if original.title_id else "",
        intro_en=original.intro_en,
        intro_id=original.intro_id,
        template=original.template,
        copied_from=original,
    )
    for q in original.questions.all():
        new_q = Question.objects.create(
            survey=copy,
            kind=q.kind,
            text_en=q.text_en,
            text_id=q.text_id,
            help_en=q.help_en,
            help_id=q.help_id,
            required=q.required,
            position=q.position,
        )
        Option.objects.bulk_create(
            Option(question=new_q, text_en=o.text_en, text_id=o.text_id, position=o.position)
            for o in q.options.all()
        )
    return copy


# --- Invitations ----------------------------------------------------------------------------------
def _clean_recipient(row: dict, index: int, errors: dict) -> dict | None:
    def err(field: str, message: str) -> None:
        errors.setdefault(f"invitations[{index}].{field}", []).append(message)

    name = str(row.get("name") or "").strip()
    email = str(row.get("email") or "").strip().lower()
    phone = str(row.get("phone") or "").strip()
    language = str(row.get("language") or "").strip().lower()
    mention_author = str(row.get("mention_author") or "").strip()
    incident_id = row.get("incident_id") or None
    if email:
        try:
            validate_email(email)
        except ValidationError:
            err("email", "Enter a valid email address.")
    if phone and not all(c.isdigit() or c in "+-() " for c in phone):
        err("phone", "Use digits, spaces and + - ( ) only.")
    if not email and not phone:
        err("email", "Give an email address or a phone number.")
    if language not in ("", "en", "id"):
        err("language", "Use en, id or leave empty.")
    if incident_id is not None and not isinstance(incident_id, UUID):
        try:
            incident_id = UUID(str(incident_id))
        except ValueError:
            err("incident_id", "Must be a UUID.")
    if len(name) > 200 or len(mention_author) > 200 or len(phone) > 32:
        err("name", "Too long.")
    return {
        "name": name,
        "email": email,
        "phone": phone,
        "language": language,
        "incident_id": incident_id,
        "mention_author": mention_author,
    }


@transaction.atomic
def invitation_create_batch(
    *,
    survey_id: UUID,
    recipients: list[dict],
    expires_in_days: int = INVITATION_TTL_DAYS,
    send_email: bool = True,
) -> list[tuple[Invitation, str]]:
    """Invitations for an open survey, all or none, each with its link (returned here once, never
    stored). Emails go out after commit, one task per invitation that has an address."""
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None:
        raise DomainError("No such survey.", field_errors={"survey": ["No such survey."]})
    if survey.status != Survey.Status.OPEN:
        raise DomainError("Open the survey before inviting people to it.")
    if not recipients:
        raise DomainError("Give at least one recipient.", field_errors={"invitations": ["Empty list."]})
    if len(recipients) > BATCH_LIMIT:
        raise DomainError(f"At most {BATCH_LIMIT} invitations per batch.")
    if not 1 <= int(expires_in_days) <= 365:
        raise DomainError("Links expire after 1 to 365 days.", field_errors={"expires_in_days": ["1–365."]})
    errors: dict[str, list[str]] = {}
    rows = [_clean_recipient(row, i, errors) for i, row in enumerate(recipients)]
    if errors:
        raise DomainError("Some recipients are invalid; nothing was created.", field_errors=errors)
    expires_at = timezone.now() + timedelta(days=int(expires_in_days))
    invitations = Invitation.objects.bulk_create(
        Invitation(survey=survey, expires_at=expires_at, **row) for row in rows
    )
    tokens = [token_new() for _ in invitations]
    InvitationLink.objects.bulk_create(
        InvitationLink(invitation=inv, token_hash=hashed)
        for inv, (_raw, hashed) in zip(invitations, tokens, strict=True)
    )
    if send_email:
        from surveys.tasks import invitation_send_task

        for inv in invitations:
            if inv.email:
                transaction.on_commit(lambda pk=str(inv.pk): invitation_send_task.delay(pk))
    return [(inv, raw) for inv, (raw, _hashed) in zip(invitations, tokens, strict=True)]


def invitation_create(
    *, survey_id: UUID, send_email: bool = True, expires_in_days: int = INVITATION_TTL_DAYS, **recipient: Any
) -> tuple[Invitation, str]:
    """One invitation and its link (shown once)."""
    return invitation_create_batch(
        survey_id=survey_id, recipients=[recipient], expires_in_days=expires_in_days, send_email=send_email
    )[0]


def _email_invitation(invitation: Invitation, *, kind: str) -> None:
    """Mint a fresh link for this email and send it, in the invitation's (or brand's) language."""
    raw, hashed = token_new()
    InvitationLink.objects.create(invitation=invitation, token_hash=hashed, purpose=kind)
    brand = connection.tenant
    base = brand_base_url(brand)
    language = invitation.language or getattr(brand, "default_language", "") or "en"
    with translation.override(language):
        context = {
            "brand_name": getattr(brand, "name", ""),
            "name": invitation.name,
            "survey_title": invitation.survey.title,
            "link": f"{base}/s/{raw}/",
            "opt_out_link": f"{base}/s/{raw}/opt-out/",
            "expires_at": invitation.expires_at,
            "reminder": kind == InvitationEmail.Kind.REMINDER,
        }
        subject = render_to_string("surveys/email/invitation_subject.txt", context).strip()
        body = render_to_string("surveys/email/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])
    InvitationEmail.objects.create(invitation=invitation, kind=kind, to=invitation.email)


def _claimable(qs, now):
    return qs.filter(
        answered_at__isnull=True,
        opted_out_at__isnull=True,
        expires_at__gt=now,
        survey__status=Survey.Status.OPEN,
    ).exclude(email="")


@transaction.atomic
def invitation_send(*, invitation_id: UUID) -> bool:
    """Email the invitation once. The conditional UPDATE claims it, so a second run (a retried or
    duplicated task) finds nothing to do; a failed send rolls the claim back for the retry."""
    now = timezone.now()
    claimed = _claimable(Invitation.objects.filter(pk=invitation_id, sent_at__isnull=True), now).update(
        sent_at=now
    )
    if not claimed:
        return False
    invitation = Invitation.objects.select_related("survey").get(pk=invitation_id)
    _email_invitation(invitation, kind=InvitationEmail.Kind.INVITATION)
    return True


@transaction.atomic
def invitation_remind(*, invitation_id: UUID) -> bool:
    """Send the one reminder, only to someone who was emailed, has not answered and has not opted
    out. Claimed like invitation_send, so it is sent at most once."""
    now = timezone.now()
    claimed = _claimable(
        Invitation.objects.filter(pk=invitation_id, sent_at__isnull=False, reminded_at__isnull=True), now
    ).update(reminded_at=now)
    if not claimed:
        return False
    invitation = Invitation.objects.select_related("survey").get(pk=invitation_id)
    _email_invitation(invitation, kind=InvitationEmail.Kind.REMINDER)
    return True


@transaction.atomic
def invitation_opt_out(*, invitation_id: UUID) -> Invitation:
    """No more emails for this invitation. Safe to repeat."""
    Invitation.objects.filter(pk=invitation_id, opted_out_at__isnull=True).update(opted_out_at=timezone.now())
    return Invitation.objects.get(pk=invitation_id)


# --- Answering ------------------------------------------------------------------------------------
# One statement claims the invitation (first submission wins: a concurrent second one waits on the
# row lock, then re-checks `answered_at IS NULL` and finds nothing to claim) and, only if it did,
# inserts the response, its answers and any testimonial candidate. A single statement is atomic on
# its own, and it costs one round trip instead of five (BEGIN, UPDATE, two INSERTs, COMMIT).
_SUBMIT_SQL = """
WITH claimed AS (
    UPDATE surveys_invitation AS i SET answered_at = %(now)s
    WHERE {invitation} AND i.answered_at IS NULL AND i.expires_at > %(now)s
      AND EXISTS (SELECT 1 FROM surveys_survey AS s WHERE s.id = i.survey_id AND s.status = 'open'
                  AND s.questions_version = %(version)s AND s.id = %(survey_id)s)
    RETURNING i.id, i.survey_id, i.name
), response AS (
    INSERT INTO surveys_response (id, survey_id, invitation_id, language, submitted_at)
    SELECT %(response_id)s, claimed.survey_id, claimed.id, %(language)s, %(now)s FROM claimed
    RETURNING id
), answers AS (
    INSERT INTO surveys_answer (response_id, question_id, number, text, option_id)
    SELECT response.id, v.question_id, v.number, v.text, v.option_id
    FROM response, unnest(%(q)s::uuid[], %(n)s::smallint[], %(t)s::text[], %(o)s::uuid[])
        AS v (question_id, number, text, option_id)
    RETURNING 1
), testimonial AS (
    INSERT INTO surveys_testimonialcandidate
        (id, response_id, author_name, quote, score_kind, score, language, status, reviewed_by_email,
         review_note, created_at)
    SELECT %(candidate_id)s, response.id, claimed.name, %(quote)s, %(score_kind)s, %(score)s, %(language)s,
           'pending', '', '', %(now)s
    FROM response, claimed WHERE %(is_candidate)s
    RETURNING 1
)
SELECT (SELECT count(*) FROM claimed), (SELECT count(*) FROM answers), (SELECT count(*) FROM testimonial)
"""


def _unavailable_reason(invitation_id: UUID, now, questions_version: int) -> str:
    """Why a claim found nothing: answered, expired, closed, or reworded (still open, new version)."""
    inv = Invitation.objects.select_related("survey").filter(pk=invitation_id).first()
    if inv is None:
        raise DomainError("No such invitation.")
    if inv.answered_at is not None:
        return "answered"
    if inv.expires_at <= now:
        return "expired"
    if inv.survey.status == Survey.Status.OPEN and inv.survey.questions_version != questions_version:
        return "reworded"
    return "closed"


def _check_answer(question: Question, value: Any) -> Any:
    """The value's shape for the question's type (the form has already given friendly messages)."""
    kind = question.kind
    if question.scale:
        low, high = question.scale
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise DomainError(f"{question.text_en}: choose {low}–{high}.")
    elif kind == Question.Kind.CONSENT:
        if value not in (True, False):
            raise DomainError(f"{question.text_en}: answer yes or no.")
    elif kind in Question.TEXT_LIMITS:
        if not isinstance(value, str) or len(value) > Question.TEXT_LIMITS[kind]:
            raise DomainError(f"{question.text_en}: too long.")
    else:
        valid = {o.pk for o in question.options.all()}
        values = value if isinstance(value, list | tuple) else [value]
        if not values or any(v not in valid for v in values) or len(set(values)) != len(values):
            raise DomainError(f"{question.text_en}: unknown option.")
        if kind == Question.Kind.SINGLE_CHOICE and len(values) != 1:
            raise DomainError(f"{question.text_en}: choose one option.")
    return value


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


def _answer_rows(questions, answers: dict) -> list[tuple]:
    """(question id, number, text, option id) per stored answer; raises DomainError on a bad one."""
    known = {q.pk for q in questions}
    if set(answers) - known:
        raise DomainError("Answers to questions this survey does not have.")
    missing = [q.text_en for q in questions if q.required and _is_empty(answers.get(q.pk))]
    if missing:
        raise DomainError(f"Required questions unanswered: {'; '.join(missing)}.")
    rows = []
    for question in questions:
        value = answers.get(question.pk)
        if _is_empty(value):
            continue
        _check_answer(question, value)
        if question.kind in Question.CHOICE_KINDS:
            rows.extend(
                (question.pk, None, "", v) for v in (value if isinstance(value, list | tuple) else [value])
            )
        elif question.kind in Question.TEXT_LIMITS:
            rows.append((question.pk, None, value.strip(), None))
        else:
            rows.append((question.pk, int(value), "", None))
    return rows


def _testimonial_fields(questions, answers: dict) -> dict | None:
    """A respondent who consented becomes a candidate when their headline score is the top one:
    CSAT 5, NPS 9–10 or CES 7 (the first scale question answered). Without a scale question,
    consent alone is enough. The quote is their first text answer."""
    consented = any(q.kind == Question.Kind.CONSENT and answers.get(q.pk) is True for q in questions)
    if not consented:
        return None
    top = {Question.Kind.CSAT: 5, Question.Kind.NPS: 9, Question.Kind.CES: 7}
    headline = next((q for q in questions if q.scale and not _is_empty(answers.get(q.pk))), None)
    if headline is not None and answers[headline.pk] < top[headline.kind]:
        return None
    quote = next(
        (
            answers[q.pk].strip()
            for q in questions
            if q.kind in (Question.Kind.LONG_TEXT, Question.Kind.SHORT_TEXT) and answers.get(q.pk)
        ),
        "",
    )
    return {
        "quote": quote,
        "score_kind": headline.kind if headline else "",
        "score": answers[headline.pk] if headline else None,
    }


def response_submit(
    *,
    invitation_id: UUID,
    answers: dict[UUID, Any],
    language: str,
    survey_id: UUID | None = None,
    questions_version: int | None = None,
) -> Response:
    """Store a complete submission, all of it or nothing, and only if the invitation can still be
    answered (first submission wins; a second gets InvitationUnavailable("answered")).

    `answers` maps question ids to an int (scales), a bool (consent), a str (texts) or a list of
    option ids (choices); empty values are skipped. A caller that has already loaded the invitation
    passes the survey and the questions version it validated against; the claim also requires that
    version, so answers are never checked against one question set and stored against another."""
    for _attempt in range(2):
        if survey_id is None or questions_version is None:
            invitation = Invitation.objects.select_related("survey").filter(pk=invitation_id).first()
            if invitation is None:
                raise DomainError("No such invitation.")
            survey_id, questions_version = invitation.survey_id, invitation.survey.questions_version
        now = timezone.now()
        if _submit_once(
            invitation_id=invitation_id,
            answers=answers,
            language=language,
            survey_id=survey_id,
            questions_version=questions_version,
            response_id=(response_id := uuid.uuid4()),
            now=now,
        ):
            response = Response(
                id=response_id,
                survey_id=survey_id,
                invitation_id=invitation_id,
                language=(language or "")[:2],
                submitted_at=now,
            )
            response._state.adding, response._state.db = False, connection.alias
            return response
        reason = _unavailable_reason(invitation_id, now, questions_version)
        if reason != "reworded":
            raise InvitationUnavailable(reason)
        # Staff reworded a question while this respondent was answering (an open survey's types and
        # options cannot change): check the answers against the new version and try once more.
        survey_id = questions_version = None
    raise InvitationUnavailable("closed")


def response_submit_by_token(
    *, raw_token: str, answers: dict[UUID, Any], language: str, survey_id: UUID, questions_version: int
) -> Response | None:
    """The public page's fast path: claim the invitation a link opens and store the answers in one
    statement, without loading the invitation first. None when the link cannot be claimed for that
    survey and questions version (unknown, answered, expired, closed, reworded); the caller then
    loads the invitation to show the right page."""
    now = timezone.now()
    response_id = uuid.uuid4()
    if not _submit_once(
        invitation_id=None,
        token_hash=hash_of_token(raw_token),
        answers=answers,
        language=language,
        survey_id=survey_id,
        questions_version=questions_version,
        response_id=response_id,
        now=now,
    ):
        return None
    response = Response(id=response_id, survey_id=survey_id, language=(language or "")[:2], submitted_at=now)
    response._state.adding, response._state.db = False, connection.alias
    return response


def _submit_once(
    *, invitation_id, answers, language, survey_id, questions_version, response_id, now, token_hash: str = ""
) -> bool:
    """Validate the answers against that questions version, then claim and insert in one statement;
    False when nothing was claimed."""
    questions = survey_questions_get(survey_id=survey_id, version=questions_version)
    if not questions:
        return False  # not the survey's current version (or no such survey): nothing to claim
    rows = _answer_rows(questions, answers)
    testimonial = _testimonial_fields(questions, answers)
    params: dict[str, Any] = {
        "now": now,
        "invitation_id": invitation_id,
        "survey_id": survey_id,
        "version": questions_version,
        "response_id": response_id,
        "language": (language or "")[:2],
        "candidate_id": uuid.uuid4(),
        "is_candidate": testimonial is not None,
        **(testimonial or {"quote": "", "score_kind": "", "score": None}),
    }
    # The answers travel as four parallel arrays: four parameters whatever the number of answers.
    columns = list(zip(*rows, strict=True)) or [(), (), (), ()]
    params.update(q=list(columns[0]), n=list(columns[1]), t=list(columns[2]), o=list(columns[3]))
    if invitation_id is not None:
        invitation = "i.id = %(invitation_id)s"
    else:
        invitation = "i.id = (SELECT l.invitation_id FROM surveys_invitationlink AS l WHERE l.token_hash = %(token_hash)s)"
        params["token_hash"] = token_hash
    with connection.cursor():  # sets the brand's search_path on the connection
        # A server-side-binding cursor, so PostgreSQL can keep the statement prepared per connection
        # (Django's own cursors bind on the client, and this statement's planning costs as much as
        # running it). A prepared plan follows search_path changes, so brands never mix.
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(_SUBMIT_SQL.format(invitation=invitation), params, prepare=True)
            claimed, _answers, _candidates = cursor.fetchone()
    return bool(claimed)


# --- Testimonials ---------------------------------------------------------------------------------
@transaction.atomic
def testimonial_review(*, candidate_id: UUID, decision: str, actor, note: str = "") -> TestimonialCandidate:
    """Approve or reject a candidate. Repeating the same decision changes nothing; staff may
    change their mind (approved → rejected) and the last review is kept."""
    statuses = {
        "approve": TestimonialCandidate.Status.APPROVED,
        "reject": TestimonialCandidate.Status.REJECTED,
    }
    if decision not in statuses:
        raise DomainError(
            "Decision must be approve or reject.", field_errors={"decision": ["approve or reject"]}
        )
    candidate = TestimonialCandidate.objects.select_for_update().filter(pk=candidate_id).first()
    if candidate is None:
        raise DomainError("No such testimonial candidate.")
    if candidate.status == statuses[decision]:
        return candidate
    candidate.status = statuses[decision]
    candidate.reviewed_at = timezone.now()
    candidate.reviewed_by_id = getattr(actor, "pk", None)
    candidate.reviewed_by_email = getattr(actor, "email", "") or ""
    candidate.review_note = (note or "").strip()[:500]
    candidate.save(
        update_fields=["status", "reviewed_at", "reviewed_by_id", "reviewed_by_email", "review_note"]
    )
    return candidate

"""Reads on surveys: lookups by link token, question sets, lists for the admin and the API."""

import zoneinfo
from datetime import timedelta
from uuid import UUID

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Trunc
from django.utils import timezone

from surveys.models import (
    Answer,
    Invitation,
    InvitationLink,
    Option,
    Question,
    Response,
    Survey,
    TestimonialCandidate,
)
from surveys.results import _pct, score_summary
from surveys.tokens import token_hash, token_looks_valid


def invitation_get_by_token(*, raw_token: str) -> Invitation | None:
    """The invitation a personal link opens, with its survey, looked up by the token's hash in the
    current brand's schema only (so another brand's token is simply unknown here)."""
    if not token_looks_valid(raw_token):
        return None
    link = (
        InvitationLink.objects.select_related("invitation__survey")
        .filter(token_hash=token_hash(raw_token))
        .first()
    )
    return link.invitation if link else None


_QUESTION_SETS: dict[tuple, tuple[Question, ...]] = {}
_QUESTION_SETS_MAX = 512


def survey_questions_get(*, survey_id: UUID, version: int) -> tuple[Question, ...]:
    """A survey's questions with their options, in order, if `version` is the survey's current
    questions_version (else an empty tuple). Cached per process under that version, which every
    question change bumps, so a cached set is never stale; an empty answer is never cached.
    Callers must treat the objects as read-only."""
    key = (connection.schema_name, survey_id, version)
    questions = _QUESTION_SETS.get(key)
    if questions is None:
        questions = tuple(
            Question.objects.filter(survey_id=survey_id, survey__questions_version=version).prefetch_related(
                Prefetch("options", queryset=Option.objects.order_by("position", "text_en"))
            )
        )
        if questions:
            if len(_QUESTION_SETS) >= _QUESTION_SETS_MAX:
                _QUESTION_SETS.clear()
            _QUESTION_SETS[key] = questions
    return questions


def survey_list() -> QuerySet[Survey]:
    return Survey.objects.annotate(
        invitation_count=Count("invitations", distinct=True),
        response_count=Count("responses", distinct=True),
    ).order_by("-created_at")


def survey_get(*, survey_id: UUID) -> Survey | None:
    return Survey.objects.filter(pk=survey_id).prefetch_related("questions__options").first()


def response_list(*, survey_id: UUID) -> QuerySet[Response]:
    """Responses with their invitation and answers (three queries whatever the page size)."""
    return (
        Response.objects.filter(survey_id=survey_id)
        .select_related("invitation")
        .prefetch_related(Prefetch("answers", queryset=_answers_qs()))
        .order_by("-submitted_at", "-id")
    )


def _answers_qs():
    from surveys.models import Answer

    return Answer.objects.select_related("option").order_by("question__position", "option__position", "id")


def invitations_due_for_reminder(*, after: timedelta) -> QuerySet[Invitation]:
    """Sent (emailed, or messaged to a phone) more than `after` ago, not answered, not opted out,
    not reminded, not expired, on an open survey. The reminder service re-checks all of it when it
    claims the row."""
    now = timezone.now()
    return Invitation.objects.filter(
        sent_at__lte=now - after,
        reminded_at__isnull=True,
        reminder_failed_at__isnull=True,
        answered_at__isnull=True,
        opted_out_at__isnull=True,
        expires_at__gt=now,
        survey__status=Survey.Status.OPEN,
    ).exclude(email="", phone="")


def testimonial_list(*, status: str | None = None) -> QuerySet[TestimonialCandidate]:
    qs = TestimonialCandidate.objects.select_related("response__survey")
    return qs.filter(status=status) if status else qs


def invitation_counts(*, survey_id: UUID) -> dict:
    return Invitation.objects.filter(survey_id=survey_id).aggregate(
        total=Count("id"),
        emailed=Count("id", filter=Q(sent_at__isnull=False)),
        reminded=Count("id", filter=Q(reminded_at__isnull=False)),
        answered=Count("id", filter=Q(answered_at__isnull=False)),
        opted_out=Count("id", filter=Q(opted_out_at__isnull=False)),
    )


def contact_opted_out(*, email: str = "", phone: str = "") -> bool:
    """Whether this person (by email or phone) opted out of the brand's survey emails on any
    invitation: other apps ask before inviting them again (a resolved care case does)."""
    email, phone = (email or "").strip().lower(), (phone or "").strip()
    if not email and not phone:
        return False
    person = Q(pk__in=[])
    if email:
        person |= Q(email=email)
    if phone:
        person |= Q(phone=phone)
    return Invitation.objects.filter(person, opted_out_at__isnull=False).exists()


def incident_survey_scores(*, incident_id: UUID) -> dict:
    """CSAT, NPS and CES of the answers to invitations sent about one incident, with the number
    of invitations and responses: what a post-crisis review (incidents) reads as its figures."""
    rows = list(
        Answer.objects.filter(
            response__invitation__incident_id=incident_id,
            question__kind__in=[Question.Kind.CSAT, Question.Kind.NPS, Question.Kind.CES],
        )
        .values("question__kind")
        .annotate(
            n=Count("id"),
            top2=Count("id", filter=Q(question__kind=Question.Kind.CSAT, number__gte=4)),
            promoters=Count("id", filter=Q(question__kind=Question.Kind.NPS, number__gte=9)),
            detractors=Count("id", filter=Q(question__kind=Question.Kind.NPS, number__lte=6)),
            total=Sum("number"),
        )
        .order_by("question__kind")
    )
    counts = Invitation.objects.filter(incident_id=incident_id).aggregate(
        invitations=Count("id"), responses=Count("id", filter=Q(answered_at__isnull=False))
    )
    return {
        **counts,
        "response_rate": _pct(counts["responses"], counts["invitations"]),
        **score_summary(rows),
    }


def csat_since(*, since) -> dict:
    """CSAT (share of 4–5 answers on the 1–5 scale, in percent, as the survey results count it)
    of every answer submitted at or after `since`, with the number of answers: what the agency
    portfolio shows per brand. One query."""
    figures = Answer.objects.filter(
        question__kind=Question.Kind.CSAT, response__submitted_at__gte=since
    ).aggregate(n=Count("id"), top2=Count("id", filter=Q(number__gte=4)))
    return {"answers": figures["n"], "score": _pct(figures["top2"], figures["n"])}


def _score_annotations() -> dict:
    return {
        "n": Count("id"),
        "top2": Count("id", filter=Q(question__kind=Question.Kind.CSAT, number__gte=4)),
        "promoters": Count("id", filter=Q(question__kind=Question.Kind.NPS, number__gte=9)),
        "detractors": Count("id", filter=Q(question__kind=Question.Kind.NPS, number__lte=6)),
        "total": Sum("number"),
    }


def _headline(summary: dict, responses: int) -> dict:
    return {
        "csat": summary["csat"]["score"],
        "nps": summary["nps"]["score"],
        "ces": summary["ces"]["mean"],
        "responses": responses,
    }


def satisfaction_scores(*, start, end) -> dict:
    """CSAT (% of 4–5 answers), NPS (% promoters − % detractors) and CES (mean, 1–7) of every
    response submitted in [start, end), with the number of responses, and the same per incident the
    invitation was about: what client reports read. {csat, nps, ces, responses, by_incident:
    [{incident_id, csat, nps, ces, responses}]}."""
    answers = Answer.objects.filter(
        response__submitted_at__gte=start,
        response__submitted_at__lt=end,
        question__kind__in=[Question.Kind.CSAT, Question.Kind.NPS, Question.Kind.CES],
    )
    overall = list(
        answers.values("question__kind").annotate(**_score_annotations()).order_by("question__kind")
    )
    per_incident = list(
        answers.filter(response__invitation__incident_id__isnull=False)
        .values("response__invitation__incident_id", "question__kind")
        .annotate(**_score_annotations())
        .order_by("response__invitation__incident_id", "question__kind")
    )
    responses = Response.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    incident_responses = dict(
        responses.filter(invitation__incident_id__isnull=False)
        .values("invitation__incident_id")
        .annotate(n=Count("id"))
        .values_list("invitation__incident_id", "n")
    )
    groups: dict = {}
    for row in per_incident:
        groups.setdefault(row["response__invitation__incident_id"], []).append(row)
    return {
        **_headline(score_summary(overall), responses.count()),
        "by_incident": [
            {
                "incident_id": str(incident_id),
                **_headline(score_summary(rows), incident_responses.get(incident_id, 0)),
            }
            for incident_id, rows in groups.items()
        ],
    }


def satisfaction_series(*, start, end, tz: str, interval: str = "day") -> dict:
    """{bucket start (aware, in the zone): {csat, nps, ces, responses}} for the hours or days of
    [start, end) that had answers; the same rules as `satisfaction_scores`."""
    zone = zoneinfo.ZoneInfo(tz)
    rows = list(
        Answer.objects.filter(
            response__submitted_at__gte=start,
            response__submitted_at__lt=end,
            question__kind__in=[Question.Kind.CSAT, Question.Kind.NPS, Question.Kind.CES],
        )
        .annotate(bucket=Trunc("response__submitted_at", interval, tzinfo=zone))
        .values("bucket", "question__kind")
        .annotate(**_score_annotations(), responses=Count("response_id", distinct=True))
        .order_by("bucket", "question__kind")
    )
    groups: dict = {}
    for row in rows:
        groups.setdefault(row["bucket"], []).append(row)
    return {
        bucket: _headline(score_summary(group), max(r["responses"] for r in group))
        for bucket, group in groups.items()
    }

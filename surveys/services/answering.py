"""Storing a submission: claim the invitation and write every answer in one statement."""

import json
import uuid
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import psycopg
from django.db import connection
from django.utils import timezone

from surveys.models import (
    Invitation,
    Question,
    Response,
    Survey,
    TestimonialCandidate,
    time_ordered_uuid,
)
from surveys.selectors import survey_questions_get
from surveys.tokens import token_hash as hash_of_token
from tenants.errors import DomainError


class InvitationUnavailable(DomainError):
    """The link cannot be answered: `reason` is answered, expired or closed."""

    def __init__(self, reason: str):
        super().__init__(f"This invitation cannot be answered ({reason}).")
        self.reason = reason


# One statement claims the invitation (first submission wins: a concurrent second one waits on the
# row lock, then re-checks `answered_at IS NULL` and finds nothing to claim) and, only if it did,
# inserts the response, its answers and any testimonial candidate. A single statement is atomic on
# its own, and it costs one round trip instead of five (BEGIN, UPDATE, two INSERTs, COMMIT).
_SUBMIT_SQL = """
WITH claimed AS (
    UPDATE surveys_invitation AS i SET answered_at = %(now)s
    WHERE {invitation} AND i.answered_at IS NULL AND i.expires_at > %(now)s
      -- Not "=": an equality here would let the planner prefer the survey_id index and filter a
      -- whole batch of fresh invitations (stale statistics) over the one-row primary-key lookup.
      AND i.survey_id IS NOT DISTINCT FROM %(survey_id)s
      AND EXISTS (SELECT 1 FROM surveys_survey AS s WHERE s.id = i.survey_id AND s.status = 'open'
                  AND s.questions_version = %(version)s)
    RETURNING i.id, i.survey_id, i.name
), response AS (
    INSERT INTO surveys_response (id, survey_id, invitation_id, language, submitted_at)
    SELECT %(response_id)s, claimed.survey_id, claimed.id, %(language)s, %(now)s FROM claimed
    RETURNING id
), answers AS (
    INSERT INTO surveys_answer (response_id, question_id, number, text, option_id)
    SELECT response.id, (v.a->>0)::uuid, (v.a->>1)::smallint, v.a->>2, (v.a->>3)::uuid
    FROM response, json_array_elements(%(answers)s::json) AS v (a)
    RETURNING 1
), testimonial AS (
    INSERT INTO surveys_testimonialcandidate
        (id, response_id, author_name, quote, attribution, score_kind, score, language, status,
         reviewed_by_email, review_note, created_at)
    SELECT %(candidate_id)s, response.id, claimed.name, %(quote)s, %(attribution)s, %(score_kind)s, %(score)s,
           %(language)s, 'pending', '', '', %(now)s
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
        if value is not False and value not in ATTRIBUTIONS:
            raise DomainError(
                f"{question.text_en}: answer no, or how we may name you ({', '.join(ATTRIBUTIONS)})."
            )
    elif kind in Question.TEXT_LIMITS:
        if not isinstance(value, str) or len(value) > Question.TEXT_LIMITS[kind] or "\x00" in value:
            raise DomainError(f"{question.text_en}: too long or not plain text.")
    else:
        valid = {o.pk for o in question.options.all()}
        values = value if isinstance(value, list | tuple) else [value]
        if not values or any(v not in valid for v in values) or len(set(values)) != len(values):
            raise DomainError(f"{question.text_en}: unknown option.")
        if kind == Question.Kind.SINGLE_CHOICE and len(values) != 1:
            raise DomainError(f"{question.text_en}: choose one option.")
    return value


# A consent answer is False (no) or how the respondent agrees to be named.
ATTRIBUTIONS = tuple(TestimonialCandidate.Attribution.values)


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
        elif question.kind == Question.Kind.CONSENT:
            rows.append((question.pk, 1 if value else 0, value or "", None))
        else:
            rows.append((question.pk, int(value), "", None))
    return rows


def _testimonial_fields(questions, answers: dict) -> dict | None:
    """A respondent who consented becomes a candidate when their headline score is the top one:
    CSAT 5, NPS 9–10 or CES 7 (the first scale question answered). Without a scale question,
    consent alone is enough. The quote is their first text answer, named as they chose."""
    attribution = next(
        (answers[q.pk] for q in questions if q.kind == Question.Kind.CONSENT and answers.get(q.pk)), None
    )
    if attribution is None:
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
        "attribution": attribution,
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

    `answers` maps question ids to an int (scales), False or how the respondent may be named
    (consent: first_name, initials, anonymous), a str (texts) or a list of
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
            response_id=(response_id := time_ordered_uuid()),
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
    response_id = time_ordered_uuid()
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
        **(testimonial or {"quote": "", "attribution": "", "score_kind": "", "score": None}),
    }
    # The answers travel as one JSON text, [question, number, text, option] each: one parameter
    # whatever their number, and one string to send where four typed arrays cost a third of the
    # request's own Python time to adapt.
    params["answers"] = json.dumps(
        [(str(q), n, t, None if o is None else str(o)) for q, n, t, o in rows], ensure_ascii=False
    )
    if invitation_id is not None:
        invitation = "i.id = %(invitation_id)s"
    else:
        invitation = "i.id = (SELECT l.invitation_id FROM surveys_invitationlink AS l WHERE l.token_hash = %(token_hash)s)"
        params["token_hash"] = token_hash
    with connection.cursor():  # sets the brand's search_path on the connection
        with psycopg.Cursor(connection.connection) as cursor, _prepared_on(connection.connection):
            cursor.execute(_SUBMIT_SQL.format(invitation=invitation), params, prepare=True)
            claimed, _answers, _candidates = cursor.fetchone()
    return bool(claimed)


@contextmanager
def _prepared_on(conn):
    """Let this one statement be prepared on the connection, whatever DATABASES says.

    A server-side-binding cursor (Django's own binds on the client, which rules out preparing)
    asks for it with prepare=True, but psycopg prepares nothing on a connection whose
    prepare_threshold is None, Django's default. Planning was a third of the statement's cost;
    PostgreSQL keeps the plan for the connection and plans again when search_path (the brand) or
    a table changes. Only this statement: the threshold is put back at once, so Django's own
    queries stay unprepared (their result shapes change with migrations on live connections), and
    its result (three counts) never changes shape."""
    threshold = conn.prepare_threshold
    if threshold is None:
        # Counted but never reached: only statements that ask with prepare=True are prepared.
        conn.prepare_threshold = 2**31
    try:
        yield
    finally:
        conn.prepare_threshold = threshold

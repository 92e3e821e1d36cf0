"""Survey services: building and locking surveys, invitations and their tokens, submissions,
testimonial candidates."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tenants.errors import DomainError
from tests.surveys.conftest import invite, make_survey

pytestmark = pytest.mark.django_db


def test_open_survey_refuses_new_question(in_brand_a):
    from surveys.services import question_add

    survey = make_survey()
    with pytest.raises(DomainError, match="Duplicate it as a draft"):
        question_add(survey_id=survey.pk, kind="csat", text_en="Another?")


def test_open_survey_refuses_type_change_and_removal(in_brand_a):
    from surveys.services import option_remove, question_remove, question_update

    survey = make_survey()
    csat = survey.questions.get(kind="csat")
    with pytest.raises(DomainError):
        question_update(question_id=csat.pk, kind="nps")
    with pytest.raises(DomainError):
        question_update(question_id=csat.pk, required=False)
    with pytest.raises(DomainError):
        question_remove(question_id=csat.pk)
    option = survey.questions.get(kind="single_choice").options.first()
    with pytest.raises(DomainError):
        option_remove(option_id=option.pk)
    csat.refresh_from_db()
    assert csat.kind == "csat" and csat.required


def test_open_survey_allows_rewording_and_bumps_question_version(in_brand_a):
    from surveys.models import Survey
    from surveys.services import question_update

    survey = make_survey()
    csat = survey.questions.get(kind="csat")
    question_update(question_id=csat.pk, text_en="How happy are you?")
    csat.refresh_from_db()
    assert csat.text_en == "How happy are you?"
    assert Survey.objects.get(pk=survey.pk).questions_version > survey.questions_version


def test_draft_survey_questions_can_change(in_brand_a):
    from surveys.services import question_add, question_remove, question_update

    survey = make_survey(open_now=False)
    q = question_add(survey_id=survey.pk, kind="short_text", text_en="Name?")
    question_update(question_id=q.pk, kind="long_text", required=False)
    question_remove(question_id=q.pk)
    assert not survey.questions.filter(pk=q.pk).exists()


def test_duplicate_as_draft_copies_questions_and_options(in_brand_a):
    from surveys.services import survey_duplicate_as_draft

    survey = make_survey()
    copy = survey_duplicate_as_draft(survey_id=survey.pk)
    assert copy.status == "draft" and copy.copied_from_id == survey.pk
    assert copy.questions.count() == survey.questions.count()
    assert copy.questions.get(kind="multiple_choice").options.count() == 3


def test_choice_question_needs_two_options(in_brand_a):
    from surveys.services import question_add

    survey = make_survey(open_now=False)
    with pytest.raises(DomainError, match="two options"):
        question_add(survey_id=survey.pk, kind="single_choice", text_en="Pick", options=[("Only", "Satu")])


def test_survey_without_questions_cannot_open(in_brand_a):
    from surveys.services import survey_create, survey_open

    survey = survey_create(title_en="Empty")
    with pytest.raises(DomainError):
        survey_open(survey_id=survey.pk)


def test_templates_fill_in_the_brand_name(in_brand_a):
    from surveys.services import survey_create_from_template

    survey = survey_create_from_template(template="nps_quarterly", brand_name="Kopi Nusantara", open_now=True)
    nps = survey.questions.get(kind="nps")
    assert "Kopi Nusantara" in nps.text_en and "Kopi Nusantara" in nps.text_id
    assert survey.status == "open"
    with pytest.raises(DomainError):
        survey_create_from_template(template="nope", brand_name="X")


def test_token_is_stored_only_as_sha256_and_has_256_bits(in_brand_a):
    import hashlib

    from surveys.models import InvitationLink

    survey = make_survey()
    invitation, raw = invite(survey)
    link = InvitationLink.objects.get(invitation=invitation)
    assert len(raw) >= 43  # 32 random bytes, URL-safe base64
    assert link.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = " ".join(str(v) for v in InvitationLink.objects.values_list().get(pk=link.pk))
    assert raw not in stored


def test_invitation_expires_after_14_days_by_default(in_brand_a):
    survey = make_survey()
    invitation, _ = invite(survey)
    assert abs(invitation.expires_at - (timezone.now() + timedelta(days=14))) < timedelta(minutes=1)


def test_batch_with_one_bad_row_creates_nothing(in_brand_a):
    from surveys.models import Invitation
    from surveys.services import invitation_create_batch

    survey = make_survey()
    with pytest.raises(DomainError) as exc:
        invitation_create_batch(
            survey_id=survey.pk,
            recipients=[{"email": "ok@example.com"}, {"email": "not-an-email"}, {"name": "nobody"}],
        )
    assert "invitations[1].email" in exc.value.field_errors
    assert "invitations[2].email" in exc.value.field_errors
    assert Invitation.objects.count() == 0


# validate_email accepts it (a 64-character local part, 63-character labels), the column does not.
TOO_LONG_EMAIL = "a" * 64 + "@" + ("b" * 63 + ".") * 3 + "com"


def test_email_longer_than_the_column_is_a_field_error_not_a_database_error(in_brand_a):
    from surveys.models import Invitation
    from surveys.services import invitation_create_batch

    survey = make_survey()
    with pytest.raises(DomainError) as exc:
        invitation_create_batch(
            survey_id=survey.pk, recipients=[{"email": "ok@example.com"}, {"email": TOO_LONG_EMAIL}]
        )
    assert list(exc.value.field_errors) == ["invitations[1].email"]
    assert Invitation.objects.count() == 0


def test_a_phone_in_another_scripts_digits_is_refused_as_for_review_customers(in_brand_a):
    """One contact rule for invitations and a review's customers (tenants.contacts): the messaging
    providers take ASCII digits, so Arabic-Indic or Devanagari digits are a field error."""
    from surveys.models import Invitation
    from surveys.services import invitation_create_batch

    survey = make_survey()
    with pytest.raises(DomainError) as exc:
        invitation_create_batch(
            survey_id=survey.pk, recipients=[{"phone": "+62 812 555 0100"}, {"phone": "+६२ ८१२ ५५५"}]
        )
    assert list(exc.value.field_errors) == ["invitations[1].phone"]
    assert Invitation.objects.count() == 0


def test_invitations_need_an_open_survey(in_brand_a):
    survey = make_survey(open_now=False)
    with pytest.raises(DomainError, match="Open the survey"):
        invite(survey)


def test_invitation_emails_are_queued_only_after_commit(
    in_brand_a, django_capture_on_commit_callbacks, monkeypatch
):
    from surveys import tasks
    from surveys.services import invitation_create_batch

    queued = []
    monkeypatch.setattr(
        tasks.invitations_send_task, "delay", lambda ids, reminder: queued.append((ids, reminder))
    )
    survey = make_survey()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = invitation_create_batch(
            survey_id=survey.pk,
            recipients=[{"email": "a@example.com"}, {"phone": "+62 812 000"}, {"email": "c@example.com"}],
        )
        assert queued == []
    assert len(callbacks) == 1
    # One message for the whole batch; the phone-only recipient gets no email.
    assert queued == [([str(created[0][0].pk), str(created[2][0].pk)], False)]


def test_a_broker_failure_at_commit_queues_nothing_and_still_returns_the_links(
    in_brand_a, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    from kombu.exceptions import OperationalError

    from surveys import tasks
    from surveys.models import Invitation
    from surveys.services import invitation_create_batch

    published = []

    def broker_down(ids, reminder):
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.invitation_send_task, "delay", lambda pk: published.append(pk))
    monkeypatch.setattr(tasks.invitations_send_task, "delay", broker_down)
    survey = make_survey()
    with django_capture_on_commit_callbacks(execute=True):
        created = invitation_create_batch(
            survey_id=survey.pk, recipients=[{"email": f"p{i}@example.com"} for i in range(3)]
        )
    assert len(created) == 3 and all(raw for _inv, raw in created)
    assert Invitation.objects.filter(sent_at__isnull=True).count() == 3 and published == []
    assert "Could not queue 3 survey invitation emails" in caplog.text


def test_batch_email_task_queues_one_email_task_per_invitation(monkeypatch):
    from surveys import tasks

    queued = []
    monkeypatch.setattr(tasks.invitation_send_task, "delay", lambda pk: queued.append(("send", pk)))
    monkeypatch.setattr(tasks.invitation_remind_task, "delay", lambda pk: queued.append(("remind", pk)))
    assert tasks.invitations_send_task.run(["a", "b"]) == 2
    assert tasks.invitations_send_task.run(["c"], reminder=True) == 1
    assert queued == [("send", "a"), ("send", "b"), ("remind", "c")]


def test_invitation_send_claims_once(in_brand_a, mailoutbox):
    from surveys.models import InvitationEmail, InvitationLink
    from surveys.services import invitation_send

    survey = make_survey()
    invitation, raw = invite(survey)
    assert invitation_send(invitation_id=invitation.pk) is True
    assert invitation_send(invitation_id=invitation.pk) is False
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["sari@example.com"]
    assert InvitationEmail.objects.filter(invitation=invitation).count() == 1
    # The email carries its own fresh link (the creation link's token is not recoverable).
    email_link = InvitationLink.objects.get(invitation=invitation, purpose="invitation")
    assert "/s/" in mailoutbox[0].body and raw not in mailoutbox[0].body
    assert email_link.token_hash not in mailoutbox[0].body


def test_reminder_goes_once_and_never_to_answered_or_opted_out(in_brand_a, mailoutbox):
    from surveys.services import invitation_opt_out, invitation_remind, invitation_send, response_submit

    survey = make_survey(kinds=[{"kind": "csat", "text_en": "Satisfied?"}])
    waiting, _ = invite(survey, email="w@example.com")
    answered, _ = invite(survey, email="a@example.com")
    opted, _ = invite(survey, email="o@example.com")
    for inv in (waiting, answered, opted):
        invitation_send(invitation_id=inv.pk)
    q = survey.questions.get()
    response_submit(invitation_id=answered.pk, answers={q.pk: 4}, language="en")
    invitation_opt_out(invitation_id=opted.pk)
    mailoutbox.clear()
    assert invitation_remind(invitation_id=waiting.pk) is True
    assert invitation_remind(invitation_id=waiting.pk) is False
    assert invitation_remind(invitation_id=answered.pk) is False
    assert invitation_remind(invitation_id=opted.pk) is False
    assert [m.to for m in mailoutbox] == [["w@example.com"]]


def test_submission_stores_all_answers(in_brand_a):
    from surveys.models import Answer, Response
    from surveys.services import response_submit

    survey = make_survey()
    invitation, _ = invite(survey)
    q = {x.kind: x for x in survey.questions.prefetch_related("options")}
    multi = list(q["multiple_choice"].options.all())
    response = response_submit(
        invitation_id=invitation.pk,
        answers={
            q["csat"].pk: 4,
            q["nps"].pk: 7,
            q["single_choice"].pk: [q["single_choice"].options.first().pk],
            q["multiple_choice"].pk: [multi[0].pk, multi[1].pk],
            q["long_text"].pk: "ok",
        },
        language="id",
    )
    assert Response.objects.get().pk == response.pk
    assert Answer.objects.filter(response=response).count() == 6


def test_failed_submission_stores_nothing_and_keeps_link_usable(in_brand_a):
    from surveys.models import Invitation, Response
    from surveys.services import response_submit

    survey = make_survey()
    invitation, _ = invite(survey)
    q = {x.kind: x for x in survey.questions.prefetch_related("options")}
    option = q["single_choice"].options.first()
    with pytest.raises(DomainError):
        # NPS out of range: raised after the claim and the response row were written.
        response_submit(
            invitation_id=invitation.pk,
            answers={q["csat"].pk: 4, q["nps"].pk: 11, q["single_choice"].pk: [option.pk]},
            language="en",
        )
    assert Response.objects.count() == 0
    assert Invitation.objects.get(pk=invitation.pk).answered_at is None


def test_second_submission_of_an_invitation_is_refused(in_brand_a):
    from surveys.services import InvitationUnavailable, response_submit

    survey = make_survey(kinds=[{"kind": "csat", "text_en": "Satisfied?"}])
    invitation, _ = invite(survey)
    q = survey.questions.get()
    response_submit(invitation_id=invitation.pk, answers={q.pk: 5}, language="en")
    with pytest.raises(InvitationUnavailable) as exc:
        response_submit(invitation_id=invitation.pk, answers={q.pk: 1}, language="en")
    assert exc.value.reason == "answered"


def test_consent_with_top_score_becomes_a_testimonial_candidate(in_brand_a):
    from surveys.models import TestimonialCandidate
    from surveys.services import response_submit

    kinds = [
        {"kind": "nps", "text_en": "Recommend?"},
        {"kind": "long_text", "text_en": "Why?", "required": False},
        {"kind": "consent", "text_en": "Quote you?", "required": False},
    ]
    survey = make_survey(kinds=kinds)
    q = {x.kind: x for x in survey.questions.all()}
    cases = [(10, "initials", True), (8, "first_name", False), (10, False, False), (9, None, False)]
    for score, consent, expected in cases:
        invitation, _ = invite(survey, name=f"Score {score} {consent}")
        answers = {q["nps"].pk: score, q["long_text"].pk: "Great coffee, quick fix."}
        if consent is not None:
            answers[q["consent"].pk] = consent
        response = response_submit(invitation_id=invitation.pk, answers=answers, language="en")
        assert TestimonialCandidate.objects.filter(response=response).exists() is expected, (score, consent)
    candidate = TestimonialCandidate.objects.get()
    assert candidate.quote == "Great coffee, quick fix." and candidate.score == 10
    assert candidate.author_name == "Score 10 initials" and candidate.attribution == "initials"


def test_testimonial_review_is_idempotent(in_brand_a, ayu):
    from surveys.models import TestimonialCandidate
    from surveys.services import response_submit, testimonial_review

    survey = make_survey(kinds=[{"kind": "csat", "text_en": "?"}, {"kind": "consent", "text_en": "Quote?"}])
    q = {x.kind: x for x in survey.questions.all()}
    invitation, _ = invite(survey)
    response_submit(
        invitation_id=invitation.pk, answers={q["csat"].pk: 5, q["consent"].pk: "first_name"}, language="en"
    )
    candidate = TestimonialCandidate.objects.get()
    first = testimonial_review(candidate_id=candidate.pk, decision="approve", actor=ayu)
    again = testimonial_review(candidate_id=candidate.pk, decision="approve", actor=None)
    assert again.status == "approved" and again.reviewed_at == first.reviewed_at
    assert again.reviewed_by_email == "ayu@example.com"
    with pytest.raises(DomainError):
        testimonial_review(candidate_id=candidate.pk, decision="maybe", actor=ayu)


def test_submission_survives_a_rewording_made_while_the_respondent_was_answering(in_brand_a):
    from surveys.models import Response
    from surveys.services import question_update, response_submit

    survey = make_survey(kinds=[{"kind": "csat", "text_en": "Satisfied?"}])
    invitation, _ = invite(survey)
    q = survey.questions.get()
    loaded_version = survey.questions_version  # what the page was rendered with
    question_update(question_id=q.pk, text_en="How satisfied are you?")
    response_submit(
        invitation_id=invitation.pk,
        answers={q.pk: 4},
        language="en",
        survey_id=survey.pk,
        questions_version=loaded_version,
    )
    assert Response.objects.filter(invitation=invitation).count() == 1


def test_submission_without_answers_to_optional_questions_stores_a_response(in_brand_a):
    from surveys.models import Answer, Response
    from surveys.services import response_submit

    survey = make_survey(kinds=[{"kind": "long_text", "text_en": "Anything else?", "required": False}])
    invitation, _ = invite(survey)
    response_submit(invitation_id=invitation.pk, answers={}, language="en")
    assert Response.objects.count() == 1 and Answer.objects.count() == 0


def test_invitation_email_is_in_the_invitation_language(in_brand_a, mailoutbox):
    from surveys.services import invitation_send

    survey = make_survey()
    invitation, _ = invite(survey, language="id", name="Sari")
    invitation_send(invitation_id=invitation.pk)
    message = mailoutbox[0]
    assert message.subject == "Kopi Nusantara ingin mendengar pendapat Anda"
    assert "Halo Sari," in message.body and "http://kopi.tanggap.test:8000/s/" in message.body
    assert message.extra_headers["List-Unsubscribe"].endswith("/opt-out/>")


@pytest.mark.parametrize("consent", [True, "yes", "full_name"])
def test_consent_without_a_choice_of_name_is_refused(in_brand_a, consent):
    """A yes must say how the respondent may be named; nothing is stored otherwise."""
    from surveys.models import Response, TestimonialCandidate
    from surveys.services import response_submit

    survey = make_survey(kinds=[{"kind": "csat", "text_en": "?"}, {"kind": "consent", "text_en": "Quote?"}])
    q = {x.kind: x for x in survey.questions.all()}
    invitation, _ = invite(survey)
    with pytest.raises(DomainError, match="how we may name you"):
        response_submit(
            invitation_id=invitation.pk, answers={q["csat"].pk: 5, q["consent"].pk: consent}, language="en"
        )
    assert not Response.objects.exists() and not TestimonialCandidate.objects.exists()

"""The public answer page at /s/<token>/: states, validation of every question type, language,
brand chrome, CSRF, rate limit, opt-out."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.helpers import BRAND_A, brand_host
from tests.surveys.conftest import invite, make_survey, questions_by_kind, valid_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(survey_a):
    invitation, token = invite(survey_a)
    return survey_a, invitation, token


def _field(survey, kind):
    from surveys.forms import field_name

    return field_name(questions_by_kind(survey)[kind])


def test_page_shows_questions_brand_name_and_colour_without_login(client_a, invited):
    survey, _, token = invited
    response = client_a.get(f"/s/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kopi Nusantara" in html and "#0f766e" in html
    assert "How satisfied are you?" in html and 'name="csrfmiddlewaretoken"' in html
    assert 'name="viewport"' in html and "<script" not in html


def test_valid_submission_redirects_to_thanks_and_stores_answers(client_a, invited):
    from surveys.models import Answer, Invitation, Response

    survey, invitation, token = invited
    response = client_a.post(f"/s/{token}/", valid_post(survey))
    assert response.status_code == 302 and response["Location"] == f"/s/{token}/thanks/"
    assert Response.objects.filter(invitation=invitation).count() == 1
    assert (
        Answer.objects.filter(response__invitation=invitation).count() == 9
    )  # 2 options in the multiple choice
    assert Invitation.objects.get(pk=invitation.pk).answered_at is not None
    thanks = client_a.get(f"/s/{token}/thanks/", HTTP_ACCEPT_LANGUAGE="en")
    assert thanks.status_code == 200 and "Thank you" in thanks.content.decode()


def test_second_submission_of_a_token_is_refused(client_a, invited):
    from surveys.models import Response

    survey, _, token = invited
    assert client_a.post(f"/s/{token}/", valid_post(survey)).status_code == 302
    again = client_a.post(f"/s/{token}/", valid_post(survey, csat="1"), HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 404
    assert "already answered" in again.content.decode()
    assert Response.objects.count() == 1
    assert client_a.get(f"/s/{token}/", HTTP_ACCEPT_LANGUAGE="en").status_code == 404


def test_expired_link_is_gone(client_a, invited):
    from surveys.models import Invitation

    _, invitation, token = invited
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client_a.get(f"/s/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404 and "expired" in response.content.decode()


def test_closed_survey_link_is_gone(client_a, invited):
    from surveys.services import survey_close

    survey, _, token = invited
    survey_close(survey_id=survey.pk)
    response = client_a.post(f"/s/{token}/", valid_post(survey), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404 and "closed" in response.content.decode()


@pytest.mark.parametrize("token", ["x" * 43, "short", "a" * 43 + "%00", "a" * 65])
def test_unknown_or_malformed_token_is_404_page(client_a, brand_a, token):
    response = client_a.get(f"/s/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "This survey link is not available" in response.content.decode()


def test_token_of_brand_a_is_unknown_on_brand_b_host(client_b, invited):
    _, _, token = invited
    response = client_b.get(f"/s/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Kopi Nusantara" not in response.content.decode()
    assert client_b.post(f"/s/{token}/", {}).status_code == 404


# --- validation of every question type ------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("csat", "6", "Choose a number from 1 to 5."),
        ("csat", "0", "Choose a number from 1 to 5."),
        ("csat", None, "Please answer this question."),
        ("nps", "11", "Choose a number from 0 to 10."),
        ("nps", "-1", "Choose a number from 0 to 10."),
        ("nps", "ten", "Choose a number from 0 to 10."),
        ("ces", "8", "Choose a number from 1 to 7."),
        ("single_choice", "00000000-0000-0000-0000-000000000000", "Choose one of the options."),
        ("single_choice", None, "Please answer this question."),
        ("multiple_choice", ["00000000-0000-0000-0000-000000000000"], "Choose from the options shown."),
        ("short_text", "x" * 201, "Please keep it under 200 characters."),
        ("long_text", "x" * 4001, "Please keep it under 4000 characters."),
        ("consent", "maybe", "Choose whether, and how, we may quote you."),
        ("consent", "yes", "Choose whether, and how, we may quote you."),
    ],
)
def test_each_question_type_rejects_bad_answers_with_a_message_on_its_field(
    client_a, invited, kind, value, message
):
    from surveys.models import Response

    survey, _, token = invited
    response = client_a.post(f"/s/{token}/", valid_post(survey, **{kind: value}), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="err-{_field(survey, kind)}"' in html
    assert message in html
    assert Response.objects.count() == 0


def test_optional_questions_may_be_left_empty(client_a, invited):
    from surveys.models import Response

    survey, _, token = invited
    data = valid_post(survey, ces=None, multiple_choice=None, short_text=None, long_text=None, consent=None)
    assert client_a.post(f"/s/{token}/", data).status_code == 302
    assert Response.objects.count() == 1


def test_page_keeps_what_was_typed_when_a_field_is_wrong(client_a, invited):
    survey, _, token = invited
    data = valid_post(survey, csat="9", long_text="Barista <b>Rina</b> was great")
    html = client_a.post(f"/s/{token}/", data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Barista &lt;b&gt;Rina&lt;/b&gt; was great" in html  # kept, and escaped
    assert 'value="Bandung"' in html
    nps_field = _field(survey, "nps")
    assert f'name="{nps_field}" value="10"' in html and "checked" in html


def test_whitespace_only_required_text_is_missing(client_a, in_brand_a):
    survey = make_survey(kinds=[{"kind": "short_text", "text_en": "Name"}])
    _, token = invite(survey)
    from surveys.forms import field_name

    response = client_a.post(
        f"/s/{token}/", {field_name(survey.questions.get()): "   "}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400 and "Please answer this question." in response.content.decode()


# --- language -------------------------------------------------------------------------------
def test_language_follows_the_invitation_first(client_a, survey_a):
    _, token = invite(survey_a, language="id")
    html = client_a.get(f"/s/{token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Seberapa puas Anda?" in html and 'lang="id"' in html
    assert "Kirim jawaban saya" in html  # the button, translated


def test_language_follows_the_browser_without_invitation_language(client_a, survey_a):
    _, token = invite(survey_a)
    html = client_a.get(f"/s/{token}/", HTTP_ACCEPT_LANGUAGE="id-ID,id;q=0.9,en;q=0.5").content.decode()
    assert "Seberapa puas Anda?" in html
    html = client_a.get(f"/s/{token}/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8").content.decode()
    assert "How satisfied are you?" in html and "Send my answers" in html


def test_language_falls_back_to_the_brand_default(client_a, brand_a, survey_a):
    _, token = invite(survey_a)
    assert brand_a.default_language == "id"
    response = client_a.get(f"/s/{token}/", HTTP_ACCEPT_LANGUAGE="fr-FR")
    assert "Seberapa puas Anda?" in response.content.decode() and response["Content-Language"] == "id"


def test_validation_messages_are_translated(client_a, survey_a):
    _, token = invite(survey_a, language="id")
    html = client_a.post(f"/s/{token}/", valid_post(survey_a, csat="9")).content.decode()
    assert "Pilih angka dari 1 sampai 5." in html


def test_missing_indonesian_text_falls_back_to_english(client_a, in_brand_a):
    survey = make_survey(kinds=[{"kind": "csat", "text_en": "English only?"}])
    _, token = invite(survey, language="id")
    assert "English only?" in client_a.get(f"/s/{token}/").content.decode()


# --- brand chrome, CSRF, rate limit, opt-out ----------------------------------------------------
def test_invalid_brand_colour_never_reaches_the_stylesheet(client_a, brand_a, invited):
    from tenants.models import Brand

    _, _, token = invited
    Brand.objects.filter(pk=brand_a.pk).update(colour="</style")  # fits the column; not #rrggbb
    html = client_a.get(f"/s/{token}/").content.decode()
    assert "--brand: </style" not in html and "--brand: #0f766e" in html


def test_post_without_csrf_token_is_refused(brand_a, invited):
    from surveys.models import Response

    survey, _, token = invited
    client = Client(enforce_csrf_checks=True, HTTP_HOST=brand_host(BRAND_A))
    assert client.post(f"/s/{token}/", valid_post(survey)).status_code == 403
    assert Response.objects.count() == 0
    # With the token from the page, the same client succeeds.
    page = client.get(f"/s/{token}/")
    csrf = page.context["csrf_token"]
    assert (
        client.post(f"/s/{token}/", {**valid_post(survey), "csrfmiddlewaretoken": str(csrf)}).status_code
        == 302
    )


def test_submissions_are_rate_limited_per_token(client_a, invited, settings):
    from django.core.cache import cache

    settings.SURVEYS_SUBMIT_RATE_PER_TOKEN = "3/m"
    cache.clear()
    survey, _, token = invited
    statuses = [client_a.post(f"/s/{token}/", valid_post(survey, csat="9")).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    page = client_a.post(f"/s/{token}/", valid_post(survey), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 429 and "Too many attempts" in page.content.decode()


def test_submissions_are_rate_limited_per_client_address(client_a, survey_a, settings):
    from django.core.cache import cache

    settings.SURVEYS_SUBMIT_RATE_PER_IP = "2/m"
    cache.clear()
    tokens = [invite(survey_a, email=f"p{i}@example.com")[1] for i in range(3)]
    statuses = [
        client_a.post(f"/s/{t}/", valid_post(survey_a), REMOTE_ADDR="10.1.2.3").status_code for t in tokens
    ]
    assert statuses == [302, 302, 429]
    other = client_a.post(f"/s/{tokens[2]}/", valid_post(survey_a), REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 302


def test_opt_out_needs_a_post_and_stops_reminders(client_a, invited):
    from surveys.models import Invitation

    _, invitation, token = invited
    page = client_a.get(f"/s/{token}/opt-out/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and Invitation.objects.get(pk=invitation.pk).opted_out_at is None
    done = client_a.post(f"/s/{token}/opt-out/", HTTP_ACCEPT_LANGUAGE="en")
    assert done.status_code == 200 and "will not get more emails" in done.content.decode()
    assert Invitation.objects.get(pk=invitation.pk).opted_out_at is not None


def test_thanks_page_before_answering_goes_back_to_the_form(client_a, invited):
    _, _, token = invited
    response = client_a.get(f"/s/{token}/thanks/")
    assert response.status_code == 302 and response["Location"] == f"/s/{token}/"


def test_put_is_not_allowed(client_a, invited):
    _, _, token = invited
    assert client_a.put(f"/s/{token}/").status_code == 405


# --- the fast path (hidden fields) and the full path agree ------------------------------------------
def test_submission_without_the_hidden_fields_takes_the_full_path(client_a, invited):
    from surveys.models import Response

    survey, _, token = invited
    assert client_a.post(f"/s/{token}/", valid_post(survey, hidden=False)).status_code == 302
    assert Response.objects.count() == 1


@pytest.mark.parametrize(
    "forged", [{"v": "999"}, {"s": "00000000-0000-0000-0000-000000000000"}, {"v": "x"}, {"l": "fr"}]
)
def test_forged_hidden_fields_cannot_store_against_another_question_set(client_a, invited, forged):
    from surveys.models import Response

    survey, invitation, token = invited
    response = client_a.post(f"/s/{token}/", {**valid_post(survey), **forged})
    assert response.status_code == 302  # the full path checks against the invitation's own survey
    assert Response.objects.get().invitation_id == invitation.pk


def test_the_submission_statement_is_prepared_and_django_queries_are_not(client_a, survey_a):
    """The fast path's one statement is kept planned on the connection (planning was a third of its
    cost), while the connection's own setting, which keeps Django's queries unprepared, is left as
    it was."""
    from django.db import connection

    from surveys.models import Answer, Response

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
            return [row[0] for row in cursor.fetchall()]

    connection.ensure_connection()
    threshold = connection.connection.prepare_threshold
    assert threshold is None  # Django's default; the test would prove nothing otherwise
    for _ in range(3):
        _invitation, token = invite(survey_a)
        assert client_a.post(f"/s/{token}/", valid_post(survey_a)).status_code == 302
    statements = prepared()
    assert len(statements) == 1 and "INSERT INTO surveys_answer" in statements[0], statements
    assert connection.connection.prepare_threshold is threshold
    # Every answer of the three went in through the prepared statement's JSON parameter.
    assert Response.objects.count() == 3 and Answer.objects.count() == 27


def test_page_renders_the_hidden_fields(client_a, invited):
    survey, _, token = invited
    html = client_a.get(f"/s/{token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'name="s" value="{survey.pk}"' in html and f'name="v" value="{survey.questions_version}"' in html


def test_survey_reworded_while_answering_still_takes_the_answers(client_a, invited):
    from surveys.models import Response
    from surveys.services import question_update

    survey, _, token = invited
    data = valid_post(survey)  # rendered with the version before the rewording
    question_update(question_id=survey.questions.get(kind="csat").pk, text_en="How happy are you?")
    assert client_a.post(f"/s/{token}/", data).status_code == 302
    assert Response.objects.count() == 1


def test_token_of_brand_a_cannot_be_submitted_on_brand_b_host(client_b, invited):
    from surveys.models import Response

    survey, _, token = invited
    assert client_b.post(f"/s/{token}/", valid_post(survey)).status_code == 404
    assert Response.objects.count() == 0


def test_a_box_ticked_twice_counts_once(client_a, invited):
    from surveys.models import Answer

    survey, _, token = invited
    option = str(questions_by_kind(survey)["multiple_choice"].options.first().pk)
    for hidden in (True, False):
        _, token = invite(survey, email=f"twice-{hidden}@example.com")
        data = valid_post(survey, hidden=hidden, multiple_choice=[option, option])
        assert client_a.post(f"/s/{token}/", data).status_code == 302
    assert Answer.objects.filter(question__kind="multiple_choice").count() == 2


@pytest.mark.parametrize(
    "garbage",
    [
        {"s": "not-a-uuid", "v": "1", "l": "en"},
        {"v": "99999999999999999999"},
        {"csat": ["4", "5"]},
        {"single_choice": ["x", "y"]},
        {"nps": "٣"},  # a non-ASCII digit
        {"consent": ""},
        {"long_text": "\x00\x01 nul bytes"},
    ],
)
def test_malformed_submissions_never_fail_with_500(client_a, invited, garbage):
    survey, _, token = invited
    data = valid_post(survey)
    for key, value in garbage.items():
        if key in ("s", "v", "l"):
            data[key] = value
        else:
            from surveys.forms import field_name

            data[field_name(questions_by_kind(survey)[key])] = value
    assert client_a.post(f"/s/{token}/", data).status_code in (302, 400)


# --- consent to be quoted, and how -----------------------------------------------------------
def test_the_respondent_chooses_how_a_quote_names_them(client_a, invited):
    from surveys.models import Answer, TestimonialCandidate

    survey, _, token = invited
    html = client_a.get(f"/s/{token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for label in ("Yes, with my first name", "Yes, with my initials only", "Yes, without my name", "No"):
        assert f"<span>{label}</span>" in html
    assert client_a.post(f"/s/{token}/", valid_post(survey, consent="initials")).status_code == 302
    candidate = TestimonialCandidate.objects.get()
    assert candidate.attribution == "initials"
    consent = Answer.objects.get(question__kind="consent")
    assert (consent.number, consent.text) == (1, "initials")


def test_the_choice_of_name_is_offered_in_bahasa_indonesia(client_a, invited):
    _, _, token = invited
    html = client_a.get(f"/s/{token}/?lang=id").content.decode()
    assert "Ya, dengan inisial saya saja" in html and "Ya, tanpa nama saya" in html


@pytest.mark.parametrize("hidden", [True, False])  # the fast path and the full form path
def test_no_consent_makes_no_candidate_whichever_path(client_a, invited, hidden):
    from surveys.models import Answer, TestimonialCandidate

    survey, _, token = invited
    assert client_a.post(f"/s/{token}/", valid_post(survey, consent="no", hidden=hidden)).status_code == 302
    assert not TestimonialCandidate.objects.exists()
    assert Answer.objects.get(question__kind="consent").number == 0

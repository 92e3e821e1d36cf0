"""Surveys in the brand admin: building, the results page, CSV export, inviting (one or a CSV
batch, links shown once), testimonial review; who may see and do what."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from tests.surveys.conftest import invite, make_survey, valid_post

pytestmark = pytest.mark.django_db


def test_results_page_shows_the_figures(client_a, ayu, in_brand_a):
    survey = make_survey()
    _, token = invite(survey)
    invite(survey, email="other@example.com")
    client_a.post(f"/s/{token}/", valid_post(survey))
    response = client_a.login_as(ayu).get(f"/admin/surveys/survey/{survey.pk}/results/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "50.0%" in html and "100.0%" in html and "Export responses (CSV)" in html


def test_client_viewer_sees_results_and_export_but_cannot_add(client_a, budi, in_brand_a):
    survey = make_survey()
    client_a.login_as(budi)
    assert client_a.get(f"/admin/surveys/survey/{survey.pk}/results/").status_code == 200
    export = client_a.get(f"/admin/surveys/survey/{survey.pk}/export.csv")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    assert client_a.get("/admin/surveys/invitation/add/").status_code == 403
    assert client_a.get("/admin/surveys/survey/from-template/").status_code == 403


def test_citra_cannot_open_brand_a_results(client_a, citra, in_brand_a):
    survey = make_survey()
    response = client_a.login_as(citra).get(f"/admin/surveys/survey/{survey.pk}/results/")
    assert response.status_code == 403 and "Complaint follow-up" not in response.content.decode()


def test_unknown_survey_results_is_404(client_a, ayu, brand_a):
    response = client_a.login_as(ayu).get(
        "/admin/surveys/survey/00000000-0000-0000-0000-000000000000/results/"
    )
    assert response.status_code == 404


def test_csv_upload_creates_invitations_and_shows_links_once(client_a, ayu, in_brand_a):
    from surveys.models import Invitation

    survey = make_survey()
    upload = SimpleUploadedFile(
        "people.csv",
        b"Name,Email,Phone,Language,incident_id\nSari,sari@example.com,,id,11111111-2222-3333-4444-555555555555\n"
        b"Budi,,+62 812 1,,\n",
        content_type="text/csv",
    )
    response = client_a.login_as(ayu).post(
        "/admin/surveys/invitation/add/",
        {"survey": str(survey.pk), "file": upload, "expires_in_days": "7", "send_email": ""},
    )
    assert response.status_code == 200, response.content
    html = response.content.decode()
    assert html.count("http://kopi.tanggap.test:8000/s/") == 2
    assert Invitation.objects.count() == 2
    assert (
        str(Invitation.objects.get(email="sari@example.com").incident_id)
        == "11111111-2222-3333-4444-555555555555"
    )


def test_csv_upload_with_a_bad_row_creates_nothing(client_a, ayu, in_brand_a):
    from surveys.models import Invitation

    survey = make_survey()
    upload = SimpleUploadedFile("people.csv", b"name,email\nSari,sari@example.com\nBad,not-an-email\n")
    response = client_a.login_as(ayu).post(
        "/admin/surveys/invitation/add/", {"survey": str(survey.pk), "file": upload, "expires_in_days": "14"}
    )
    assert response.status_code == 200 and "invitations[1].email" in response.content.decode()
    assert Invitation.objects.count() == 0


def test_invite_one_person_from_the_admin(client_a, ayu, in_brand_a):
    from surveys.models import Invitation

    survey = make_survey()
    response = client_a.login_as(ayu).post(
        "/admin/surveys/invitation/add/",
        {"survey": str(survey.pk), "name": "Rina", "email": "rina@example.com", "expires_in_days": "14"},
    )
    assert response.status_code == 200 and "/s/" in response.content.decode()
    assert Invitation.objects.get().name == "Rina"


def test_survey_from_template_in_the_admin(client_a, ayu, in_brand_a):
    from surveys.models import Survey

    response = client_a.login_as(ayu).post(
        "/admin/surveys/survey/from-template/", {"template": "nps_quarterly", "open_now": "on"}
    )
    survey = Survey.objects.get()
    assert response.status_code == 302 and survey.status == "open" and survey.questions.count() == 4


def test_admin_adds_a_draft_survey_with_a_choice_question(client_a, ayu, in_brand_a):
    from surveys.models import Survey

    prefix = "questions"
    data = {
        "title_en": "Store visit",
        "title_id": "Kunjungan toko",
        "intro_en": "",
        "intro_id": "",
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-position": "1",
        f"{prefix}-0-kind": "single_choice",
        f"{prefix}-0-text_en": "Which store?",
        f"{prefix}-0-text_id": "Toko mana?",
        f"{prefix}-0-required": "on",
        f"{prefix}-0-new_options": "Jakarta | Jakarta\nBandung | Bandung",
    }
    response = client_a.login_as(ayu).post("/admin/surveys/survey/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    survey = Survey.objects.get()
    question = survey.questions.get()
    assert [o.text_en for o in question.options.all()] == ["Jakarta", "Bandung"]


def test_open_survey_questions_are_locked_in_the_admin(client_a, ayu, in_brand_a):
    survey = make_survey()
    html = client_a.login_as(ayu).get(f"/admin/surveys/survey/{survey.pk}/change/").content.decode()
    assert 'name="questions-0-kind"' not in html  # read-only once open
    assert 'id="questions-empty"' not in html
    draft = make_survey(open_now=False, title="Draft")
    draft_html = client_a.get(f"/admin/surveys/survey/{draft.pk}/change/").content.decode()
    assert 'name="questions-0-kind"' in draft_html and 'id="questions-empty"' in draft_html


def test_testimonial_review_from_the_admin(client_a, ayu, budi, in_brand_a):
    from surveys.models import TestimonialCandidate

    survey = make_survey()
    _, token = invite(survey)
    client_a.post(f"/s/{token}/", valid_post(survey))
    candidate = TestimonialCandidate.objects.get()
    client_a.login_as(ayu).post(
        "/admin/surveys/testimonialcandidate/", {"action": "approve", "_selected_action": [str(candidate.pk)]}
    )
    candidate.refresh_from_db()
    assert candidate.status == "approved" and candidate.reviewed_by_email == "ayu@example.com"
    budi_page = client_a.login_as(budi).get("/admin/surveys/testimonialcandidate/")
    assert budi_page.status_code == 200 and 'value="approve"' not in budi_page.content.decode()


def test_csv_with_nul_characters_is_refused_not_a_500(client_a, ayu, in_brand_a):
    from surveys.models import Invitation

    survey = make_survey()
    upload = SimpleUploadedFile("people.csv", b"name,email\nSa\x00ri,sari@example.com\n")
    response = client_a.login_as(ayu).post(
        "/admin/surveys/invitation/add/", {"survey": str(survey.pk), "file": upload, "expires_in_days": "14"}
    )
    assert response.status_code == 200 and "NUL" in response.content.decode()
    assert Invitation.objects.count() == 0


def test_invite_with_an_email_longer_than_the_column_is_refused_not_a_500(client_a, ayu, in_brand_a):
    from surveys.models import Invitation
    from tests.surveys.test_services import TOO_LONG_EMAIL

    survey = make_survey()
    client_a.login_as(ayu)
    one = client_a.post(
        "/admin/surveys/invitation/add/",
        {"survey": str(survey.pk), "email": TOO_LONG_EMAIL, "expires_in_days": "14"},
    )
    upload = SimpleUploadedFile("people.csv", f"email\nok@example.com\n{TOO_LONG_EMAIL}\n".encode())
    batch = client_a.post(
        "/admin/surveys/invitation/add/", {"survey": str(survey.pk), "file": upload, "expires_in_days": "14"}
    )
    assert one.status_code == 200 and "invitations[0].email" in one.content.decode()
    assert batch.status_code == 200 and "invitations[1].email" in batch.content.decode()
    assert Invitation.objects.count() == 0


@pytest.mark.parametrize(
    "content",
    [
        b"name,email\r\nSari,sari@example.com\r\n",  # Windows line ends
        b"name,email\rSari,sari@example.com\r",  # old Mac line ends
    ],
)
def test_csv_line_ends_of_any_platform_are_read(client_a, ayu, in_brand_a, content):
    from surveys.models import Invitation

    survey = make_survey()
    upload = SimpleUploadedFile("people.csv", content)
    response = client_a.login_as(ayu).post(
        "/admin/surveys/invitation/add/", {"survey": str(survey.pk), "file": upload, "expires_in_days": "14"}
    )
    assert response.status_code == 200
    assert list(Invitation.objects.values_list("name", "email")) == [("Sari", "sari@example.com")]


def test_csv_with_a_cell_too_large_to_parse_is_refused_not_a_500(client_a, ayu, in_brand_a):
    from surveys.models import Invitation

    survey = make_survey()
    upload = SimpleUploadedFile("people.csv", b"name,email\n" + b"x" * 200_000 + b",sari@example.com\n")
    response = client_a.login_as(ayu).post(
        "/admin/surveys/invitation/add/", {"survey": str(survey.pk), "file": upload, "expires_in_days": "14"}
    )
    assert response.status_code == 200 and "not a readable CSV" in response.content.decode()
    assert Invitation.objects.count() == 0


@pytest.mark.parametrize("model", ["response", "testimonialcandidate"])
def test_responses_and_testimonials_are_never_deleted_in_the_admin(client_a, in_brand_a, model):
    """Only services write them; deleting a response would leave its invitation answered."""
    from tenants.models import BrandGrant, User

    survey = make_survey()
    _, token = invite(survey)
    client_a.post(f"/s/{token}/", valid_post(survey))  # a response and a testimonial candidate
    owner = User.objects.create_user("owner@example.com", "x", name="Owner")
    BrandGrant.objects.create(user=owner, brand=in_brand_a, role=BrandGrant.Role.AGENCY_OWNER)
    client_a.login_as(owner)
    listing = client_a.get(f"/admin/surveys/{model}/")
    pk = listing.context["cl"].result_list[0].pk
    assert listing.status_code == 200 and 'value="delete_selected"' not in listing.content.decode()
    assert client_a.get(f"/admin/surveys/{model}/{pk}/delete/").status_code == 403


@pytest.mark.parametrize(("action", "reminder"), [("send_now", False), ("remind_now", True)])
def test_send_and_remind_now_queue_the_selected_invitations_in_one_message(
    client_a, ayu, in_brand_a, django_capture_on_commit_callbacks, monkeypatch, action, reminder
):
    from surveys import tasks

    queued = []
    monkeypatch.setattr(
        tasks.invitations_send_task, "delay", lambda ids, reminder: queued.append((sorted(ids), reminder))
    )
    survey = make_survey()
    first, _ = invite(survey, email="one@example.com")
    second, _ = invite(survey, email="two@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.login_as(ayu).post(
            "/admin/surveys/invitation/",
            {"action": action, "_selected_action": [str(first.pk), str(second.pk)]},
        )
    assert response.status_code == 302
    assert queued == [(sorted([str(first.pk), str(second.pk)]), reminder)]


def test_survey_page_links_to_results_and_inviting(client_a, ayu, in_brand_a):
    survey = make_survey()
    html = client_a.login_as(ayu).get(f"/admin/surveys/survey/{survey.pk}/change/").content.decode()
    assert f"/admin/surveys/survey/{survey.pk}/results/" in html
    assert f"/admin/surveys/invitation/add/?survey={survey.pk}" in html
    invite_page = client_a.get(f"/admin/surveys/invitation/add/?survey={survey.pk}").content.decode()
    assert f'<option value="{survey.pk}" selected>' in invite_page


@pytest.mark.parametrize(
    "model, action",
    [
        ("survey", "open_surveys"),
        ("survey", "close_surveys"),
        ("survey", "duplicate_surveys"),
        ("invitation", "send_now"),
        ("invitation", "remind_now"),
    ],
)
def test_client_viewer_cannot_run_survey_actions(
    client_a, budi, in_brand_a, django_capture_on_commit_callbacks, model, action
):
    """Finding: a client viewer could open, close, duplicate a survey or email customers."""
    from surveys.models import Invitation, Survey

    open_survey, draft = make_survey(), make_survey(open_now=False, title="Draft")
    invitation, _token = invite(open_survey)
    before = (
        sorted(Survey.objects.values_list("pk", "status")),
        sorted(Invitation.objects.values_list("pk", "sent_at", "reminded_at")),
    )
    selected = {"survey": [open_survey.pk, draft.pk], "invitation": [invitation.pk]}[model]
    with django_capture_on_commit_callbacks() as queued:
        response = client_a.login_as(budi).post(
            f"/admin/surveys/{model}/",
            {"action": action, "index": "0", "_selected_action": [str(pk) for pk in selected]},
        )
    assert response.status_code == 403
    assert queued == []
    assert before == (
        sorted(Survey.objects.values_list("pk", "status")),
        sorted(Invitation.objects.values_list("pk", "sent_at", "reminded_at")),
    )
    page = client_a.get(f"/admin/surveys/{model}/").content.decode()
    assert f'value="{action}"' not in page  # not offered either


def test_staff_still_run_the_survey_actions(client_a, ayu, in_brand_a):
    from surveys.models import Survey

    draft = make_survey(open_now=False, title="Draft")
    response = client_a.login_as(ayu).post(
        "/admin/surveys/survey/",
        {"action": "open_surveys", "index": "0", "_selected_action": [str(draft.pk)]},
    )
    assert response.status_code == 302
    assert Survey.objects.get(pk=draft.pk).status == Survey.Status.OPEN


def test_a_viewer_hiding_the_action_in_the_second_action_form_is_refused(client_a, budi, in_brand_a):
    from surveys.models import Survey

    survey = make_survey()
    response = client_a.login_as(budi).post(
        "/admin/surveys/survey/",
        {"action": ["close_surveys", ""], "index": "0", "_selected_action": [str(survey.pk)]},
    )
    assert response.status_code == 403
    assert Survey.objects.get(pk=survey.pk).status == Survey.Status.OPEN


def test_brand_a_testimonial_candidates_are_out_of_others_reach_in_the_admin(
    client_a, client_b, ayu, citra, brand_a, brand_b
):
    """Citra (brand B's staff) and Olga (another agency) never see or review brand A's candidates:
    on A's host the brand admin refuses them (the "no access" page) for every page and action; on
    B's host A's candidate is not there."""
    from surveys.models import TestimonialCandidate
    from tenants.models import Agency, AgencyMembership, User

    olga = User.objects.create_user("olga@lain.example.com", "x", name="Olga")
    AgencyMembership.objects.create(
        user=olga, agency=Agency.objects.create(slug="lain", name="Lain"), role="owner"
    )
    with tenant_context(brand_a):
        survey = make_survey()
        _, token = invite(survey)
        client_a.post(f"/s/{token}/", valid_post(survey, long_text="Secret praise from Kopi"))
        candidate = TestimonialCandidate.objects.get()
    listing = "/admin/surveys/testimonialcandidate/"
    change = f"{listing}{candidate.pk}/change/"
    for action in ("approve", "reject"):
        act = {"action": action, "_selected_action": [str(candidate.pk)]}
        for stranger in (citra, olga):
            client_a.login_as(stranger)
            for response in (client_a.get(listing), client_a.get(change), client_a.post(listing, act)):
                assert response.status_code in (403, 404), (stranger, response.status_code)
                assert "Secret praise" not in response.content.decode()
        client_b.login_as(citra)
        assert "Secret praise" not in client_b.get(listing).content.decode()
        missing = client_b.get(change, follow=True)
        assert missing.redirect_chain or missing.status_code == 404
        assert "Secret praise" not in missing.content.decode()
        client_b.post(listing, act)
    with tenant_context(brand_a):
        candidate.refresh_from_db()
        assert candidate.status == "pending" and candidate.reviewed_at is None

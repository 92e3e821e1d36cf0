"""The survey API: templates, bulk invitations with links returned once, results, responses (JSON,
CSV), testimonials; who may read and write; the OpenAPI schema."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.helpers import bearer
from tests.surveys.conftest import invite, make_survey, valid_post

pytestmark = pytest.mark.django_db


def _open_survey(client_a, api_key_a, template="csat_after_complaint"):
    response = client_a.post(
        "/api/v1/surveys/",
        {"template": template, "open": True},
        content_type="application/json",
        **bearer(api_key_a),
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_api_key_creates_survey_from_template(client_a, api_key_a):
    body = _open_survey(client_a, api_key_a)
    assert body["status"] == "open" and body["template"] == "csat_after_complaint"
    kinds = [q["kind"] for q in body["questions"]]
    assert kinds == ["csat", "ces", "single_choice", "long_text", "consent"]
    assert "Kopi Nusantara" in body["questions"][0]["text_en"]
    nps = _open_survey(client_a, api_key_a, "nps_quarterly")
    assert nps["questions"][0]["kind"] == "nps"


def test_unknown_template_is_a_400_with_field_error(client_a, api_key_a):
    response = client_a.post(
        "/api/v1/surveys/", {"template": "nope"}, content_type="application/json", **bearer(api_key_a)
    )
    assert response.status_code == 400 and "template" in response.json()


def test_bulk_invitations_return_links_on_the_brand_host_once(client_a, api_key_a, settings):
    from surveys.models import Invitation

    settings.SITE_SCHEME, settings.SITE_PORT = "https", "8443"
    survey = _open_survey(client_a, api_key_a)
    payload = {
        "invitations": [
            {
                "name": "Sari",
                "email": "sari@example.com",
                "language": "id",
                "incident_id": "11111111-2222-3333-4444-555555555555",
            },
            {"phone": "+62 812 3456", "mention_author": "@sari_kopi"},
        ],
        "send_email": False,
    }
    response = client_a.post(
        f"/api/v1/surveys/{survey['id']}/invitations/",
        payload,
        content_type="application/json",
        **bearer(api_key_a),
    )
    assert response.status_code == 201, response.content
    links = [row["link"] for row in response.json()]
    assert all(link.startswith("https://kopi.tanggap.test:8443/s/") for link in links)
    # The links work, and the listing never shows them again.
    path = links[0].split("8443", 1)[1]
    assert client_a.get(path).status_code == 200
    listing = client_a.get(f"/api/v1/surveys/{survey['id']}/invitations/", **bearer(api_key_a)).json()
    assert "link" not in listing["results"][0] and len(listing["results"]) == 2
    assert Invitation.objects.get(email="sari@example.com").language == "id"


def test_bulk_invitations_with_a_bad_row_create_nothing(client_a, api_key_a):
    from surveys.models import Invitation

    survey = _open_survey(client_a, api_key_a)
    payload = {"invitations": [{"email": "ok@example.com"}, {"email": "broken"}, {"name": "no contact"}]}
    response = client_a.post(
        f"/api/v1/surveys/{survey['id']}/invitations/",
        payload,
        content_type="application/json",
        **bearer(api_key_a),
    )
    assert response.status_code == 400
    errors = response.json()["invitations"]
    assert set(errors) == {"1", "2"} and "email" in errors["1"]
    assert Invitation.objects.count() == 0


def test_bulk_invitation_with_an_email_longer_than_the_column_is_a_400(client_a, api_key_a):
    from surveys.models import Invitation
    from tests.surveys.test_services import TOO_LONG_EMAIL

    survey = _open_survey(client_a, api_key_a)
    response = client_a.post(
        f"/api/v1/surveys/{survey['id']}/invitations/",
        {"invitations": [{"email": "ok@example.com"}, {"email": TOO_LONG_EMAIL}], "send_email": False},
        content_type="application/json",
        **bearer(api_key_a),
    )
    assert response.status_code == 400
    assert "invitations[1].email" in response.json()["errors"] and Invitation.objects.count() == 0


def test_budi_reads_results_but_cannot_write(client_a, budi, in_brand_a):
    survey = make_survey()
    client_a.login_as(budi)
    assert client_a.get(f"/api/v1/surveys/{survey.pk}/results/").status_code == 200
    assert client_a.get(f"/api/v1/surveys/{survey.pk}/responses/").status_code == 200
    assert (
        client_a.post(
            "/api/v1/surveys/", {"template": "nps_quarterly"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert (
        client_a.post(
            f"/api/v1/surveys/{survey.pk}/invitations/",
            {"invitations": [{"email": "x@example.com"}]},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert client_a.post(f"/api/v1/surveys/{survey.pk}/close/").status_code == 403


def test_ayu_writes_with_her_session(client_a, ayu, in_brand_a):
    survey = make_survey()
    client_a.login_as(ayu)
    response = client_a.post(f"/api/v1/surveys/{survey.pk}/close/")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    copy = client_a.post(f"/api/v1/surveys/{survey.pk}/duplicate/").json()
    assert copy["status"] == "draft" and len(copy["questions"]) == 8


@pytest.mark.parametrize("suffix", ["", "results/", "responses/", "responses.csv", "invitations/"])
def test_citra_gets_404_on_brand_a_surveys(client_a, citra, in_brand_a, suffix):
    survey = make_survey()
    assert client_a.login_as(citra).get(f"/api/v1/surveys/{survey.pk}/{suffix}").status_code == 404


@pytest.mark.parametrize("suffix", ["open/", "close/", "duplicate/", "invitations/"])
def test_citra_cannot_write_to_brand_a_surveys(client_a, citra, in_brand_a, suffix):
    from surveys.models import Invitation, Survey

    survey = make_survey()
    response = client_a.login_as(citra).post(
        f"/api/v1/surveys/{survey.pk}/{suffix}",
        {"invitations": [{"email": "x@example.com"}], "send_email": False},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert list(Survey.objects.values_list("status", flat=True)) == ["open"]
    assert Invitation.objects.count() == 0


def test_citra_cannot_review_brand_a_testimonials(client_a, citra, in_brand_a):
    from surveys.models import TestimonialCandidate

    survey = make_survey()
    _, token = invite(survey)
    client_a.post(f"/s/{token}/", valid_post(survey))
    candidate = TestimonialCandidate.objects.get()
    response = client_a.login_as(citra).post(
        f"/api/v1/testimonials/{candidate.pk}/review/",
        {"decision": "approve"},
        content_type="application/json",
    )
    assert response.status_code == 404 and TestimonialCandidate.objects.get().status == "pending"
    assert client_a.get("/api/v1/testimonials/").status_code == 404


def test_key_of_brand_b_on_brand_a_host_is_404(client_a, api_key_b, in_brand_a):
    survey = make_survey()
    assert client_a.get(f"/api/v1/surveys/{survey.pk}/results/", **bearer(api_key_b)).status_code == 404
    assert client_a.get("/api/v1/surveys/", **bearer(api_key_b)).status_code == 404


def test_survey_of_brand_a_is_404_through_brand_b(client_b, api_key_b, in_brand_a):
    survey = make_survey()
    assert client_b.get(f"/api/v1/surveys/{survey.pk}/results/", **bearer(api_key_b)).status_code == 404


def test_results_endpoint(client_a, api_key_a, in_brand_a):
    survey = make_survey()
    _, token = invite(survey)
    invite(survey, email="other@example.com")
    client_a.post(f"/s/{token}/", valid_post(survey))
    body = client_a.get(f"/api/v1/surveys/{survey.pk}/results/", **bearer(api_key_a)).json()
    assert body["responses"] == 1 and body["response_rate"] == 50.0
    assert body["csat"]["score"] == 100.0 and body["nps"]["score"] == 100.0 and body["ces"]["mean"] == 6.0
    assert len(body["by_week"]) == 1 and body["by_incident"][0]["incident_id"] is None


def test_response_list_has_answers_and_a_fixed_query_count(client_a, api_key_a, in_brand_a):
    survey = make_survey()
    _, token = invite(survey)
    client_a.post(f"/s/{token}/", valid_post(survey))
    client_a.get("/api/v1/surveys/", **bearer(api_key_a))  # the key's first use records last_used_at
    with CaptureQueriesContext(connection) as one:
        body = client_a.get(f"/api/v1/surveys/{survey.pk}/responses/", **bearer(api_key_a)).json()
    answers = {a["kind"]: a for a in body["results"][0]["answers"]}
    assert answers["csat"]["value"] == 5 and answers["consent"]["value"] == 1
    assert answers["multiple_choice"]["labels"] == ["Price", "Quality"]
    for i in range(5):
        _, t = invite(survey, email=f"r{i}@example.com")
        client_a.post(f"/s/{t}/", valid_post(survey))
    with CaptureQueriesContext(connection) as six:
        body = client_a.get(f"/api/v1/surveys/{survey.pk}/responses/", **bearer(api_key_a)).json()
    assert len(body["results"]) == 6
    assert len(six) == len(one)


def test_csv_export_streams_every_response_escaped_against_formulas(client_a, api_key_a, in_brand_a):
    survey = make_survey()
    _, token = invite(survey, name='=HYPERLINK("http://evil")')
    client_a.post(f"/s/{token}/", valid_post(survey, long_text="+1 great", short_text="@home"))
    response = client_a.get(f"/api/v1/surveys/{survey.pk}/responses.csv", **bearer(api_key_a))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, row = rows[0], rows[1]
    assert len(rows) == 2 and header[:3] == ["response_id", "submitted_at", "language"]
    cells = dict(zip(header, row, strict=True))
    assert cells["name"] == '\'=HYPERLINK("http://evil")'
    assert cells["7. Tell us more"] == "'+1 great" and cells["6. Your city"] == "'@home"
    assert cells["5. What do you value?"] == "Price; Quality" and cells["8. May we quote you?"] == "yes"


def test_testimonials_list_and_review(client_a, api_key_a, budi, in_brand_a):
    survey = make_survey()
    _, token = invite(survey)
    client_a.post(f"/s/{token}/", valid_post(survey))  # CSAT 5, NPS 10, consent yes
    listing = client_a.get("/api/v1/testimonials/?status=pending", **bearer(api_key_a)).json()["results"]
    assert len(listing) == 1 and listing[0]["quote"] == "Bandung"
    candidate = listing[0]["id"]
    budi_client = type(client_a)(client_a.host).login_as(budi)
    assert (
        budi_client.post(
            f"/api/v1/testimonials/{candidate}/review/",
            {"decision": "approve"},
            content_type="application/json",
        ).status_code
        == 403
    )
    response = client_a.post(
        f"/api/v1/testimonials/{candidate}/review/",
        {"decision": "approve"},
        content_type="application/json",
        **bearer(api_key_a),
    )
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert client_a.get("/api/v1/testimonials/?status=pending", **bearer(api_key_a)).json()["results"] == []


def test_openapi_schema_lists_the_survey_endpoints(client_a, brand_a):
    schema = client_a.get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/surveys/",
        "/api/v1/surveys/{survey_id}/invitations/",
        "/api/v1/surveys/{survey_id}/results/",
        "/api/v1/surveys/{survey_id}/responses/",
        "/api/v1/testimonials/",
    ):
        assert path in schema["paths"], path
    assert "InvitationWithLinkOut" in str(schema["paths"]["/api/v1/surveys/{survey_id}/invitations/"]["post"])
    assert "PaginatedSurveyResponseOutList" in schema["components"]["schemas"]


def test_survey_and_testimonial_lists_use_a_fixed_number_of_queries(client_a, api_key_a, in_brand_a):
    make_survey()
    client_a.get("/api/v1/surveys/", **bearer(api_key_a))  # the key's first use records last_used_at
    with CaptureQueriesContext(connection) as one:
        assert len(client_a.get("/api/v1/surveys/", **bearer(api_key_a)).json()["results"]) == 1
    for i in range(4):
        survey = make_survey(title=f"Survey {i}")
        _, token = invite(survey)
        client_a.post(f"/s/{token}/", valid_post(survey))
    with CaptureQueriesContext(connection) as five:
        assert len(client_a.get("/api/v1/surveys/", **bearer(api_key_a)).json()["results"]) == 5
    assert len(five) == len(one)
    with CaptureQueriesContext(connection) as candidates:
        assert len(client_a.get("/api/v1/testimonials/", **bearer(api_key_a)).json()["results"]) == 4
    assert len(candidates) <= len(one) + 1

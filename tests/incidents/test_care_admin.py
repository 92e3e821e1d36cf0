"""Care cases in the brand admin: the list and its filters, contact details only for the roles
that need them, actions through the services and the care matrix, form errors without writes."""

import zoneinfo

import pytest
from django.db import connection

from incidents.models import CareCase, CareSettings
from incidents.services import care
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)
from tests.incidents.fixtures_crisis import make_mention, make_person

pytestmark = pytest.mark.django_db

EMAIL = "siti.rahma@example.com"
LIST = "/admin/incidents/carecase/"


@pytest.fixture
def case(in_brand_a, ayu):
    complaint = make_mention(author_handle="siti_r", language="id")
    case = care.care_case_open(actor=ayu, mention_ids=[complaint.pk], customer_email=EMAIL)
    care.care_contact_log(
        actor=ayu, case_id=case.pk, channel="call", direction="outgoing", summary=f"Mail {EMAIL}"
    )
    return case


def _page(case):
    return f"{LIST}{case.pk}/change/"


def test_list_filters_by_state_owner_and_overdue(case, client_a, ayu):
    client_a.login_as(ayu)
    assert "siti_r" in client_a.get(LIST + "?state__exact=in_private").content.decode()
    assert "siti_r" not in client_a.get(LIST + "?state__exact=resolved").content.decode()
    assert "siti_r" not in client_a.get(LIST + "?overdue=yes").content.decode()
    CareCase.objects.filter(pk=case.pk).update(due_at=case.opened_at)
    assert "siti_r" in client_a.get(LIST + "?overdue=yes").content.decode()


@pytest.mark.parametrize(
    "role, sees",
    [("crisis_manager", True), ("customer_care", True), ("social_media_specialist", False), ("legal", False)],
)
def test_case_page_shows_contact_details_only_to_roles_that_need_them(case, client_a, role, sees):
    client_a.login_as(make_person(role))
    page = client_a.get(_page(case))
    assert page.status_code == 200
    assert (EMAIL in page.content.decode()) is sees


def test_client_viewer_is_kept_out_of_care_pages(case, client_a, budi):
    client_a.login_as(budi)
    assert client_a.get(LIST).status_code == 403
    assert client_a.get(_page(case)).status_code in (403, 302)
    assert EMAIL not in client_a.get(_page(case), follow=True).content.decode()


def test_citra_cannot_reach_brand_a_care_pages(case, client_a, client_b, citra):
    client_a.login_as(citra)
    assert client_a.get(LIST).status_code in (302, 403, 404)
    connection.set_schema_to_public()
    client_b.login_as(citra)
    assert client_b.get(_page(case), follow=True).status_code in (200, 404)
    assert EMAIL not in client_b.get(_page(case), follow=True).content.decode()


def test_erase_action_needs_the_erase_role(case, client_a):
    client_a.login_as(make_person("customer_care"))
    client_a.post(LIST, {"action": "erase", "_selected_action": [str(case.pk)]}, follow=True)
    assert CareCase.objects.get(pk=case.pk).customer_email == EMAIL
    client_a.login_as(make_person("crisis_manager"))
    client_a.post(LIST, {"action": "erase", "_selected_action": [str(case.pk)]}, follow=True)
    assert not CareCase.objects.get(pk=case.pk).customer_email


def test_resolve_action_drafts_the_closing_reply(case, client_a, ayu):
    client_a.login_as(ayu)
    client_a.post(LIST, {"action": "resolve", "_selected_action": [str(case.pk)]}, follow=True)
    case.refresh_from_db()
    assert case.state == CareCase.State.RESOLVED and case.closing_reply is not None


def test_bad_email_in_the_form_is_a_form_error_and_nothing_changes(case, client_a, ayu):
    client_a.login_as(ayu)
    page = client_a.post(
        _page(case), {"customer_email": "not-an-email", "customer_name": "", "customer_phone": ""}
    )
    assert page.status_code == 200 and "errorlist" in page.content.decode()
    assert CareCase.objects.get(pk=case.pk).customer_email == EMAIL


def test_form_saves_details_through_the_service(case, client_a, ayu):
    client_a.login_as(ayu)
    page = client_a.post(
        _page(case), {"customer_email": EMAIL, "customer_name": "Siti Rahma", "customer_phone": "0812 3456"}
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    assert CareCase.objects.get(pk=case.pk).customer_phone == "0812 3456"


def test_mentions_list_opens_a_care_case(in_brand_a, client_a, ayu):
    mention = make_mention(author_handle="dewi")
    client_a.login_as(ayu)
    response = client_a.post(
        "/admin/incidents/mention/",
        {"action": "mentions_open_care_case", "_selected_action": [str(mention.pk)]},
    )
    case = CareCase.objects.get(author_handle="dewi")
    assert response.status_code == 302 and str(case.pk) in response["Location"]


def test_care_settings_edit_through_the_service_and_refuse_bad_values(in_brand_a, client_a, ayu):
    client_a.login_as(ayu)
    url = client_a.get("/admin/incidents/caresettings/", follow=True).redirect_chain[-1][0]
    bad = client_a.post(url, {"resolve_within_hours": 0, "escalate_after_hours": 5})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    assert client_a.post(url, {"resolve_within_hours": 12, "escalate_after_hours": 5}).status_code == 302
    assert CareSettings.objects.get().resolve_within_hours == 12


def _csv(client, case) -> str:
    response = client.post(LIST, {"action": "export_csv", "_selected_action": [str(case.pk)]})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return response.content.decode()


def test_case_csv_has_contact_details_only_for_roles_that_see_them_and_is_formula_safe(case, client_a, ayu):
    from tenants.models import AuditEvent

    CareCase.objects.filter(pk=case.pk).update(customer_name='=HYPERLINK("http://x")', author_handle="@siti")
    client_a.login_as(ayu)
    full = _csv(client_a, case)
    assert EMAIL in full and "'=HYPERLINK" in full and "'@siti" in full
    case.refresh_from_db()
    local = case.opened_at.astimezone(zoneinfo.ZoneInfo("Asia/Jakarta")).strftime("%Y-%m-%d %H:%M")
    assert "opened_at (Asia/Jakarta)" in full and local in full
    client_a.login_as(make_person("social_media_specialist"))
    redacted = _csv(client_a, case)
    assert EMAIL not in redacted and "HYPERLINK" not in redacted and "customer_email" not in redacted
    assert f"C-{case.number}" in redacted
    connection.set_schema_to_public()
    exports = AuditEvent.objects.filter(action="export", changes__what="care_cases")
    assert sorted(exports.values_list("changes__personal_data", flat=True)) == [False, True]


def test_citra_and_budi_get_no_case_csv(case, client_a, budi, citra):
    for person in (budi, citra):
        client_a.login_as(person)
        response = client_a.post(LIST, {"action": "export_csv", "_selected_action": [str(case.pk)]})
        assert response.status_code in (302, 403, 404) and EMAIL not in response.content.decode()

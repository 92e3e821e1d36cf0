"""The client's approver approves or sends back, with a comment, what waits for them (responses and
status updates sent for client approval) from the report page, through the same services as the
API; the decision is pinned on the timeline. Client viewers see the page without controls and a
forged decision is refused; another brand's user finds nothing."""

import re

import pytest
from django.db import connection

from incidents.models import Response, StatusUpdate, TimelineEntry
from tests.conftest import BrandClient
from tests.helpers import BRAND_A, brand_host
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)
from tests.incidents.fixtures_crisis import make_person

pytestmark = pytest.mark.django_db

STATEMENT = "We understand the concern and are investigating; we will update you by 17:00 WIB."


@pytest.fixture
def approver(crisis_incident, ayu):
    """A client approver assigned to the incident (their approve_client right comes from it)."""
    from incidents.services.team import assignment_add

    person = make_person("client_approver")
    assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=person.roster.pk)
    return person


@pytest.fixture
def waiting_response(crisis_incident, ayu):
    from incidents.services.responses import response_draft, response_submit

    draft = response_draft(
        actor=ayu,
        kind="holding_statement",
        incident_id=crisis_incident.pk,
        language="en",
        text=STATEMENT,
        requires_client_approval=True,
    )
    return response_submit(response_id=draft.pk, actor=ayu)


@pytest.fixture
def waiting_update(crisis_incident, ayu):
    from incidents.services.status_updates import status_update_approve, status_update_draft

    update = status_update_draft(
        incident_id=crisis_incident.pk,
        actor=ayu,
        conditions="Produk ditarik dari gerai Bandung",
        actions="Menghubungi pelanggan satu per satu",
        requires_client_approval=True,
    )
    return status_update_approve(status_update_id=update.pk, actor=ayu)


def back_in_brand_a() -> None:
    """Requests leave the connection in the schema of the host they went to; read brand A's."""
    from tenants.models import Brand

    connection.set_schema_to_public()
    connection.set_tenant(Brand.objects.get(slug=BRAND_A))


def page_url(incident) -> str:
    return f"/reports/incidents/{incident.pk}/"


def decide_url(incident) -> str:
    return f"/reports/incidents/{incident.pk}/decide/"


def csrf_client(user) -> BrandClient:
    """A browser-like client: CSRF is enforced, the token comes from the page's own form."""
    return BrandClient(brand_host(BRAND_A), enforce_csrf_checks=True).login_as(user)


def token_from(page) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert match, "the page has no form"
    return match.group(1)


def decide(client, incident, token: str | None = None, **fields):
    """Post a decision as the page's form does (the token from the page unless given)."""
    if token is None:
        page = client.get(page_url(incident))
        assert page.status_code == 200
        token = token_from(page)
    return client.post(decide_url(incident), {"csrfmiddlewaretoken": token, **fields})


def state_of(incident) -> tuple:
    return (
        sorted(Response.objects.filter(incident=incident).values_list("pk", "state", "rejection_reason")),
        sorted(StatusUpdate.objects.filter(incident=incident).values_list("pk", "state", "rejection_reason")),
        TimelineEntry.objects.filter(incident=incident).count(),
    )


def test_approver_sees_what_waits_and_approves_a_response_with_a_comment(
    crisis_incident, approver, waiting_response, webhook_all
):
    client = csrf_client(approver)
    page = client.get(page_url(crisis_incident)).content.decode()
    assert STATEMENT in page and 'value="approve"' in page and 'value="reject"' in page
    answer = decide(
        client,
        crisis_incident,
        kind="response",
        item_id=str(waiting_response.pk),
        decision="approve",
        comment="Setuju, silakan kirim.",
    )
    assert answer.status_code == 302 and answer["Location"] == page_url(crisis_incident)
    assert Response.objects.get(pk=waiting_response.pk).state == Response.State.APPROVED
    back_in_brand_a()
    entry = TimelineEntry.objects.get(incident=crisis_incident, data__event="approved")
    assert entry.pinned and entry.actor_id == approver.pk and "Setuju, silakan kirim." in entry.text
    after = client.get(page_url(crisis_incident)).content.decode()
    assert "Setuju, silakan kirim." in after  # on the timeline the client reads
    assert 'value="approve"' not in after  # nothing waits any more


def test_approver_sends_back_a_status_update_with_a_comment(
    crisis_incident, approver, waiting_update, client_a, ayu
):
    answer = decide(
        csrf_client(approver),
        crisis_incident,
        kind="status_update",
        item_id=str(waiting_update.pk),
        decision="reject",
        comment="Sebutkan jumlah gerai yang ditutup.",
    )
    assert answer.status_code == 302
    update = StatusUpdate.objects.get(pk=waiting_update.pk)
    assert update.state == StatusUpdate.State.DRAFT
    assert update.rejection_reason == "Sebutkan jumlah gerai yang ditutup."
    assert update.client_decided_by_id == approver.pk and update.sent_at is None
    entry = TimelineEntry.objects.get(incident=crisis_incident, data__event="client_rejected")
    assert entry.pinned and "Sebutkan jumlah gerai" in entry.text
    war_room = client_a.login_as(ayu).get(f"/admin/incidents/incident/{crisis_incident.pk}/war-room/")
    assert "Sebutkan jumlah gerai yang ditutup." in war_room.content.decode()


def test_approver_approves_a_status_update_and_it_is_sent(crisis_incident, approver, waiting_update):
    from incidents.models import Notification

    answer = decide(
        csrf_client(approver),
        crisis_incident,
        kind="status_update",
        item_id=str(waiting_update.pk),
        decision="approve",
        comment="",
    )
    assert answer.status_code == 302
    update = StatusUpdate.objects.get(pk=waiting_update.pk)
    assert update.state == StatusUpdate.State.SENT and update.sent_at is not None
    events = list(
        TimelineEntry.objects.filter(incident=crisis_incident, kind="status_update").values_list(
            "data__event", flat=True
        )
    )
    assert events.count("client_approved") == 1 and events.count("sent") == 1
    assert Notification.objects.filter(user=approver, subject__startswith="Update on incident").exists()


def test_the_crisis_manager_sends_an_update_to_the_client_who_is_notified(
    crisis_incident, approver, waiting_update
):
    from incidents.models import Notification

    assert waiting_update.state == StatusUpdate.State.PENDING_CLIENT and waiting_update.sent_at is None
    notice = Notification.objects.get(user=approver, subject__startswith="Waiting for your approval")
    # the report page, not the staff admin, as an absolute link on the brand's host
    assert notice.link == connection.tenant.url(page_url(crisis_incident))


def test_a_repeated_decision_records_nothing_twice(
    crisis_incident, approver, waiting_response, waiting_update
):
    client = csrf_client(approver)
    token = token_from(client.get(page_url(crisis_incident)))  # a double click posts the same form
    for _ in range(2):
        response = decide(
            client,
            crisis_incident,
            token,
            kind="response",
            item_id=str(waiting_response.pk),
            decision="approve",
        )
        assert response.status_code == 302
    for _ in range(2):
        response = decide(
            client,
            crisis_incident,
            token,
            kind="status_update",
            item_id=str(waiting_update.pk),
            decision="reject",
            comment="Belum lengkap.",
        )
        assert response.status_code == 302
    back_in_brand_a()
    assert TimelineEntry.objects.filter(incident=crisis_incident, data__event="approved").count() == 1
    assert TimelineEntry.objects.filter(incident=crisis_incident, data__event="client_rejected").count() == 1


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"decision": "approve", "comment": "x" * 2001}, "2000"),
        ({"decision": "reject", "comment": "   "}, "Say what needs to change."),
        ({"decision": "maybe", "comment": ""}, "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_message_on_the_page_and_changes_nothing(
    crisis_incident, approver, waiting_response, fields, message
):
    before = state_of(crisis_incident)
    answer = decide(
        csrf_client(approver), crisis_incident, kind="response", item_id=str(waiting_response.pk), **fields
    )
    assert answer.status_code == 400
    assert message in answer.content.decode()
    back_in_brand_a()
    assert state_of(crisis_incident) == before


def test_client_viewer_reads_the_page_without_controls_and_a_forged_post_is_refused(
    crisis_incident, budi, waiting_response, waiting_update, approver
):
    page = csrf_client(budi).get(page_url(crisis_incident))
    assert page.status_code == 200
    html = page.content.decode()
    assert "/decide/" not in html and 'value="approve"' not in html
    before = state_of(crisis_incident)
    # CSRF is not what stops the viewer (this client passes it, as a token from any page would):
    # the role is.
    forger = BrandClient(brand_host(BRAND_A)).login_as(budi)
    for kind, item in (("response", waiting_response), ("status_update", waiting_update)):
        forged = forger.post(
            decide_url(crisis_incident),
            {"kind": kind, "item_id": str(item.pk), "decision": "approve", "comment": "ok"},
        )
        assert forged.status_code == 403
    back_in_brand_a()
    assert state_of(crisis_incident) == before


def test_forged_post_without_csrf_is_refused(crisis_incident, approver, waiting_response):
    before = state_of(crisis_incident)
    forged = csrf_client(approver).post(
        decide_url(crisis_incident),
        {"kind": "response", "item_id": str(waiting_response.pk), "decision": "approve"},
    )
    assert forged.status_code == 403
    back_in_brand_a()
    assert state_of(crisis_incident) == before


def test_approver_not_assigned_to_the_incident_has_no_controls_and_is_refused(
    crisis_incident, waiting_response
):
    stranger = make_person("client_approver")
    page = csrf_client(stranger).get(page_url(crisis_incident)).content.decode()
    assert STATEMENT in page and 'value="approve"' not in page
    before = state_of(crisis_incident)
    answer = (
        BrandClient(brand_host(BRAND_A))
        .login_as(stranger)
        .post(
            decide_url(crisis_incident),
            {"kind": "response", "item_id": str(waiting_response.pk), "decision": "approve"},
        )
    )
    assert answer.status_code == 403
    back_in_brand_a()
    assert state_of(crisis_incident) == before


def test_citra_finds_nothing_to_decide(crisis_incident, citra, waiting_response, client_b):
    before = state_of(crisis_incident)
    on_b = client_b.login_as(citra).post(
        decide_url(crisis_incident),
        {"kind": "response", "item_id": str(waiting_response.pk), "decision": "approve"},
    )
    assert on_b.status_code == 404  # brand B's host does not know brand A's incident
    back_in_brand_a()
    on_a = BrandClient(brand_host(BRAND_A)).login_as(citra)
    assert on_a.get(page_url(crisis_incident)).status_code in (403, 404)
    refused = on_a.post(
        decide_url(crisis_incident),
        {"kind": "response", "item_id": str(waiting_response.pk), "decision": "approve"},
    )
    assert refused.status_code in (403, 404)
    back_in_brand_a()
    assert state_of(crisis_incident) == before


def test_an_item_of_another_incident_is_not_found(crisis_incident, approver, ayu):
    from incidents.services.incidents import incident_open
    from incidents.services.responses import response_draft, response_submit

    other = incident_open(actor=ayu, title="Lain", severity=3, summary="x")
    draft = response_draft(
        actor=ayu,
        kind="holding_statement",
        incident_id=other.pk,
        language="en",
        text=STATEMENT,
        requires_client_approval=True,
    )
    response_submit(response_id=draft.pk, actor=ayu)
    answer = (
        BrandClient(brand_host(BRAND_A))
        .login_as(approver)
        .post(
            decide_url(crisis_incident), {"kind": "response", "item_id": str(draft.pk), "decision": "approve"}
        )
    )
    assert answer.status_code == 404
    assert Response.objects.get(pk=draft.pk).state == Response.State.PENDING_APPROVAL


# --- The same decisions through the API ----------------------------------------------------------
def test_api_approve_takes_a_comment_and_rejects_a_status_update_with_a_reason(
    crisis_incident, approver, waiting_response, waiting_update
):
    api = BrandClient(brand_host(BRAND_A)).login_as(approver)
    back_in_brand_a()
    approved = api.post(
        f"/api/v1/responses/{waiting_response.pk}/approve/",
        {"comment": "OK dari klien"},
        content_type="application/json",
    )
    assert approved.status_code == 200, approved.content
    rejected = api.post(
        f"/api/v1/status-updates/{waiting_update.pk}/reject/",
        {"reason": "Tambahkan jadwal"},
        content_type="application/json",
    )
    assert rejected.status_code == 200, rejected.content
    assert rejected.json()["state"] == "draft" and rejected.json()["rejection_reason"] == "Tambahkan jadwal"
    too_long = api.post(
        f"/api/v1/responses/{waiting_response.pk}/approve/",
        {"comment": "x" * 2001},
        content_type="application/json",
    )
    assert too_long.status_code == 400
    back_in_brand_a()
    assert TimelineEntry.objects.filter(incident=crisis_incident, text__contains="OK dari klien").exists()


def test_api_refuses_a_viewer_decision(crisis_incident, budi, waiting_update):
    api = BrandClient(brand_host(BRAND_A)).login_as(budi)
    back_in_brand_a()
    answer = api.post(
        f"/api/v1/status-updates/{waiting_update.pk}/reject/",
        {"reason": "x"},
        content_type="application/json",
    )
    assert answer.status_code == 403
    assert StatusUpdate.objects.get(pk=waiting_update.pk).state == StatusUpdate.State.PENDING_CLIENT


def test_the_decision_controls_speak_indonesian(crisis_incident, approver, waiting_update):
    page = csrf_client(approver).get(page_url(crisis_incident), HTTP_ACCEPT_LANGUAGE="id")
    html = page.content.decode()
    assert "Menunggu persetujuan klien" in html and "Kembalikan" in html and "Setujui" in html


def test_a_response_sent_for_client_approval_links_the_approver_to_the_report_page(
    crisis_incident, approver, waiting_response
):
    from incidents.models import Notification

    notice = Notification.objects.get(user=approver, subject__startswith="Waiting for your approval")
    # the admin's response page is staff-only; absolute, so the email's link can be clicked
    assert notice.link == connection.tenant.url(page_url(crisis_incident))


def test_api_lists_updates_waiting_for_the_approver_but_not_for_the_viewer(
    crisis_incident, approver, budi, waiting_update
):
    url = f"/api/v1/incidents/{crisis_incident.pk}/status-updates/"
    as_approver = BrandClient(brand_host(BRAND_A)).login_as(approver).get(url)
    assert [u["id"] for u in as_approver.json()["results"]] == [str(waiting_update.pk)]
    as_viewer = BrandClient(brand_host(BRAND_A)).login_as(budi).get(url)
    assert as_viewer.status_code == 200 and as_viewer.json()["results"] == []

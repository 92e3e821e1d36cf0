"""The crisis API on brand A's host: the same rules as the services, tenant isolation on every
endpoint, client views, integration confirmations, list query counts."""

import uuid

import pytest
from django.db import connection

from incidents.services.incidents import incident_open
from tests.helpers import bearer
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)
from tests.incidents.fixtures_crisis import make_mention, make_person

pytestmark = pytest.mark.django_db

GOOD_EN = (
    "We understand how frustrating this is. We're sorry your coffee arrived stale. "
    "We will replace your order; please DM us your order number."
)


@pytest.fixture
def world(in_brand_a, ayu, ayu_member, guidelines):
    """An incident with one of everything, so every endpoint has an object to aim at."""
    from django.utils import timezone

    from incidents.services.moderation import moderation_act
    from incidents.services.responses import response_draft
    from incidents.services.status_updates import status_update_draft
    from incidents.services.team import assignment_add, task_create

    incident = incident_open(actor=ayu, title="Kopi basi", severity=2)
    mention = make_mention()
    assignment = assignment_add(incident_id=incident.pk, actor=ayu, member_id=ayu_member.pk)
    task = task_create(
        incident_id=incident.pk,
        actor=ayu,
        title="Hubungi gerai",
        owner_id=ayu_member.pk,
        due_at=timezone.now() + timezone.timedelta(hours=2),
    )
    response = response_draft(
        actor=ayu, kind="statement", incident_id=incident.pk, text=GOOD_EN, language="en"
    )
    update = status_update_draft(incident_id=incident.pk, actor=ayu, conditions="Stabil", actions="Pantau")
    moderation = moderation_act(
        actor=ayu,
        mention_id=mention.pk,
        action="hide",
        rule_number=1,
        reason="Menghina pelanggan lain secara kasar",
    )
    entry = incident.timeline.first()
    return {
        "incident": incident,
        "mention": mention,
        "assignment": assignment,
        "task": task,
        "response": response,
        "update": update,
        "moderation": moderation,
        "entry": entry,
    }


def _endpoints(w):
    i = w["incident"].pk
    return [
        ("get", "/api/v1/incidents/", {}),
        ("post", "/api/v1/incidents/", {"title": "x"}),
        ("post", "/api/v1/incidents/from-alert/", {"alert_id": str(uuid.uuid4())}),
        ("get", f"/api/v1/incidents/{i}/", {}),
        ("patch", f"/api/v1/incidents/{i}/", {"title": "y"}),
        ("post", f"/api/v1/incidents/{i}/transition/", {"to_status": "triaged"}),
        ("post", f"/api/v1/incidents/{i}/mentions/", {"mention_ids": [str(w["mention"].pk)]}),
        ("get", f"/api/v1/incidents/{i}/timeline/", {}),
        ("post", f"/api/v1/incidents/{i}/timeline/", {"text": "catatan"}),
        ("post", f"/api/v1/incidents/{i}/timeline/{w['entry'].pk}/pin/", {"pinned": False}),
        ("get", f"/api/v1/incidents/{i}/assignments/", {}),
        ("post", f"/api/v1/incidents/{i}/assignments/", {"member_id": str(w["assignment"].member_id)}),
        ("post", f"/api/v1/assignments/{w['assignment'].pk}/end/", {}),
        ("get", f"/api/v1/incidents/{i}/tasks/", {}),
        (
            "post",
            f"/api/v1/incidents/{i}/tasks/",
            {"title": "t", "owner_id": str(w["task"].owner_id), "due_at": "2030-01-01T00:00:00Z"},
        ),
        ("get", f"/api/v1/tasks/{w['task'].pk}/", {}),
        ("patch", f"/api/v1/tasks/{w['task'].pk}/", {"status": "done"}),
        ("get", f"/api/v1/incidents/{i}/status-updates/", {}),
        ("post", f"/api/v1/incidents/{i}/status-updates/", {"conditions": "a", "actions": "b"}),
        ("post", f"/api/v1/status-updates/{w['update'].pk}/approve/", {}),
        ("get", "/api/v1/roster/", {}),
        ("post", "/api/v1/roster/", {"role": "legal", "name": "Pak Hukum", "email": "hukum@example.com"}),
        ("get", "/api/v1/responses/", {}),
        ("post", "/api/v1/responses/", {"kind": "statement", "incident_id": str(i), "text": GOOD_EN}),
        ("get", f"/api/v1/responses/{w['response'].pk}/", {}),
        ("patch", f"/api/v1/responses/{w['response'].pk}/", {"text": GOOD_EN}),
        ("post", f"/api/v1/responses/{w['response'].pk}/submit/", {}),
        ("post", f"/api/v1/responses/{w['response'].pk}/approve/", {}),
        ("post", f"/api/v1/responses/{w['response'].pk}/reject/", {"reason": "r"}),
        ("post", f"/api/v1/responses/{w['response'].pk}/withdraw/", {}),
        ("post", f"/api/v1/responses/{w['response'].pk}/confirm-sent/", {}),
        ("get", "/api/v1/response-templates/", {}),
        (
            "post",
            "/api/v1/response-templates/",
            {"name": "n", "language": "en", "situation": "complaint", "body": "Hi"},
        ),
        ("get", "/api/v1/moderation/", {}),
        (
            "post",
            "/api/v1/moderation/",
            {
                "mention_id": str(w["mention"].pk),
                "action": "hide",
                "rule_number": 1,
                "reason": "xxxxxxxxxxxx",
            },
        ),
        ("post", f"/api/v1/moderation/{w['moderation'].pk}/confirm/", {}),
        ("get", "/api/v1/guidelines/", {}),
        ("post", "/api/v1/guidelines/", {"rules": [{"title": "a"}]}),
    ]


def _call(client, method, url, data, **extra):
    if method == "get":
        return client.get(url, **extra)
    return getattr(client, method)(url, data=data, content_type="application/json", **extra)


def test_citra_gets_404_on_every_crisis_endpoint_of_brand_a(world, client_a, citra):
    client_a.login_as(citra)
    for method, url, data in _endpoints(world):
        assert _call(client_a, method, url, data).status_code == 404, (method, url)


def test_brand_b_api_key_gets_404_on_every_crisis_endpoint_of_brand_a(world, client_a, api_key_b):
    for method, url, data in _endpoints(world):
        assert _call(client_a, method, url, data, **bearer(api_key_b)).status_code == 404, (method, url)


def test_budi_can_write_nowhere(world, client_a, budi):
    client_a.login_as(budi)
    for method, url, data in _endpoints(world):
        if method != "get":
            assert _call(client_a, method, url, data).status_code == 403, (method, url)
    assert world["incident"].timeline.count() == 1 + 4  # nothing written by Budi


def test_brand_a_incident_urls_are_404_on_brand_b_host_for_brand_b_staff(world, client_b, citra):
    connection.set_schema_to_public()
    client_b.login_as(citra)
    assert client_b.get(f"/api/v1/incidents/{world['incident'].pk}/").status_code == 404
    assert client_b.get(f"/api/v1/incidents/{world['incident'].pk}/timeline/").status_code == 404


def test_budi_sees_the_client_view_pinned_entries_only(world, client_a, budi, ayu):
    from incidents.services.timeline import timeline_note_add

    timeline_note_add(incident_id=world["incident"].pk, actor=ayu, text="Internal: gerai lalai")
    timeline_note_add(
        incident_id=world["incident"].pk, actor=ayu, text="Kami sedang menarik batch", pinned=True
    )
    client_a.login_as(budi)
    body = client_a.get(f"/api/v1/incidents/{world['incident'].pk}/timeline/").json()
    texts = [e["text"] for e in body["results"]]
    assert "Kami sedang menarik batch" in texts
    assert not any("Internal" in t for t in texts)
    assert all("data" not in e for e in body["results"])
    detail = client_a.get(f"/api/v1/incidents/{world['incident'].pk}/").json()
    assert "root_cause_notes" not in detail


def test_budi_reads_the_moderation_log(world, client_a, budi):
    body = client_a.login_as(budi).get("/api/v1/moderation/").json()
    assert body["results"][0]["rule_number"] == 1 and body["results"][0]["action"] == "hide"


def test_drills_are_404_and_absent_for_clients(world, client_a, budi, ayu):
    drill = incident_open(actor=ayu, title="[DRILL] latihan", is_drill=True)
    client_a.login_as(budi)
    assert client_a.get(f"/api/v1/incidents/{drill.pk}/").status_code == 404
    ids = [i["id"] for i in client_a.get("/api/v1/incidents/").json()["results"]]
    assert str(drill.pk) not in ids and str(world["incident"].pk) in ids


def test_illegal_transition_is_a_400_with_the_reason_and_writes_nothing(world, client_a, ayu):
    count = world["incident"].timeline.count()
    response = client_a.login_as(ayu).post(
        f"/api/v1/incidents/{world['incident'].pk}/transition/",
        {"to_status": "reviewed"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "cannot go from detected to reviewed" in response.json()["detail"]
    assert world["incident"].timeline.count() == count


def test_resolve_without_summary_is_a_400_with_field_error(world, client_a, ayu):
    from incidents.models import Incident

    Incident.objects.filter(pk=world["incident"].pk).update(status="responding")
    response = client_a.login_as(ayu).post(
        f"/api/v1/incidents/{world['incident'].pk}/transition/",
        {"to_status": "resolved"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "summary" in response.json()["errors"]


def test_specialist_gets_403_approving_a_statement(world, client_a, ayu):
    from incidents.services.responses import response_submit
    from incidents.services.team import assignment_add

    specialist = make_person("social_media_specialist")
    assignment_add(incident_id=world["incident"].pk, actor=ayu, member_id=specialist.roster.pk)
    response_submit(response_id=world["response"].pk, actor=ayu)
    url = f"/api/v1/responses/{world['response'].pk}/approve/"
    assert client_a.login_as(specialist).post(url).status_code == 403


def test_bad_template_placeholder_is_a_field_error(world, client_a, ayu):
    response = client_a.login_as(ayu).post(
        "/api/v1/response-templates/",
        {"name": "Salah", "language": "id", "situation": "complaint", "body": "Halo {nama_pelanggan}"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "{nama_pelanggan}" in response.json()["errors"]["body"][0]


def test_integration_confirms_sent_through_the_api_once(world, client_a, ayu, api_key_a):
    from incidents.services.responses import response_approve, response_submit

    response_submit(response_id=world["response"].pk, actor=ayu)
    response_approve(response_id=world["response"].pk, actor=ayu)
    url = f"/api/v1/responses/{world['response'].pk}/confirm-sent/"
    first = client_a.post(url, {"external_id": "x-123"}, content_type="application/json", **bearer(api_key_a))
    second = client_a.post(
        url, {"external_id": "x-999"}, content_type="application/json", **bearer(api_key_a)
    )
    assert first.status_code == second.status_code == 200
    assert second.json()["state"] == "sent" and second.json()["external_id"] == "x-123"


def test_integration_cannot_use_staff_endpoints(world, client_a, api_key_a):
    url = f"/api/v1/incidents/{world['incident'].pk}/transition/"
    response = client_a.post(
        url, {"to_status": "triaged"}, content_type="application/json", **bearer(api_key_a)
    )
    assert response.status_code == 403


def test_moderation_without_rule_through_the_api_is_a_400(world, client_a, ayu):
    response = client_a.login_as(ayu).post(
        "/api/v1/moderation/",
        {
            "mention_id": str(world["mention"].pk),
            "action": "delete_request",
            "reason": "Spam berulang kali di sini",
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "rule_number" in response.json()["errors"]


def test_list_filters_by_status_severity_source_and_age(world, client_a, ayu):
    incident_open(actor=ayu, title="Ringan", severity=4, source_category="other")
    client_a.login_as(ayu)
    titles = lambda q: [i["title"] for i in client_a.get(f"/api/v1/incidents/?{q}").json()["results"]]  # noqa: E731
    assert titles("severity=4") == ["Ringan"]
    assert titles("source=other") == ["Ringan"]
    assert set(titles("status=detected")) == {"Ringan", "Kopi basi"}
    assert titles("older_than_hours=1") == []
    assert len(titles("opened_within_hours=1")) == 2


@pytest.mark.parametrize(
    "url",
    ["/api/v1/incidents/", "TIMELINE", "/api/v1/moderation/", "/api/v1/responses/", "ASSIGNMENTS", "TASKS"],
)
def test_lists_do_not_grow_queries_with_rows(
    world, client_a, ayu, ayu_member, url, django_assert_max_num_queries
):
    from django.db import reset_queries
    from django.utils import timezone

    from incidents.models import RosterMember
    from incidents.services.moderation import moderation_act
    from incidents.services.responses import response_draft
    from incidents.services.team import assignment_add, task_create
    from incidents.services.timeline import timeline_note_add
    from tests.incidents.fixtures_crisis import count_queries

    incident = world["incident"]
    url = {
        "TIMELINE": f"/api/v1/incidents/{incident.pk}/timeline/",
        "ASSIGNMENTS": f"/api/v1/incidents/{incident.pk}/assignments/",
        "TASKS": f"/api/v1/incidents/{incident.pk}/tasks/",
    }.get(url, url)
    client_a.login_as(ayu)
    client_a.get(url)  # warm the session and content-type caches
    with count_queries() as few:
        assert client_a.get(url).status_code == 200
    for n in range(6):
        incident_open(actor=ayu, title=f"Lain {n}")
        timeline_note_add(incident_id=incident.pk, actor=ayu, text=f"catatan {n}")
        moderation_act(
            actor=ayu,
            mention_id=make_mention().pk,
            action="hide",
            rule_number=2,
            reason="Spam promosi berulang",
        )
        response_draft(actor=ayu, kind="reply", mention_id=make_mention().pk, text=GOOD_EN, language="en")
        contact = RosterMember.objects.create(name=f"Kontak {n}", role="legal", email=f"k{n}@example.com")
        assignment_add(incident_id=incident.pk, actor=ayu, member_id=contact.pk)
        task_create(
            incident_id=incident.pk,
            actor=ayu,
            title=f"t{n}",
            owner_id=ayu_member.pk,
            due_at=timezone.now() + timezone.timedelta(hours=3),
        )
    client_a.get(url)
    reset_queries()  # the request clears Django's query log; start the count from an empty one
    with django_assert_max_num_queries(len(few)):
        assert client_a.get(url).status_code == 200
    assert 3 < len(few)


def test_openapi_schema_lists_the_crisis_endpoints(client_a):
    schema = client_a.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (
        "/api/v1/incidents/{incident_id}/transition/",
        "/api/v1/responses/{response_id}/confirm-sent/",
        "/api/v1/moderation/",
    ):
        assert path in schema


def test_client_approver_approves_what_is_sent_to_them_through_the_api(world, client_a, ayu):
    from incidents.services.responses import response_draft, response_submit
    from incidents.services.team import assignment_add

    approver = make_person("client_approver")
    assignment_add(incident_id=world["incident"].pk, actor=ayu, member_id=approver.roster.pk)
    for_client = response_draft(
        actor=ayu,
        kind="statement",
        incident_id=world["incident"].pk,
        text=GOOD_EN,
        language="en",
        requires_client_approval=True,
    )
    response_submit(response_id=for_client.pk, actor=ayu)
    response_submit(response_id=world["response"].pk, actor=ayu)
    client_a.login_as(approver)
    listed = [r["id"] for r in client_a.get("/api/v1/responses/").json()["results"]]
    assert listed == [str(for_client.pk)]
    assert client_a.get(f"/api/v1/responses/{world['response'].pk}/").status_code == 404
    assert client_a.post(f"/api/v1/responses/{world['response'].pk}/approve/").status_code == 404
    assert (
        client_a.patch(
            f"/api/v1/responses/{for_client.pk}/", {"text": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    approved = client_a.post(f"/api/v1/responses/{for_client.pk}/approve/")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"


def test_a_whole_crisis_through_the_api(in_brand_a, client_a, ayu, api_key_a, guidelines, webhook_all):
    """Ayu runs an incident end to end over the API; the integration posts and confirms."""
    from incidents.models import Incident, WebhookDelivery

    mention = make_mention(platform="x")
    client_a.login_as(ayu)

    def call(method, url, data=None, **extra):
        response = getattr(client_a, method)(url, data=data or {}, content_type="application/json", **extra)
        assert response.status_code in (200, 201), (url, response.status_code, response.content[:500])
        return response.json()

    incident = call(
        "post", "/api/v1/incidents/", {"title": "Kopi basi", "severity": 2, "mention_ids": [str(mention.pk)]}
    )
    base = f"/api/v1/incidents/{incident['id']}"
    assert incident["number"] >= 1 and incident["affected_platforms"] == ["x"]
    call("patch", f"{base}/", {"source_category": "product_defect"})
    call("post", f"{base}/transition/", {"to_status": "triaged"})
    me = call("post", "/api/v1/roster/", {"role": "crisis_manager", "user_email": ayu.email})
    contact = call(
        "post", "/api/v1/roster/", {"role": "legal", "name": "Dewi", "email": "dewi@klien.example.com"}
    )
    call("post", f"{base}/assignments/", {"member_id": me["id"]})
    call("post", f"{base}/assignments/", {"member_id": contact["id"]})
    assert call("post", f"{base}/transition/", {"to_status": "responding"})["status"] == "responding"
    task = call(
        "post",
        f"{base}/tasks/",
        {"title": "Tinjau pernyataan", "owner_id": contact["id"], "due_at": "2030-01-01T10:00:00+07:00"},
    )
    assert call("patch", f"/api/v1/tasks/{task['id']}/", {"status": "done"})["completed_at"]
    statement = call(
        "post",
        "/api/v1/responses/",
        {"kind": "statement", "incident_id": incident["id"], "text": GOOD_EN, "language": "en"},
    )
    assert statement["empathy_passed"]
    assert call("post", f"/api/v1/responses/{statement['id']}/submit/")["state"] == "pending_approval"
    assert call("post", f"/api/v1/responses/{statement['id']}/approve/")["state"] == "approved"
    assert WebhookDelivery.objects.filter(event="response.approved").exists()
    client_a.logout()
    sent = call(
        "post",
        f"/api/v1/responses/{statement['id']}/confirm-sent/",
        {"external_id": "x-1"},
        **bearer(api_key_a),
    )
    assert sent["state"] == "sent"
    client_a.login_as(ayu)
    update = call(
        "post", f"{base}/status-updates/", {"conditions": "Stabil", "actions": "Penarikan batch", "needs": ""}
    )
    assert call("post", f"/api/v1/status-updates/{update['id']}/approve/")["state"] == "sent"
    hide = call("post", "/api/v1/moderation/", {
        "mention_id": str(mention.pk), "action": "hide", "rule_number": 1, "reason": "Menghina pelanggan lain",
        "incident_id": incident["id"],
    })  # fmt: skip
    client_a.logout()
    call("post", f"/api/v1/moderation/{hide['id']}/confirm/", {"external_ref": "h-1"}, **bearer(api_key_a))
    client_a.login_as(ayu)
    resolved = call(
        "post",
        f"{base}/transition/",
        {"to_status": "resolved", "summary": "Batch ditarik, pelanggan diganti"},
    )
    assert resolved["status"] == "resolved" and resolved["first_response_at"]
    kinds = set(Incident.objects.get(pk=incident["id"]).timeline.values_list("kind", flat=True))
    assert {
        "opened",
        "mention_linked",
        "updated",
        "status",
        "role_assigned",
        "task",
        "response",
        "status_update",
        "moderation",
    } <= kinds
    pinned = call("get", f"{base}/timeline/")
    assert any(e["pinned"] and e["kind"] == "status_update" for e in pinned["results"])


def test_client_approver_does_not_see_a_draft_before_it_is_submitted_to_them(world, client_a, ayu):
    from incidents.services.responses import response_draft, response_submit
    from incidents.services.team import assignment_add

    approver = make_person("client_approver")
    assignment_add(incident_id=world["incident"].pk, actor=ayu, member_id=approver.roster.pk)
    draft = response_draft(
        actor=ayu,
        kind="statement",
        incident_id=world["incident"].pk,
        text=GOOD_EN,
        language="en",
        requires_client_approval=True,
    )
    client_a.login_as(approver)
    assert client_a.get("/api/v1/responses/").json()["results"] == []
    assert client_a.get(f"/api/v1/responses/{draft.pk}/").status_code == 404

    response_submit(response_id=draft.pk, actor=ayu)
    listed = [r["id"] for r in client_a.get("/api/v1/responses/").json()["results"]]
    assert listed == [str(draft.pk)]
    assert client_a.get(f"/api/v1/responses/{draft.pk}/").json()["state"] == "pending_approval"


def test_roster_by_unknown_user_email_is_a_400_on_that_field_and_adds_nobody(world, client_a, ayu):
    from incidents.models import RosterMember

    before = RosterMember.objects.count()
    client_a.login_as(ayu)
    refused = client_a.post(
        "/api/v1/roster/",
        {"role": "legal", "user_email": "nobody@example.com"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "user_email" in refused.json()["errors"]
    assert RosterMember.objects.count() == before


def test_roster_by_user_email_links_that_user_whatever_the_case(world, client_a, ayu):
    staff = make_person("customer_care")
    client_a.login_as(ayu)
    added = client_a.post(
        "/api/v1/roster/",
        {"role": "legal", "user_email": staff.email.upper()},
        content_type="application/json",
    )
    assert added.status_code == 201
    assert str(added.json()["user"]) == str(staff.pk) and added.json()["name"] == staff.get_full_name()


@pytest.mark.parametrize(
    "query",
    ["opened_within_hours=99999999999999", "older_than_hours=99999999999999999999", "older_than_hours=abc"],
)
def test_an_impossible_age_filter_is_a_400_not_a_500(world, client_a, ayu, query):
    client_a.login_as(ayu)
    response = client_a.get(f"/api/v1/incidents/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_an_empty_age_filter_is_no_filter(world, client_a, ayu):
    client_a.login_as(ayu)
    assert (
        len(client_a.get("/api/v1/incidents/?opened_within_hours=&older_than_hours=").json()["results"]) == 1
    )

"""The war room and the rest of the brand admin for crisis work, and the client's report pages:
the same services and rules as the API, user text escaped, no cross-brand access."""

import pytest
from django.db import connection

from incidents.models import Incident
from incidents.services.incidents import incident_open
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)
from tests.incidents.fixtures_crisis import make_mention, make_person

pytestmark = pytest.mark.django_db


def war_room(incident) -> str:
    return f"/admin/incidents/incident/{incident.pk}/war-room/"


def test_war_room_shows_team_timeline_mentions_approvals_and_tasks(
    crisis_incident, ayu, ayu_member, client_a
):
    from django.utils import timezone

    from incidents.services.incidents import incident_mentions_link
    from incidents.services.responses import response_draft, response_submit
    from incidents.services.team import assignment_add, task_create

    mention = make_mention(text="<script>alert('x')</script> kopinya basi")
    incident_mentions_link(incident_id=crisis_incident.pk, actor=ayu, mention_ids=[mention.pk])
    assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=ayu_member.pk)
    task_create(
        incident_id=crisis_incident.pk,
        actor=ayu,
        title="Telepon gerai Bandung",
        owner_id=ayu_member.pk,
        due_at=timezone.now() + timezone.timedelta(hours=1),
    )
    statement = response_draft(
        actor=ayu,
        kind="holding_statement",
        incident_id=crisis_incident.pk,
        language="en",
        text="We understand the concern and are investigating; we will update you by 17:00 WIB.",
    )
    response_submit(response_id=statement.pk, actor=ayu)
    page = client_a.login_as(ayu).get(war_room(crisis_incident))
    assert page.status_code == 200
    html = page.content.decode()
    for expected in (
        "Kopi basi di gerai Bandung",
        "Crisis manager",
        "Telepon gerai Bandung",
        "17:00 WIB",
        "unanswered",
    ):
        assert expected in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_war_room_transition_goes_through_the_service_and_reports_refusals(crisis_incident, ayu, client_a):
    client_a.login_as(ayu)
    response = client_a.post(
        war_room(crisis_incident), {"action": "transition", "to_status": "triaged"}, follow=True
    )
    assert "Set the source" in response.content.decode()
    assert Incident.objects.get(pk=crisis_incident.pk).status == "detected"
    Incident.objects.filter(pk=crisis_incident.pk).update(source_category="product_defect")
    client_a.post(war_room(crisis_incident), {"action": "transition", "to_status": "triaged"})
    assert Incident.objects.get(pk=crisis_incident.pk).status == "triaged"


def test_war_room_note_and_pin(crisis_incident, ayu, client_a):
    client_a.login_as(ayu)
    client_a.post(
        war_room(crisis_incident), {"action": "note", "text": "Gerai sudah ditutup sementara", "pinned": "1"}
    )
    assert crisis_incident.timeline.get(kind="note").pinned


def test_war_room_with_a_bad_id_changes_nothing(crisis_incident, ayu, client_a):
    client_a.login_as(ayu)
    response = client_a.post(
        war_room(crisis_incident), {"action": "unassign", "assignment_id": "not-a-uuid"}, follow=True
    )
    assert response.status_code == 200


def test_budi_cannot_open_the_war_room(crisis_incident, budi, client_a):
    assert client_a.login_as(budi).get(war_room(crisis_incident)).status_code == 403
    response = client_a.post(war_room(crisis_incident), {"action": "note", "text": "x"})
    assert response.status_code == 403
    assert not crisis_incident.timeline.filter(kind="note").exists()


def test_citra_cannot_open_brand_a_war_room(crisis_incident, citra, client_a):
    response = client_a.login_as(citra).get(war_room(crisis_incident))
    assert response.status_code == 403 and crisis_incident.title not in response.content.decode()


def test_specialist_without_assignment_cannot_move_the_incident_from_the_war_room(crisis_incident, client_a):
    specialist = make_person("social_media_specialist")
    Incident.objects.filter(pk=crisis_incident.pk).update(source_category="other")
    client_a.login_as(specialist).post(
        war_room(crisis_incident), {"action": "transition", "to_status": "triaged"}
    )
    assert Incident.objects.get(pk=crisis_incident.pk).status == "detected"


def test_incident_list_filters_by_status_severity_source_and_age(in_brand_a, ayu, client_a):
    incident_open(actor=ayu, title="Berat sekali", severity=1, source_category="staff_conduct")
    incident_open(actor=ayu, title="Ringan saja", severity=4)
    client_a.login_as(ayu)
    html = client_a.get("/admin/incidents/incident/?severity__exact=1").content.decode()
    assert "Berat sekali" in html and "Ringan saja" not in html
    html = client_a.get(
        "/admin/incidents/incident/?source_category__exact=staff_conduct&age=24h&status__exact=detected"
    ).content.decode()
    assert "Berat sekali" in html and "Ringan saja" not in html
    assert "Berat sekali" not in client_a.get("/admin/incidents/incident/?age=old").content.decode()


def test_admin_add_opens_through_the_service_with_a_number(in_brand_a, ayu, client_a):
    client_a.login_as(ayu)
    response = client_a.post(
        "/admin/incidents/incident/add/",
        {
            "title": "Dari admin",
            "summary": "",
            "severity": "2",
            "source_category": "",
            "root_cause_notes": "",
            "affected_platforms": "x, Instagram",
        },
    )
    incident = Incident.objects.get(title="Dari admin")
    assert response.status_code == 302 and response["Location"].endswith("/war-room/")
    assert incident.number >= 1 and incident.affected_platforms == ["instagram", "x"]
    assert incident.timeline.filter(kind="opened").exists()


def test_template_admin_shows_a_bad_placeholder_as_a_field_error(in_brand_a, ayu, client_a):
    client_a.login_as(ayu)
    response = client_a.post(
        "/admin/incidents/responsetemplate/add/",
        {
            "name": "Salah",
            "language": "id",
            "situation": "complaint",
            "kind": "reply",
            "body": "Halo {produk}",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Did you mean {product}" in response.content.decode()


def test_plan_admin_adds_versions_and_never_edits_them(in_brand_a, ayu, client_a):
    from incidents.models import CrisisPlanVersion

    client_a.login_as(ayu)
    for text in ("Ayu 0812", "Ayu 0812, Dewi 0813"):
        client_a.post(
            "/admin/incidents/crisisplanversion/add/",
            {
                "roles_and_contacts": text,
                "escalation_thresholds": "",
                "holding_statements": "",
                "guidelines": "",
                "change_note": "x",
            },
        )
    assert list(
        CrisisPlanVersion.objects.order_by("version").values_list("roles_and_contacts", flat=True)
    ) == ["Ayu 0812", "Ayu 0812, Dewi 0813"]
    v1 = CrisisPlanVersion.objects.get(version=1)
    client_a.post(f"/admin/incidents/crisisplanversion/{v1.pk}/change/", {"roles_and_contacts": "changed"})
    assert CrisisPlanVersion.objects.get(version=1).roles_and_contacts == "Ayu 0812"


def test_guidelines_admin_publishes_numbered_rules(in_brand_a, ayu, client_a):
    from incidents.services.moderation import guidelines_current

    client_a.login_as(ayu)
    client_a.post(
        "/admin/incidents/guidelineversion/add/",
        {
            "intro": "Pedoman",
            "change_note": "",
            "rules_text": "Hormati sesama: tanpa hinaan\nTanpa spam: tanpa promosi",
        },
    )
    current = guidelines_current()
    assert [(r.number, r.title) for r in current.rules.all()] == [(1, "Hormati sesama"), (2, "Tanpa spam")]


def test_budi_reads_the_moderation_log_in_the_admin_but_not_the_war_room_pages(
    guidelines, ayu, budi, client_a, mention
):
    from incidents.services.moderation import moderation_act

    moderation_act(
        actor=ayu, mention_id=mention.pk, action="hide", rule_number=1, reason="Menghina pelanggan lain"
    )
    client_a.login_as(budi)
    assert "Menghina pelanggan lain" in client_a.get("/admin/incidents/moderationaction/").content.decode()
    assert client_a.get("/admin/incidents/incident/").status_code == 403


# --- Client report pages ----------------------------------------------------------------------
def test_client_report_shows_pinned_entries_only_and_no_drills(crisis_incident, ayu, budi, client_a):
    from incidents.services.timeline import timeline_note_add

    timeline_note_add(incident_id=crisis_incident.pk, actor=ayu, text="Internal: salah gudang")
    timeline_note_add(
        incident_id=crisis_incident.pk, actor=ayu, text="Produk ditarik dari gerai", pinned=True
    )
    drill = incident_open(actor=ayu, title="[DRILL] latihan", is_drill=True)
    client_a.login_as(budi)
    listing = client_a.get("/reports/incidents/").content.decode()
    assert "Kopi basi di gerai Bandung" in listing and "latihan" not in listing
    detail = client_a.get(f"/reports/incidents/{crisis_incident.pk}/").content.decode()
    assert "Produk ditarik dari gerai" in detail and "salah gudang" not in detail
    assert client_a.get(f"/reports/incidents/{drill.pk}/").status_code == 404


def test_client_report_is_read_only(crisis_incident, budi, client_a):
    assert client_a.login_as(budi).post(f"/reports/incidents/{crisis_incident.pk}/").status_code == 405


def test_citra_cannot_read_brand_a_reports(crisis_incident, citra, client_a):
    assert client_a.login_as(citra).get(f"/reports/incidents/{crisis_incident.pk}/").status_code == 403
    assert client_a.get("/reports/incidents/").status_code == 403


def test_brand_b_host_does_not_know_brand_a_incidents(crisis_incident, citra, client_b):
    connection.set_schema_to_public()
    assert client_b.login_as(citra).get(f"/reports/incidents/{crisis_incident.pk}/").status_code == 404


ADMIN_PAGES = [
    "incident",
    "rostermember",
    "responsetemplate",
    "response",
    "moderationaction",
    "guidelineversion",
    "crisisplanversion",
    "drillscenario",
    "drill",
]


@pytest.mark.parametrize("model", ADMIN_PAGES)
def test_every_crisis_admin_list_and_add_page_opens_for_staff(in_brand_a, ayu, client_a, model):
    client_a.login_as(ayu)
    assert client_a.get(f"/admin/incidents/{model}/").status_code == 200
    if model != "response":
        assert client_a.get(f"/admin/incidents/{model}/add/").status_code == 200


@pytest.mark.parametrize(
    "model", [m for m in ADMIN_PAGES if m not in ("moderationaction", "guidelineversion")]
)
def test_client_viewer_is_kept_out_of_the_staff_workspace(in_brand_a, budi, client_a, model):
    assert client_a.login_as(budi).get(f"/admin/incidents/{model}/").status_code == 403


def test_crisis_settings_page_edits_through_the_service(in_brand_a, ayu, client_a):
    from incidents.models import CrisisSettings

    client_a.login_as(ayu)
    page = client_a.get("/admin/incidents/crisissettings/", follow=True)
    assert page.status_code == 200
    data = {
        "auto_open_max_severity": "1",
        "statement_empathy_gate": "",
        "reply_approval_max_severity": "",
        "update_cadence_critical_hours": "1",
        "update_cadence_high_hours": "4",
        "update_cadence_medium_hours": "24",
        "update_cadence_low_hours": "0",
        "reminder_lead_minutes": "30",
    }
    client_a.post("/admin/incidents/crisissettings/1/change/", data)
    settings = CrisisSettings.objects.get()
    assert (
        settings.auto_open_max_severity,
        settings.statement_empathy_gate,
        settings.reminder_lead_minutes,
    ) == (1, False, 30)


def test_roster_admin_adds_an_outside_contact_and_refuses_one_without_contact(in_brand_a, ayu, client_a):
    from incidents.models import RosterMember

    client_a.login_as(ayu)
    base = {
        "role": "legal",
        "name": "Dewi",
        "email": "",
        "phone": "",
        "organisation": "Klien",
        "is_active": "on",
        "notes": "",
    }
    response = client_a.post("/admin/incidents/rostermember/add/", base)
    assert response.status_code == 200 and "email or a phone" in response.content.decode()
    client_a.post("/admin/incidents/rostermember/add/", {**base, "phone": "0812"})
    assert RosterMember.objects.get(name="Dewi").phone == "0812"


def test_moderation_admin_refuses_an_action_without_a_guideline_rule(in_brand_a, ayu, client_a, mention):
    from incidents.models import ModerationAction

    client_a.login_as(ayu)
    response = client_a.post(
        "/admin/incidents/moderationaction/add/",
        {
            "mention": str(mention.pk),
            "action": "hide",
            "rule_number": "1",
            "reason": "Spam promosi berulang",
            "public_explanation": "",
        },
    )
    assert response.status_code == 200 and "guidelines" in response.content.decode()
    assert not ModerationAction.objects.exists()


def test_drill_admin_schedules_starts_and_finishes_with_a_debrief(in_brand_a, ayu, client_a):
    from incidents.models import Drill
    from incidents.services.drills import drill_scenario_create

    scenario = drill_scenario_create(actor=ayu, title="Rumor", description="Rumor menyebar")
    client_a.login_as(ayu)
    client_a.post(
        "/admin/incidents/drill/add/",
        {"scenario": str(scenario.pk), "scheduled_for_0": "2030-01-01", "scheduled_for_1": "09:00"},
    )
    drill = Drill.objects.get()
    client_a.post("/admin/incidents/drill/", {"action": "start_now", "_selected_action": [str(drill.pk)]})
    drill.refresh_from_db()
    assert drill.state == "running" and drill.incident.is_drill
    client_a.post(f"/admin/incidents/drill/{drill.pk}/change/", {"debrief": "Pernyataan terlambat 20 menit"})
    drill.refresh_from_db()
    assert drill.state == "finished" and drill.debrief.startswith("Pernyataan")


def test_war_room_queries_do_not_grow_with_the_incident(
    crisis_incident, ayu, ayu_member, client_a, django_assert_max_num_queries
):
    from django.db import reset_queries
    from django.utils import timezone

    from incidents.services.incidents import incident_mentions_link
    from incidents.services.team import task_create
    from incidents.services.timeline import timeline_note_add
    from tests.incidents.fixtures_crisis import count_queries

    # One of each to start with, so every prefetch already runs in the first count.
    incident_mentions_link(incident_id=crisis_incident.pk, actor=ayu, mention_ids=[make_mention().pk])
    client_a.login_as(ayu)
    client_a.get(war_room(crisis_incident))  # warm the session and caches
    with count_queries() as few:
        assert client_a.get(war_room(crisis_incident)).status_code == 200
    for n in range(5):
        incident_mentions_link(incident_id=crisis_incident.pk, actor=ayu, mention_ids=[make_mention().pk])
        timeline_note_add(incident_id=crisis_incident.pk, actor=ayu, text=f"catatan {n}")
        task_create(
            incident_id=crisis_incident.pk,
            actor=ayu,
            title=f"t{n}",
            owner_id=ayu_member.pk,
            due_at=timezone.now() + timezone.timedelta(hours=2),
        )
    client_a.get(war_room(crisis_incident))  # same connection state as before the first count
    reset_queries()  # the request clears Django's query log; start the count from an empty one
    with django_assert_max_num_queries(len(few)):
        assert client_a.get(war_room(crisis_incident)).status_code == 200
    assert 10 < len(few)


def test_war_room_drafts_from_a_template_shows_empathy_reasons_and_submits(crisis_incident, ayu, client_a):
    from incidents.models import Response
    from incidents.services.responses import response_template_save

    template = response_template_save(
        actor=ayu,
        name="Sementara",
        language="en",
        situation="holding",
        kind="holding_statement",
        body="We understand {brand} customers are worried. We are investigating and will update you by 17:00 WIB.",
    )
    client_a.login_as(ayu)
    client_a.post(
        war_room(crisis_incident),
        {
            "action": "draft_response",
            "kind": "holding_statement",
            "template_id": str(template.pk),
            "at_fault": "1",
        },
    )
    draft = Response.objects.get(incident=crisis_incident)
    assert draft.text.startswith("We understand Kopi Nusantara customers") and draft.empathy_passed
    client_a.post(
        war_room(crisis_incident),
        {"action": "edit_response", "response_id": str(draft.pk), "text": "That's not our fault."},
    )
    page = client_a.get(war_room(crisis_incident)).content.decode()
    assert "Defensive wording" in page and "That&#x27;s not our fault" in page
    client_a.post(
        war_room(crisis_incident),
        {
            "action": "edit_response",
            "response_id": str(draft.pk),
            "text": template.body.replace("{brand}", "Kopi"),
        },
    )
    client_a.post(war_room(crisis_incident), {"action": "submit_response", "response_id": str(draft.pk)})
    assert Response.objects.get(pk=draft.pk).state == "pending_approval"


def test_war_room_moderation_needs_a_reason(crisis_incident, ayu, guidelines, client_a):
    from incidents.models import ModerationAction
    from incidents.services.incidents import incident_mentions_link

    mention = make_mention()
    incident_mentions_link(incident_id=crisis_incident.pk, actor=ayu, mention_ids=[mention.pk])
    client_a.login_as(ayu)
    form = {
        "action": "moderate",
        "mention_id": str(mention.pk),
        "moderation_action": "hide",
        "rule_number": "1",
        "reason": "",
    }
    response = client_a.post(war_room(crisis_incident), form, follow=True)
    assert "Explain in a sentence" in response.content.decode()
    assert not ModerationAction.objects.exists()
    client_a.post(war_room(crisis_incident), {**form, "reason": "Menghina pelanggan lain dengan kata kasar"})
    assert ModerationAction.objects.get().incident == crisis_incident


def test_admin_edit_refused_by_the_service_shows_on_the_form_and_changes_nothing(
    crisis_incident, client_a, person
):
    specialist = person("social_media_specialist")  # may see the incident, may not triage it
    client_a.login_as(specialist)
    response = client_a.post(
        f"/admin/incidents/incident/{crisis_incident.pk}/change/",
        {
            "title": "Diubah tanpa hak",
            "summary": "",
            "severity": "1",
            "source_category": "",
            "root_cause_notes": "",
            "affected_platforms": "",
        },
    )
    crisis_incident.refresh_from_db()
    assert response.status_code == 200 and "errornote" in response.content.decode()
    assert crisis_incident.title == "Kopi basi di gerai Bandung" and crisis_incident.severity == 2


def test_roster_admin_links_an_account_by_email_and_names_an_unknown_one(in_brand_a, ayu, client_a, person):
    from incidents.models import RosterMember

    staff = person("customer_care")
    client_a.login_as(ayu)
    base = {"role": "legal", "name": "Staf", "email": "", "phone": "", "organisation": "", "is_active": "on"}
    refused = client_a.post(
        "/admin/incidents/rostermember/add/", {**base, "user_email": "nobody@example.com"}
    )
    assert refused.status_code == 200 and "No such user." in refused.content.decode()
    assert not RosterMember.objects.filter(role="legal").exists()
    added = client_a.post("/admin/incidents/rostermember/add/", {**base, "user_email": staff.email.upper()})
    assert added.status_code == 302
    assert RosterMember.objects.get(role="legal").user_id == staff.pk

"""A drill's injects become drill mentions when due: linked to the drill's incident, posted once,
answered and moderated in its war room without reaching a network, and counted by no detector,
rollup, report figure, health figure or mention list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tenants.errors import DomainError
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)

pytestmark = pytest.mark.django_db

INJECTS = [
    {"after_minutes": 0, "platform": "x", "text": "Katanya kopi ini tidak halal! Jangan beli."},
    {"after_minutes": 10, "platform": "instagram", "text": "Benarkah? Saya kecewa sekali."},
    {"after_minutes": 30, "platform": "x", "text": "Admin kok diam saja? Tolong jelaskan."},
]


@pytest.fixture
def running_drill(in_brand_a, ayu):
    from incidents.services.drills import drill_scenario_create, drill_schedule, drill_start

    scenario = drill_scenario_create(
        actor=ayu,
        title="Rumor kopi tidak halal",
        description="Rumor menyebar di X",
        severity=2,
        source_category="misinformation",
        injects=INJECTS,
    )
    drill = drill_schedule(actor=ayu, scenario_id=scenario.pk, scheduled_for=timezone.now())
    return drill_start(drill_id=drill.pk, actor=ayu)


def test_injects_are_posted_as_drill_mentions_when_due_and_only_once(running_drill):
    from incidents.models import Mention
    from incidents.services.drills import drill_injects_release_due

    drill = running_drill
    posted = Mention.all_objects.filter(is_drill=True)
    assert [m.text for m in posted] == [INJECTS[0]["text"]]  # the inject at +0 is out at the start
    first = posted.get()
    assert first.posted_at == drill.started_at and first.incident_links.get().incident_id == drill.incident_id

    at_15 = drill.started_at + timedelta(minutes=15)
    assert drill_injects_release_due(now=at_15) == 1
    assert drill_injects_release_due(now=at_15) == 0  # a second sweep posts nothing twice
    assert drill_injects_release_due(now=drill.started_at + timedelta(hours=1)) == 1
    assert drill_injects_release_due(now=drill.started_at + timedelta(hours=2)) == 0
    assert sorted(Mention.all_objects.filter(is_drill=True).values_list("posted_at", flat=True)) == [
        drill.started_at + timedelta(minutes=m) for m in (0, 10, 30)
    ]
    assert drill.incident.mention_links.count() == 3
    assert not Mention.objects.exists()  # the real mentions' manager never sees them


def test_a_finished_drill_posts_nothing_more(running_drill, ayu):
    from incidents.models import Mention
    from incidents.services.drills import drill_finish, drill_injects_release_due

    drill_finish(drill_id=running_drill.pk, actor=ayu, debrief="Cukup untuk hari ini")
    assert drill_injects_release_due(now=timezone.now() + timedelta(days=1)) == 0
    assert Mention.all_objects.filter(is_drill=True).count() == 1


def test_the_war_room_lists_drill_mentions_marked_as_drill(running_drill, client_a, ayu):
    page = client_a.login_as(ayu).get(f"/admin/incidents/incident/{running_drill.incident_id}/war-room/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "tidak halal" in html and "DRILL" in html


def test_a_reply_to_a_drill_mention_is_sent_without_reaching_a_network(
    running_drill, ayu, webhook_all, django_capture_on_commit_callbacks
):
    from incidents.models import Mention, WebhookDelivery
    from incidents.services.responses import response_approve, response_draft, response_submit

    post = Mention.all_objects.get(is_drill=True)
    reply = response_draft(
        actor=ayu,
        kind="reply",
        incident_id=running_drill.incident_id,
        mention_id=post.pk,
        language="id",
        text="Terima kasih sudah bertanya. Kami mohon maaf atas kebingungan ini; sertifikat halal kami ada di situs.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response_submit(response_id=reply.pk, actor=ayu)
        reply.refresh_from_db()
        if reply.state != "sent":
            response_approve(response_id=reply.pk, actor=ayu)
    reply.refresh_from_db()
    post.refresh_from_db()
    assert reply.state == "sent" and post.answered_at is not None
    assert not WebhookDelivery.objects.exists()


def test_moderating_a_drill_mention_is_recorded_but_never_requested(
    running_drill, ayu, guidelines, webhook_all, django_capture_on_commit_callbacks
):
    from incidents.models import Mention, WebhookDelivery
    from incidents.services.moderation import moderation_act

    post = Mention.all_objects.get(is_drill=True)
    with django_capture_on_commit_callbacks(execute=True):
        entry = moderation_act(
            actor=ayu,
            mention_id=post.pk,
            action="hide",
            rule_number=1,
            reason="Menyebarkan tuduhan palsu yang menyinggung SARA.",
            incident_id=running_drill.incident_id,
        )
    assert entry.carried_out_at is not None and entry.external_ref == "drill"
    assert not WebhookDelivery.objects.filter(event="moderation.requested").exists()


def test_a_drill_mention_never_joins_a_real_incident(running_drill, ayu, crisis_incident, guidelines):
    from incidents.models import Mention
    from incidents.services.incidents import incident_mentions_link
    from incidents.services.moderation import moderation_act
    from incidents.services.responses import response_draft

    post = Mention.all_objects.get(is_drill=True)
    with pytest.raises(DomainError) as error:
        response_draft(
            actor=ayu, kind="reply", incident_id=crisis_incident.pk, mention_id=post.pk, text="Halo"
        )
    assert "incident_id" in error.value.field_errors
    with pytest.raises(DomainError):
        response_draft(actor=ayu, kind="reply", mention_id=post.pk, text="Halo")
    with pytest.raises(DomainError):
        moderation_act(
            actor=ayu, mention_id=post.pk, action="hide", rule_number=1, reason="Tuduhan palsu yang menyebar."
        )
    with pytest.raises(DomainError):
        incident_mentions_link(incident_id=crisis_incident.pk, actor=ayu, mention_ids=[post.pk])
    assert not crisis_incident.mention_links.exists()


def _crisis_like_rows(*, now, is_drill: bool):
    """Rows that trip the spike, rumour and unanswered-complaints detectors when they are real."""
    from incidents.models import Mention

    claim = "Kopi Nusantara pakai minyak babi, sudah terbukti di lab, jangan beli lagi"
    rows = [
        Mention(
            platform="x",
            external_id=f"{'drill' if is_drill else 'real'}-{n}",
            kind=Mention.Kind.POST,
            author_handle=f"akun{n}",
            text=claim,
            posted_at=now - timedelta(minutes=20 if n < 30 else 120),
            sentiment_band="negative",
            sentiment=-0.8,
            is_complaint=True,
            scored_at=now,
            is_drill=is_drill,
        )
        for n in range(40)
    ]
    Mention.all_objects.bulk_create(rows)


def test_drill_mentions_change_no_detector_rollup_report_or_health_figure(in_brand_a, client_a, budi):
    """The same rows count everywhere once they are real: what keeps them out is the drill flag."""
    from incidents.detectors import detectors_run
    from incidents.models import Mention
    from incidents.rollups import mention_hourly_from_raw, mention_hourly_from_rollup
    from incidents.selectors_figures import complaint_figures, mention_totals
    from incidents.selectors_health import negative_share_now_and_baseline

    now = timezone.now()
    period = {"start": now - timedelta(days=1), "end": now}
    _crisis_like_rows(now=now, is_drill=True)

    assert detectors_run(now=now) == []
    assert mention_hourly_from_rollup() == {} and mention_hourly_from_raw() == {}
    assert mention_totals(**period)["total"] == 0
    assert complaint_figures(**period)["total"] == 0
    assert negative_share_now_and_baseline(now=now)["mentions_now"] == 0
    listed = client_a.login_as(budi).get("/api/v1/mentions/?q=babi")  # the client's mention search
    assert listed.status_code == 200 and listed.json()["results"] == []

    Mention.all_objects.update(is_drill=False)  # the control: the same rows, real

    assert {f.detector for f in detectors_run(now=now)} >= {
        "negative_spike",
        "unanswered_complaints",
        "rumour",
    }
    assert sum(cell["total"] for cell in mention_hourly_from_rollup().values()) == 40
    assert mention_hourly_from_rollup() == mention_hourly_from_raw()
    assert mention_totals(**period)["total"] == 40
    assert complaint_figures(**period)["total"] == 40
    assert negative_share_now_and_baseline(now=now)["mentions_now"] == 40


def test_scoring_a_drill_threat_raises_no_alert(in_brand_a):
    from incidents.models import Alert, Mention
    from incidents.scorers import scorer_get
    from incidents.services.intake import mentions_score_batch

    text = "Saya tahu alamat rumah CEO kalian, tunggu saja, saya akan bunuh dia"
    if not scorer_get().score_batch([(text, "id")])[0].is_threat:
        pytest.skip("the configured scorer does not read this text as a threat")
    Mention.all_objects.create(
        platform="x",
        external_id="drill-threat",
        kind=Mention.Kind.POST,
        author_handle="drill",
        text=text,
        posted_at=timezone.now(),
        is_drill=True,
    )
    assert mentions_score_batch() == 1
    assert Mention.all_objects.get().is_threat
    assert not Alert.objects.exists()


def test_a_released_drill_post_is_scored_by_the_scoring_task(running_drill):
    from incidents.models import Mention
    from incidents.services.drills import drill_injects_release_due
    from incidents.services.intake import mentions_score_pending

    drill = running_drill
    assert drill_injects_release_due(now=drill.started_at + timedelta(hours=2)) >= 1
    assert Mention.all_objects.filter(is_drill=True, scored_at__isnull=True).exists()
    assert mentions_score_pending() >= 1  # the task's path, not only one batch
    assert not Mention.all_objects.filter(scored_at__isnull=True).exists()


def test_brand_b_neither_sees_nor_releases_brand_a_drill_mentions(running_drill, brand_b, client_b, citra):
    from django_tenants.utils import tenant_context

    from incidents.models import Mention
    from incidents.services.drills import drills_start_due

    with tenant_context(brand_b):
        assert drills_start_due(now=timezone.now() + timedelta(hours=1)) == 0
        assert not Mention.all_objects.exists()
    assert Mention.all_objects.filter(is_drill=True).count() == 1  # A's own drill is untouched
    page = client_b.login_as(citra).get(f"/admin/incidents/incident/{running_drill.incident_id}/war-room/")
    assert page.status_code in (302, 404)

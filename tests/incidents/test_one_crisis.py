"""One crisis, one incident: a burst of alerts from one crisis lands on one incident, an unrelated
crisis in the same window gets its own, staff attach alerts and merge incidents, and an alert whose
condition ended resolves itself and can be reopened. An incident opened from an alert, by hand or
by itself above the brand's threshold, carries the alert, its mentions and its evidence."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Alert, CrisisSettings, Incident
from incidents.services.incidents import incident_open, incident_open_from_alert
from incidents.services.one_crisis import incident_auto_open_for_alert
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)
from tests.incidents.fixtures_crisis import make_alert, make_mention
from tests.incidents.fixtures_early_warning import (  # noqa: F401 - fixtures
    detector_settings_fixture,
    mentions_build,
    mentions_create,
    normal_traffic,
)

pytestmark = pytest.mark.django_db

RUMOUR = "katanya kopi nusantara pakai biji kopi basi dari gudang bekas banjir, jangan beli lagi {}"
OTHER_RUMOUR = "barista gerai Surabaya katanya dipecat tanpa pesangon karena ikut demo buruh {}"


def _sweep_as_the_worker(monkeypatch, now):
    """Run the detector sweep and then, in order, the auto-open tasks it handed over (as the
    worker would after commit)."""
    from incidents.services import alerts
    from incidents.services.one_crisis import incident_auto_open_for_alert

    queued = []
    monkeypatch.setattr(
        alerts.outbox, "hand_over_on_commit", lambda task, *args, **kw: queued.append(args[0])
    )
    results = alerts.detectors_sweep(now=now)
    for alert_id in queued:
        incident_auto_open_for_alert(alert_id=alert_id)
    return results


def _rumour(now, text, prefix):
    from incidents.models import Mention

    rows = []
    for i in range(8):
        rows += mentions_build(
            1, at=now - timedelta(minutes=5 * i), text=text.format(["!!", "guys", "", "parah"][i % 4]),
            author=f"{prefix}{i}",
        )  # fmt: skip
    return Mention.objects.bulk_create(rows)


def _burst(now):
    """The issue's scenario in one window: followers drop, negatives spike, a rumour spreads and
    complaints wait unanswered."""
    from incidents.models import MetricSample

    normal_traffic(now=now, days=7, negatives_per_hour=2, positives_per_hour=2)
    growing = [50_000 + 100 * i for i in range(28)]
    MetricSample.objects.bulk_create(
        MetricSample(platform="instagram", measured_at=now - timedelta(hours=6) * (28 - i), followers=v)
        for i, v in enumerate(growing)
    )
    MetricSample.objects.create(platform="instagram", measured_at=now, followers=47_000)
    mentions_create(40, at=now - timedelta(minutes=1), band="negative", spread=timedelta(minutes=45))
    _rumour(now, RUMOUR, "spreader")
    mentions_create(6, at=now - timedelta(hours=2), band="neutral", complaint=True)


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def auto_open_everything(in_brand_a):
    from incidents.models import CrisisSettings

    CrisisSettings.objects.update_or_create(pk=1, defaults={"auto_open_max_severity": 4})


def test_a_rumour_burst_becomes_one_incident(detector_settings, auto_open_everything, now, monkeypatch):
    from incidents.models import Alert, Incident

    _burst(now)
    results = _sweep_as_the_worker(monkeypatch, now)
    detectors = {alert.detector for alert, outcome in results if outcome == "raised"}
    assert detectors == {"negative_spike", "rumour", "follower_drop", "unanswered_complaints"}
    [incident] = Incident.objects.all()
    assert set(Alert.objects.values_list("incident_id", flat=True)) == {incident.pk}
    joined = incident.timeline.filter(kind="alert_linked")
    assert joined.count() == 4
    assert joined.filter(data__reason="same crisis").count() == 3  # three joined the first one
    # Every rumour mention is linked, not only the examples.
    rumour = Alert.objects.get(detector="rumour")
    linked = set(map(str, incident.mention_links.values_list("mention_id", flat=True)))
    assert set(rumour.evidence["member_ids"]) <= linked
    # A second sweep over the same condition opens nothing more.
    _sweep_as_the_worker(monkeypatch, now + timedelta(minutes=5))
    assert Incident.objects.count() == 1


def test_an_unrelated_crisis_in_the_same_window_gets_its_own_incident(
    detector_settings, auto_open_everything, now, monkeypatch
):
    from incidents.models import Incident

    _rumour(now, RUMOUR, "spreader")
    _sweep_as_the_worker(monkeypatch, now)
    _rumour(now, OTHER_RUMOUR, "buruh")
    _sweep_as_the_worker(monkeypatch, now + timedelta(minutes=1))
    assert Incident.objects.count() == 2
    first, second = Incident.objects.order_by("number")
    assert first.alerts.get().evidence["representative"].startswith("katanya kopi")
    assert second.alerts.get().evidence["representative"].startswith("barista")


def test_a_brand_wide_alert_outside_the_window_opens_its_own(in_brand_a, auto_open_everything, ayu):
    from incidents.models import Alert, CrisisSettings, Incident
    from incidents.services.one_crisis import incident_auto_open_for_alert

    CrisisSettings.objects.filter(pk=1).update(incident_join_window_minutes=60)
    old = incident_open(actor=ayu, title="Lama", severity=3)
    Incident.objects.filter(pk=old.pk).update(opened_at=timezone.now() - timedelta(hours=5))
    alert = _alert(Alert.Detector.NEGATIVE_SPIKE)
    incident = incident_auto_open_for_alert(alert_id=alert.pk)
    assert incident.pk != old.pk
    # Within the window it joins.
    again = incident_auto_open_for_alert(alert_id=_alert(Alert.Detector.FOLLOWER_DROP, key="f:ig").pk)
    assert again.pk == incident.pk


def _alert(detector, *, key=None, mention_ids=(), severity=2, incident=None, state="open"):
    from incidents.models import Alert

    now = timezone.now()
    return Alert.objects.create(
        detector=detector,
        condition_key=key or f"{detector}:{now.timestamp()}",
        severity=severity,
        title=f"{detector} alert",
        window_start=now - timedelta(minutes=30),
        window_end=now,
        last_seen_at=now,
        evidence={"example_mention_ids": [str(m) for m in mention_ids]},
        incident=incident,
        state=state,
    )


def test_a_threat_joins_only_the_incident_holding_its_post(in_brand_a, auto_open_everything, ayu):
    from incidents.models import Alert
    from incidents.services.one_crisis import incident_auto_open_for_alert

    post = make_mention()
    incident = incident_open(actor=ayu, title="Rumor", severity=2, mention_ids=[post.pk])
    unrelated = _alert(Alert.Detector.THREAT, mention_ids=[make_mention().pk])
    assert incident_auto_open_for_alert(alert_id=unrelated.pk).pk != incident.pk
    related = _alert(Alert.Detector.THREAT, mention_ids=[post.pk])
    assert incident_auto_open_for_alert(alert_id=related.pk).pk == incident.pk


# --- One severity scale --------------------------------------------------------------------------
def test_a_critical_alert_opens_a_sev1_incident_and_a_low_one_opens_none(in_brand_a):
    from incidents.models import Alert, Incident
    from incidents.services.one_crisis import incident_auto_open_for_alert

    # The brand's default threshold: SEV2 · High or worse opens an incident by itself.
    low = _alert(Alert.Detector.NEGATIVE_SPIKE, key="spike:low", severity=Alert.Severity.LOW)
    assert incident_auto_open_for_alert(alert_id=low.pk) is None
    critical = _alert(Alert.Detector.RUMOUR, key="rumour:critical", severity=Alert.Severity.CRITICAL)
    incident = incident_auto_open_for_alert(alert_id=critical.pk)
    assert Alert.Severity.CRITICAL == 1 and incident.severity == 1  # SEV1, as the alert said
    assert list(Incident.objects.values_list("severity", flat=True)) == [1]


def test_a_worse_alert_joining_raises_the_incident_and_a_milder_one_does_not(in_brand_a, ayu):
    from incidents.models import Alert
    from incidents.services.one_crisis import incident_auto_open_for_alert

    post = make_mention()
    incident = incident_open(actor=ayu, title="Rumor", severity=3, mention_ids=[post.pk])
    milder = _alert(Alert.Detector.THREAT, key="threat:milder", mention_ids=[post.pk], severity=4)
    assert incident_auto_open_for_alert(alert_id=milder.pk).severity == 3
    worse = _alert(Alert.Detector.THREAT, key="threat:worse", mention_ids=[post.pk], severity=1)
    assert incident_auto_open_for_alert(alert_id=worse.pk).severity == 1
    incident.refresh_from_db()
    assert incident.severity == 1


def test_the_auto_open_sweep_takes_alerts_at_the_threshold_or_worse(in_brand_a):
    from incidents.models import Alert, CrisisSettings
    from incidents.services.one_crisis import incidents_auto_open_pending

    CrisisSettings.objects.update_or_create(pk=1, defaults={"auto_open_max_severity": 2})
    high = _alert(Alert.Detector.RUMOUR, key="rumour:high", severity=2)
    medium = _alert(Alert.Detector.RUMOUR, key="rumour:medium", severity=3)
    assert incidents_auto_open_pending() == 1
    high.refresh_from_db()
    medium.refresh_from_db()
    assert high.incident.severity == 2 and medium.incident_id is None


# --- Merge --------------------------------------------------------------------------------------
@pytest.fixture
def two(in_brand_a, ayu, ayu_member, person):
    from incidents.models import Alert
    from incidents.services.responses import response_draft
    from incidents.services.team import assignment_add, task_create

    survivor = incident_open(
        actor=ayu, title="Rumor gudang banjir", severity=3, mention_ids=[make_mention().pk]
    )
    merged = incident_open(actor=ayu, title="Lonjakan negatif", severity=2, mention_ids=[make_mention().pk])
    specialist = person("social_media_specialist")
    assignment_add(incident_id=merged.pk, actor=ayu, member_id=ayu_member.pk)
    assignment_add(incident_id=survivor.pk, actor=ayu, member_id=ayu_member.pk)  # the same role twice
    assignment_add(incident_id=merged.pk, actor=ayu, member_id=specialist.roster.pk)
    task = task_create(
        incident_id=merged.pk,
        actor=ayu,
        title="Cek gudang",
        owner_id=ayu_member.pk,
        due_at=timezone.now() + timedelta(hours=2),
    )
    response = response_draft(
        actor=ayu,
        kind="statement",
        incident_id=merged.pk,
        text="Kami memahami kekhawatiran Anda dan mohon maaf. Kami sedang memeriksa gudang kami.",
        language="id",
    )
    alert = _alert(Alert.Detector.NEGATIVE_SPIKE, incident=merged, state="incident_opened")
    return {
        "survivor": survivor,
        "merged": merged,
        "task": task,
        "response": response,
        "alert": alert,
        "specialist": specialist,
    }


def test_merge_moves_everything_and_points_to_the_survivor(two, ayu):
    from incidents.models import IncidentAssignment, Severity
    from incidents.permissions import incident_can
    from incidents.services.one_crisis import incident_merge

    survivor, merged = two["survivor"], two["merged"]
    merged_entries = set(merged.timeline.values_list("pk", flat=True))
    survivor_due, merged_due = survivor.status_update_due_at, merged.status_update_due_at
    result = incident_merge(incident_id=merged.pk, into_id=survivor.pk, actor=ayu, reason="satu krisis")
    assert result.pk == survivor.pk
    merged.refresh_from_db()
    survivor.refresh_from_db()
    assert merged.status == "merged" and merged.merged_into_id == survivor.pk
    assert merged.status_update_due_at is None
    assert merged_entries <= set(survivor.timeline.values_list("pk", flat=True))
    assert survivor.mention_links.count() == 2
    assert survivor.tasks.get().pk == two["task"].pk
    assert survivor.responses.get().pk == two["response"].pk
    assert survivor.alerts.get().pk == two["alert"].pk
    active = IncidentAssignment.objects.filter(incident=survivor, ended_at__isnull=True)
    assert sorted(active.values_list("role", flat=True)) == ["crisis_manager", "social_media_specialist"]
    # The specialist's rights followed the team to the survivor.
    assert incident_can(two["specialist"], "draft_response", survivor)
    assert not incident_can(two["specialist"], "draft_response", merged)
    # The worse severity and the earlier client-update deadline survive.
    assert survivor.severity == Severity.HIGH
    assert survivor.status_update_due_at <= min(survivor_due, merged_due)
    assert survivor.timeline.filter(kind="merged", pinned=True).count() == 1
    assert merged.timeline.get(kind="merged").data["survivor"] == str(survivor.pk)
    # Repeating it changes nothing.
    incident_merge(incident_id=merged.pk, into_id=survivor.pk, actor=ayu)
    assert survivor.timeline.filter(kind="merged").count() == 1


def test_merge_refuses_itself_and_closed_survivors(two, ayu):
    from incidents.services.incidents import incident_transition
    from incidents.services.one_crisis import incident_merge
    from tenants.errors import DomainError

    with pytest.raises(DomainError):
        incident_merge(incident_id=two["merged"].pk, into_id=two["merged"].pk, actor=ayu)
    incident_transition(incident_id=two["survivor"].pk, actor=ayu, to_status="resolved", summary="Selesai")
    with pytest.raises(DomainError):
        incident_merge(incident_id=two["merged"].pk, into_id=two["survivor"].pk, actor=ayu)
    assert two["merged"].timeline.filter(kind="merged").count() == 0


def test_merge_api_citra_404_budi_403_ayu_200(two, client_a, ayu, budi, citra):
    url = f"/api/v1/incidents/{two['merged'].pk}/merge/"
    body = {"into": str(two["survivor"].pk)}
    client_a.login_as(citra)
    assert client_a.post(url, body, content_type="application/json").status_code == 404
    client_a.login_as(budi)
    assert client_a.post(url, body, content_type="application/json").status_code == 403
    two["merged"].refresh_from_db()
    assert two["merged"].status != "merged"
    client_a.login_as(ayu)
    bad = client_a.post(url, {"into": "not-a-uuid"}, content_type="application/json")
    assert bad.status_code == 400 and "into" in bad.json()
    missing = client_a.post(
        url, {"into": "00000000-0000-0000-0000-000000000000"}, content_type="application/json"
    )
    assert missing.status_code == 400
    response = client_a.post(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["id"] == str(two["survivor"].pk)
    detail = client_a.get(f"/api/v1/incidents/{two['merged'].pk}/").json()
    assert detail["status"] == "merged" and detail["merged_into"] == str(two["survivor"].pk)


def test_attach_alert_and_search_mentions_api(two, client_a, ayu, budi, citra):
    from incidents.models import Alert

    survivor = two["survivor"]
    loose = _alert(Alert.Detector.RUMOUR, mention_ids=[make_mention(text="gudang banjir katanya").pk])
    url = f"/api/v1/incidents/{survivor.pk}/alerts/"
    client_a.login_as(budi)
    assert client_a.post(url, {"alert_id": str(loose.pk)}, content_type="application/json").status_code == 403
    client_a.login_as(citra)
    assert client_a.post(url, {"alert_id": str(loose.pk)}, content_type="application/json").status_code == 404
    client_a.login_as(ayu)
    assert client_a.post(url, {"alert_id": str(loose.pk)}, content_type="application/json").status_code == 200
    loose.refresh_from_db()
    assert loose.incident_id == survivor.pk and survivor.mention_links.count() == 2
    # Moving an alert that sits on another incident says so on both timelines.
    moved = client_a.post(url, {"alert_id": str(two["alert"].pk)}, content_type="application/json")
    assert moved.status_code == 200
    assert two["merged"].timeline.filter(data__moved_to=str(survivor.pk)).exists()

    make_mention(text="Katanya gudang Cikarang kebanjiran, kopi basi semua", author_handle="@ibu_rina")
    make_mention(text="Enak banget kopinya", author_handle="senang")
    search = client_a.get(f"/api/v1/incidents/{survivor.pk}/mention-candidates/?q=gudang+cikarang")
    assert search.status_code == 200
    [found] = search.json()["results"]
    assert found["author_handle"] == "@ibu_rina"
    assert client_a.get(f"/api/v1/incidents/{survivor.pk}/mention-candidates/?band=bad").status_code == 400
    linked = client_a.post(
        f"/api/v1/incidents/{survivor.pk}/mentions/",
        {"mention_ids": [found["id"]]},
        content_type="application/json",
    )
    assert linked.json() == {"linked": 1}
    assert (
        client_a.get(f"/api/v1/incidents/{survivor.pk}/mention-candidates/?q=cikarang").json()["results"]
        == []
    )
    client_a.login_as(budi)
    assert client_a.get(f"/api/v1/incidents/{survivor.pk}/mention-candidates/?q=gudang").status_code == 403


def test_war_room_links_searched_mentions_and_merges(two, client_a, ayu, budi):
    survivor, merged = two["survivor"], two["merged"]
    target = make_mention(text="gudang banjir di Cikarang?", author_handle="@@warga")
    client_a.login_as(ayu)
    url = f"/admin/incidents/incident/{merged.pk}/war-room/"
    page = client_a.get(url + "?mq=cikarang")
    assert page.status_code == 200
    body = page.content.decode()
    assert "@warga" in body and "@@warga" not in body
    assert client_a.post(url, {"action": "link_mentions", "mention_ids": [str(target.pk)]}).status_code == 302
    assert merged.mention_links.filter(mention=target).exists()
    assert client_a.post(url, {"action": "link_mentions"}).status_code == 302  # nothing ticked: a message
    response = client_a.post(url, {"action": "merge", "into_id": str(survivor.pk)})
    assert response.status_code == 302 and str(survivor.pk) in response["Location"]
    merged.refresh_from_db()
    assert merged.merged_into_id == survivor.pk
    client_a.login_as(budi)
    assert client_a.get(url).status_code in (302, 403)


# --- Alerts whose condition ended ----------------------------------------------------------------
def test_an_ended_condition_resolves_its_alert_and_staff_reopen_it(
    detector_settings, auto_open_everything, now, monkeypatch, client_a, ayu, budi
):
    from incidents.models import Alert, Mention
    from incidents.services import one_crisis

    emitted = []
    monkeypatch.setattr(one_crisis, "webhook_emit", lambda *, event, payload: emitted.append(event) or 0)
    complaints = mentions_create(6, at=now - timedelta(hours=2), band="neutral", complaint=True)
    _sweep_as_the_worker(monkeypatch, now)
    alert = Alert.objects.get()
    assert alert.incident is not None
    Mention.objects.filter(pk__in=[m.pk for m in complaints]).update(answered_at=now)
    _sweep_as_the_worker(monkeypatch, now + timedelta(minutes=5))
    alert.refresh_from_db()
    assert alert.state == "resolved" and alert.resolved_at is not None
    assert emitted.count("alert.resolved") == 1
    assert alert.incident.timeline.filter(kind="alert_resolved").count() == 1
    _sweep_as_the_worker(monkeypatch, now + timedelta(minutes=10))
    assert alert.incident.timeline.filter(kind="alert_resolved").count() == 1  # once

    url = f"/api/v1/alerts/{alert.pk}/reopen/"
    client_a.login_as(budi)
    assert client_a.post(url, {}, content_type="application/json").status_code == 403
    client_a.login_as(ayu)
    response = client_a.post(url, {"reason": "masih ada yang menunggu"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["state"] == "incident_opened"
    assert emitted.count("alert.reopened") == 1
    assert alert.incident.timeline.filter(kind="alert_reopened").count() == 1


def test_citra_cannot_reach_the_new_endpoints(two, client_a, citra):
    from incidents.models import Alert

    client_a.login_as(citra)
    alert = two["alert"]
    Alert.objects.filter(pk=alert.pk).update(state="resolved")
    assert (
        client_a.post(f"/api/v1/alerts/{alert.pk}/reopen/", {}, content_type="application/json").status_code
        == 404
    )
    assert client_a.get(f"/api/v1/incidents/{two['survivor'].pk}/mention-candidates/").status_code == 404
    assert client_a.get(f"/admin/incidents/incident/{two['survivor'].pk}/war-room/").status_code in (
        302,
        403,
        404,
    )


def test_open_from_alert_links_the_alert_its_mentions_and_evidence(in_brand_a, ayu):
    mentions = [make_mention(platform="x"), make_mention(platform="instagram")]
    alert = make_alert(mention_ids=[m.pk for m in mentions])
    incident = incident_open_from_alert(alert_id=alert.pk, actor=ayu)
    alert.refresh_from_db()
    assert alert.incident == incident and alert.state == Alert.State.INCIDENT_OPENED
    assert incident.severity == 2  # alert HIGH is SEV2
    assert incident.title == alert.title
    assert set(incident.mention_links.values_list("mention_id", flat=True)) == {m.pk for m in mentions}
    assert incident.affected_platforms == ["instagram", "x"]
    linked = incident.timeline.get(kind="alert_linked")
    assert linked.data["evidence"]["count"] == 48


def test_opening_from_the_same_alert_twice_returns_the_same_incident(in_brand_a, ayu):
    alert = make_alert()
    first = incident_open_from_alert(alert_id=alert.pk, actor=ayu)
    assert incident_open_from_alert(alert_id=alert.pk, actor=ayu) == first
    assert Incident.objects.count() == 1


def test_alert_at_the_threshold_opens_an_incident_by_itself(in_brand_a):
    CrisisSettings.objects.update_or_create(pk=1, defaults={"auto_open_max_severity": 2})
    incident = incident_auto_open_for_alert(alert_id=make_alert(Alert.Severity.HIGH).pk)
    assert incident is not None and incident.opened_by is None
    assert incident.timeline.get(kind="opened").actor_label.startswith("automatic")


def test_alert_below_the_threshold_opens_nothing(in_brand_a):
    CrisisSettings.objects.update_or_create(pk=1, defaults={"auto_open_max_severity": 1})
    assert incident_auto_open_for_alert(alert_id=make_alert(Alert.Severity.HIGH).pk) is None
    assert not Incident.objects.exists()


def test_auto_open_can_be_switched_off(in_brand_a):
    CrisisSettings.objects.update_or_create(pk=1, defaults={"auto_open_max_severity": None})
    assert incident_auto_open_for_alert(alert_id=make_alert(Alert.Severity.CRITICAL).pk) is None

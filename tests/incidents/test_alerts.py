"""Alerts: raised once per ongoing condition and updated after, escalation announced, team notified
in the app and by email, acknowledge/dismiss through the API and the brand admin, with roles and
brand isolation."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.helpers import bearer
from tests.incidents.fixtures_early_warning import (  # noqa: F401 - fixtures
    detector_settings_fixture,
    mentions_create,
)

pytestmark = pytest.mark.django_db


def _finding(severity=3, key="unanswered_complaints", count=6):  # SEV3 · Medium
    from incidents.detectors import Finding

    now = timezone.now()
    return Finding(
        detector="unanswered_complaints",
        condition_key=key,
        severity=severity,
        title=f"{count} complaints unanswered",
        window_start=now - timedelta(hours=3),
        window_end=now,
        evidence={"count": count, "example_mention_ids": []},
    )


@pytest.fixture
def alert(in_brand_a):
    from incidents.services.alerts import alert_raise_or_update

    return alert_raise_or_update(finding=_finding())[0]


def test_sweep_raises_one_alert_and_updates_it_while_the_condition_lasts(
    detector_settings, django_capture_on_commit_callbacks, monkeypatch
):
    from incidents.models import Alert, Notification
    from incidents.services.alerts import detectors_sweep
    from incidents.tasks import notifications as notifications_tasks
    from incidents.tasks import one_crisis as one_crisis_tasks

    emailed = []
    monkeypatch.setattr(notifications_tasks.notification_email_task, "delay", emailed.append)
    monkeypatch.setattr(one_crisis_tasks.incident_auto_open_task, "delay", lambda alert_id: None)
    mentions_create(6, at=timezone.now() - timedelta(hours=2), complaint=True)
    with django_capture_on_commit_callbacks() as first_callbacks:
        [(alert, outcome)] = detectors_sweep()
    assert outcome == "raised"
    assert first_callbacks  # emails queued after commit
    assert emailed == []
    for callback in first_callbacks:
        callback()
    assert emailed == [str(Notification.objects.get().pk)]
    mentions_create(2, at=timezone.now() - timedelta(hours=2), complaint=True)
    [(again, outcome)] = detectors_sweep()
    assert outcome == "updated"
    assert again.pk == alert.pk
    assert Alert.objects.count() == 1
    again.refresh_from_db()
    assert again.evidence["count"] == 8
    assert again.update_count == 1
    assert Notification.objects.count() == 1  # Ayu once; an update of the same severity is silent


def test_escalation_notifies_again_and_emits_alert_updated(alert, ayu, monkeypatch):
    from incidents.models import Notification
    from incidents.services import alerts

    events = []
    monkeypatch.setattr(alerts, "webhook_emit", lambda *, event, payload: events.append(event) or 0)
    escalated, outcome = alerts.alert_raise_or_update(finding=_finding(severity=1, count=60))  # SEV1
    assert outcome == "escalated"
    assert escalated.severity == 1
    assert events == ["alert.updated"]
    assert Notification.objects.filter(user_id=ayu.pk).count() == 2


def test_a_milder_finding_updates_the_alert_without_lowering_its_severity(alert, ayu, monkeypatch):
    from incidents.models import Notification
    from incidents.services import alerts

    events = []
    monkeypatch.setattr(alerts, "webhook_emit", lambda *, event, payload: events.append(event) or 0)
    updated, outcome = alerts.alert_raise_or_update(finding=_finding(severity=4))  # SEV4 · Low
    assert outcome == "updated"
    assert updated.severity == 3  # lower is worse: the alert stays at its worst, SEV3
    assert events == []
    assert Notification.objects.filter(user_id=ayu.pk).count() == 1


def test_database_refuses_a_second_live_alert_for_one_condition(alert):
    from incidents.models import Alert

    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(
            detector=alert.detector,
            condition_key=alert.condition_key,
            severity=3,
            title="dup",
            window_start=alert.window_start,
            window_end=alert.window_end,
            last_seen_at=alert.last_seen_at,
        )


def test_team_is_notified_in_app_and_by_email_only_staff_of_this_brand(
    in_brand_a, ayu, budi, citra, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    from incidents.models import Notification
    from incidents.services.notifications import notification_email_send, notify
    from incidents.tasks import notifications as notifications_tasks

    monkeypatch.setattr(
        notifications_tasks.notification_email_task,
        "delay",
        lambda pk: notification_email_send(notification_id=pk),
    )
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(subject="Spike <b>now</b>", body="Look", link="https://x.test/a")
    assert created == 1
    assert list(Notification.objects.values_list("user_id", flat=True)) == [ayu.pk]
    assert [m.to for m in mailoutbox] == [[ayu.email]]
    assert "https://x.test/a" in mailoutbox[0].body
    # A repeated email task sends nothing twice.
    assert notification_email_send(notification_id=Notification.objects.get().pk) is False
    assert len(mailoutbox) == 1


def test_notify_explicit_users_only_if_they_have_a_grant_here(in_brand_a, budi, citra):
    from incidents.models import Notification
    from incidents.services.notifications import notify

    assert notify(subject="s", body="b", roles=[], users=[budi, citra]) == 1
    assert list(Notification.objects.values_list("user_id", flat=True)) == [budi.pk]


def test_acknowledge_and_dismiss_through_the_api(client_a, ayu, alert):
    client = client_a.login_as(ayu)
    response = client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 200
    assert response.json()["state"] == "acknowledged"
    assert client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/").status_code == 200  # repeat is a no-op
    no_reason = client.post(f"/api/v1/alerts/{alert.pk}/dismiss/", {}, content_type="application/json")
    assert no_reason.status_code == 400
    dismissed = client.post(
        f"/api/v1/alerts/{alert.pk}/dismiss/",
        {"reason": "A bot, not customers"},
        content_type="application/json",
    )
    assert dismissed.status_code == 200
    assert dismissed.json()["state"] == "dismissed"
    assert dismissed.json()["dismiss_reason"] == "A bot, not customers"
    alert.refresh_from_db()
    assert alert.dismissed_by_id == ayu.pk


def test_acknowledging_a_dismissed_alert_is_a_clear_400(client_a, ayu, alert):
    from incidents.services.alerts import alert_dismiss

    alert_dismiss(alert_id=alert.pk, reason="noise")
    response = client_a.login_as(ayu).post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 400
    assert "open" in response.json()["detail"]


def test_dismissed_condition_is_not_raised_again_during_the_cool_down(alert):
    from incidents.models import Alert
    from incidents.services.alerts import alert_dismiss, alert_raise_or_update

    alert_dismiss(alert_id=alert.pk, reason="noise")
    assert alert_raise_or_update(finding=_finding()) == (None, "suppressed")
    assert alert_raise_or_update(finding=_finding(severity=4)) == (None, "suppressed")  # milder: SEV4
    _, outcome = alert_raise_or_update(finding=_finding(severity=1))
    assert outcome == "raised"  # worse than what was dismissed (SEV1 against SEV3)
    assert Alert.objects.filter(state="open").count() == 1


def test_budi_reads_alerts_but_cannot_act(client_a, budi, alert):
    client = client_a.login_as(budi)
    assert client.get("/api/v1/alerts/").status_code == 200
    assert client.get(f"/api/v1/alerts/{alert.pk}/").status_code == 200
    assert client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/").status_code == 403
    assert (
        client.post(
            f"/api/v1/alerts/{alert.pk}/dismiss/", {"reason": "x"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_citra_and_brand_b_key_get_404_on_brand_a_alerts(client_a, citra, api_key_b, alert):
    assert client_a.get(f"/api/v1/alerts/{alert.pk}/", **bearer(api_key_b)).status_code == 404
    assert client_a.post(f"/api/v1/alerts/{alert.pk}/acknowledge/", **bearer(api_key_b)).status_code == 404
    client = client_a.login_as(citra)
    assert client.get("/api/v1/alerts/").status_code == 404
    assert client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/").status_code == 404


def test_alert_list_filters_by_state_with_bounded_queries(
    client_a, api_key_a, alert, django_assert_max_num_queries
):
    from incidents.services.alerts import alert_dismiss, alert_raise_or_update

    other, _ = alert_raise_or_update(finding=_finding(key="other"))
    dismissed, _ = alert_raise_or_update(finding=_finding(key="dismissed"))
    alert_dismiss(alert_id=dismissed.pk, reason="noise")
    with django_assert_max_num_queries(6):
        response = client_a.get("/api/v1/alerts/?state=open", **bearer(api_key_a))
    assert len(response.json()["results"]) == 2
    assert {r["id"] for r in response.json()["results"]} == {str(alert.pk), str(other.pk)}


def test_notifications_api_shows_own_and_marks_read(client_a, ayu, budi, alert):
    from incidents.models import Notification

    client = client_a.login_as(ayu)
    [item] = client.get("/api/v1/notifications/").json()["results"]
    assert client.post(f"/api/v1/notifications/{item['id']}/read/").json()["read_at"]
    assert Notification.objects.get(pk=item["id"]).read_at is not None
    assert client.get("/api/v1/notifications/?unread=1").json()["results"] == []
    assert len(client.get("/api/v1/notifications/?unread=0").json()["results"]) == 1
    other = client_a.__class__(client_a.host).login_as(budi)
    assert other.get("/api/v1/notifications/").json()["results"] == []
    assert other.post(f"/api/v1/notifications/{item['id']}/read/").status_code == 404


# --- Brand admin --------------------------------------------------------------------------------
def test_admin_lists_alerts_and_escapes_their_text(client_a, ayu, in_brand_a):
    from incidents.services.alerts import alert_raise_or_update

    finding = _finding()
    finding = finding.__class__(**{**finding.__dict__, "title": "<script>alert(1)</script> spike"})
    alert, _ = alert_raise_or_update(finding=finding)
    client = client_a.login_as(ayu)
    listing = client.get("/admin/incidents/alert/")
    assert listing.status_code == 200
    assert b"<script>alert(1)</script>" not in listing.content
    detail = client.get(f"/admin/incidents/alert/{alert.pk}/change/")
    assert detail.status_code == 200
    assert b"&lt;script&gt;" in detail.content


def test_admin_actions_acknowledge_and_dismiss_with_reason(client_a, ayu, alert):
    client = client_a.login_as(ayu)
    response = client.post(
        "/admin/incidents/alert/",
        {"action": "dismiss_alerts", "_selected_action": [str(alert.pk)], "reason": "Known campaign"},
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.state, alert.dismiss_reason) == ("dismissed", "Known campaign")


def test_admin_dismiss_without_reason_changes_nothing(client_a, ayu, alert):
    client = client_a.login_as(ayu)
    client.post("/admin/incidents/alert/", {"action": "dismiss_alerts", "_selected_action": [str(alert.pk)]})
    alert.refresh_from_db()
    assert alert.state == "open"


def test_budi_cannot_run_admin_actions(client_a, budi, alert):
    client = client_a.login_as(budi)
    assert client.get("/admin/incidents/alert/").status_code == 200
    client.post(
        "/admin/incidents/alert/",
        {"action": "acknowledge_alerts", "_selected_action": [str(alert.pk)]},
    )
    alert.refresh_from_db()
    assert alert.state == "open"


def test_citra_cannot_open_brand_a_admin_alerts(client_a, citra, alert):
    response = client_a.login_as(citra).get(f"/admin/incidents/alert/{alert.pk}/change/")
    assert response.status_code == 403 and alert.title not in response.content.decode()


def test_admin_pages_for_mentions_settings_webhooks_render(client_a, ayu, detector_settings):
    mentions_create(3, at=timezone.now(), text="<img src=x onerror=alert(1)>")
    client = client_a.login_as(ayu)
    page = client.get("/admin/incidents/mention/?sentiment_band__exact=negative")
    assert page.status_code == 200
    assert b"<img src=x" not in page.content
    assert client.get("/admin/incidents/detectorsettings/1/change/").status_code == 200
    assert client.get("/admin/incidents/webhooksubscription/").status_code == 200
    assert client.get("/admin/incidents/webhookdelivery/").status_code == 200
    assert client.get("/admin/incidents/notification/").status_code == 200


def test_admin_saves_detector_settings(client_a, ayu, detector_settings):
    from incidents.models import DetectorSettings

    data = {
        f.name: getattr(detector_settings, f.name)
        for f in DetectorSettings._meta.fields
        if f.editable and f.name != "id"
    }
    data.update(brand_handles="@kopinusantara, @kopi_cs", spike_min_count=50)
    response = client_a.login_as(ayu).post("/admin/incidents/detectorsettings/1/change/", data)
    assert response.status_code == 302, response.content[:2000]
    saved = DetectorSettings.objects.get()
    assert saved.spike_min_count == 50
    assert saved.handles == {"kopinusantara", "kopi_cs"}


def test_periodic_tick_is_scheduled_and_fans_out_to_every_ready_brand(brand_a, brand_b, monkeypatch):
    from incidents.tasks import sweeps as sweeps_tasks
    from platform.celery import app
    from tenants.models import Brand

    assert app.conf.beat_schedule["early-warning-tick"]["task"] == sweeps_tasks.early_warning_tick_task.name
    from tenants.fanout import brands_run_task

    schemas = []
    monkeypatch.setattr(
        brands_run_task,
        "apply_async",
        lambda args, queue: (
            schemas.extend(args[1]) if args[0] == sweeps_tasks.early_warning_brand_tick_task.name else None
        ),
    )
    assert sweeps_tasks.early_warning_tick_task() == Brand.objects.ready().count()
    assert {brand_a.schema_name, brand_b.schema_name} <= set(schemas)


def test_raised_and_escalated_alerts_ask_the_crisis_side_to_auto_open(
    in_brand_a, django_capture_on_commit_callbacks, monkeypatch
):
    from incidents.services.alerts import alert_raise_or_update
    from incidents.tasks import one_crisis as one_crisis_tasks

    asked = []
    monkeypatch.setattr(
        one_crisis_tasks.incident_auto_open_task, "delay", lambda alert_id: asked.append(alert_id)
    )
    with django_capture_on_commit_callbacks(execute=True):
        alert, _ = alert_raise_or_update(finding=_finding())
        alert_raise_or_update(finding=_finding())  # same severity: an update, nothing asked
        alert_raise_or_update(finding=_finding(severity=1))  # worse: SEV1
    assert asked == [str(alert.pk), str(alert.pk)]


def test_admin_action_opens_an_incident_from_an_alert(client_a, ayu, alert):
    response = client_a.login_as(ayu).post(
        "/admin/incidents/alert/", {"action": "open_incidents", "_selected_action": [str(alert.pk)]}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.state == "incident_opened"
    assert alert.incident_id is not None


def test_detector_settings_admin_goes_straight_to_the_one_row(client_a, ayu, in_brand_a):
    from incidents.models import DetectorSettings

    client = client_a.login_as(ayu)
    assert client.get("/admin/incidents/detectorsettings/")["Location"].endswith("/detectorsettings/add/")
    response = client.post("/admin/incidents/detectorsettings/add/", _settings_form(spike_min_count=40))
    assert response.status_code == 302, response.content[:3000]
    assert DetectorSettings.objects.get().spike_min_count == 40
    assert client.get("/admin/incidents/detectorsettings/")["Location"].endswith(
        "/detectorsettings/1/change/"
    )


def _settings_form(**overrides):
    from incidents.models import DetectorSettings

    defaults = DetectorSettings()
    data = {
        f.name: getattr(defaults, f.name)
        for f in DetectorSettings._meta.fields
        if f.editable and f.name != "id"
    }
    data.update(overrides)
    return data


WRITES = [
    ("post", "/api/v1/mentions/", []),
    ("post", "/api/v1/mentions/{mention}/answered/", {}),
    ("post", "/api/v1/metrics/", []),
    ("patch", "/api/v1/detector-settings/", {"spike_min_count": 50}),
    ("post", "/api/v1/alerts/{alert}/acknowledge/", {}),
    ("post", "/api/v1/alerts/{alert}/dismiss/", {"reason": "x"}),
    ("post", "/api/v1/webhooks/", {"name": "x", "url": "https://x.example/h", "events": ["*"]}),
    ("patch", "/api/v1/webhooks/{subscription}/", {"is_active": False}),
    ("post", "/api/v1/webhooks/{subscription}/rotate-secret/", {}),
    ("post", "/api/v1/webhooks/{subscription}/ping/", {}),
]


@pytest.fixture
def brand_a_objects(alert):
    from incidents.services.webhooks import webhook_subscription_create

    mention = mentions_create(1, at=timezone.now())[0]
    subscription, _ = webhook_subscription_create(name="s", url="https://a.example/h", events=["*"])
    return {"alert": alert.pk, "mention": mention.pk, "subscription": subscription.pk}


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_every_write_endpoint_refuses_budi_and_is_a_404_for_citra(
    client_a, budi, citra, brand_a_objects, method, path, body
):
    import json

    from incidents.models import Alert, Mention, WebhookSubscription

    path = path.format(**brand_a_objects)
    before = (
        list(Alert.objects.values_list("state", flat=True)),
        list(Mention.objects.values_list("answered_at", flat=True)),
        list(WebhookSubscription.objects.values_list("secret", "is_active")),
    )
    viewer = client_a.login_as(budi)
    send = {"data": json.dumps(body), "content_type": "application/json"}
    assert getattr(viewer, method)(path, **send).status_code == 403
    outsider = client_a.__class__(client_a.host).login_as(citra)
    assert getattr(outsider, method)(path, **send).status_code == 404
    after = (
        list(Alert.objects.values_list("state", flat=True)),
        list(Mention.objects.values_list("answered_at", flat=True)),
        list(WebhookSubscription.objects.values_list("secret", "is_active")),
    )
    assert after == before


def test_saving_an_alert_page_in_the_admin_changes_nothing(client_a, ayu, alert):
    # A bare save used to rewrite the row, moving updated_at and so a dismissed alert's cool-down.
    before = alert.updated_at
    client = client_a.login_as(ayu)
    assert client.get(f"/admin/incidents/alert/{alert.pk}/change/").status_code == 200
    response = client.post(f"/admin/incidents/alert/{alert.pk}/change/", {"_save": "Save"})
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.updated_at == before

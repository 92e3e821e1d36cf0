"""Alerts moved to the incidents' severity scale (1 = SEV1 critical … 4 = SEV4 low): the brand
schema's migration flips every stored alert severity and the undelivered alert webhooks, leaves
incidents and delivered webhooks as they are, and flips them back when it is unapplied."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = ("incidents", "0023_review_client_sign_off")
FLIP = ("incidents", "0024_alert_severity_one_scale")


def _migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)  # a fresh one reads what the schema has applied now
    executor.migrate([target])


def _severities(model) -> dict[str, int]:
    return dict(model.objects.values_list("title", "severity"))


def test_alert_severities_flip_and_incidents_stay_in_a_brand_schema(in_brand_a):
    from incidents.models import Alert, Incident, WebhookDelivery, WebhookSubscription

    assert connection.schema_name == in_brand_a.schema_name
    _migrate(BEFORE)
    now = timezone.now()
    old_scale = {"low": 1, "medium": 2, "high": 3, "critical": 4}  # alerts counted up
    for title, severity in old_scale.items():
        Alert.objects.create(
            detector=Alert.Detector.RUMOUR,
            condition_key=f"rumour:{title}",
            severity=severity,
            title=title,
            window_start=now,
            window_end=now,
            last_seen_at=now,
        )
    Incident.objects.create(number=1, title="sev1", severity=1)
    Incident.objects.create(number=2, title="sev4", severity=4)
    hook = WebhookSubscription.objects.create(name="BI", url="https://hooks.example.com/", events=["*"])

    def delivery(event, payload, status=WebhookDelivery.Status.PENDING):
        return WebhookDelivery.objects.create(subscription=hook, event=event, payload=payload, status=status)

    unsent = delivery("alert.raised", {"id": "a", "severity": 4, "severity_label": "Critical"})
    unsent_resolved = delivery("alert.resolved", {"id": "b", "severity": 1})
    sent = delivery(
        "alert.raised",
        {"id": "c", "severity": 4, "severity_label": "Critical"},
        WebhookDelivery.Status.SUCCEEDED,
    )
    incident_event = delivery("incident.opened", {"id": "d", "severity": 4})

    _migrate(FLIP)
    assert _severities(Alert) == {"low": 4, "medium": 3, "high": 2, "critical": 1}
    assert _severities(Incident) == {"sev1": 1, "sev4": 4}
    for row in (unsent, unsent_resolved, sent, incident_event):
        row.refresh_from_db()
    assert unsent.payload == {"id": "a", "severity": 1, "severity_label": "SEV1 · Critical"}
    assert unsent_resolved.payload == {"id": "b", "severity": 4}
    assert sent.payload == {"id": "c", "severity": 4, "severity_label": "Critical"}  # as it was sent
    assert incident_event.payload == {"id": "d", "severity": 4}  # incidents never changed scale

    _migrate(BEFORE)
    assert _severities(Alert) == old_scale
    assert _severities(Incident) == {"sev1": 1, "sev4": 4}
    unsent.refresh_from_db()
    assert unsent.payload == {"id": "a", "severity": 4, "severity_label": "Critical"}

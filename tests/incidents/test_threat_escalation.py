"""Threats and doxxing escalate at intake: a high-severity alert in the intake's own transaction,
the crisis team and the roster's crisis managers and legal told, the mention counted negative
before bulk scoring reaches it; a resend does not raise twice; brand B sees none of it. Abuse is
counted negative and filterable."""

import json

import pytest
from django.db import connection

from tests.helpers import bearer
from tests.incidents.fixtures_early_warning import (  # noqa: F401 - fixtures
    detector_settings_fixture,
    mention_row,
)

pytestmark = pytest.mark.django_db

THREAT = "kalo refund gak cair, gue pukulin semua pegawainya"
DOXXING = "Posting the home address and phone number of the agent who hung up on me"


@pytest.fixture
def roster(in_brand_a, ayu):
    from incidents.models import CrisisRole, RosterMember

    return [
        RosterMember.objects.create(user=ayu, name="Ayu", role=CrisisRole.CRISIS_MANAGER, email=ayu.email),
        RosterMember.objects.create(
            name="Dewi (legal klien)",
            role=CrisisRole.LEGAL,
            email="dewi@klien.example.com",
            organisation="Klien",
        ),
        RosterMember.objects.create(
            name="Rudi (spokesperson)", role=CrisisRole.SPOKESPERSON, email="rudi@x.example"
        ),
    ]


@pytest.fixture
def queued(monkeypatch):
    """What the after-commit callbacks queue, by task."""
    from incidents.tasks import notifications as notifications_tasks
    from incidents.tasks import one_crisis as one_crisis_tasks
    from incidents.tasks import sweeps as sweeps_tasks

    sent: dict[str, list] = {"notification": [], "contact": [], "auto_open": [], "score": []}
    monkeypatch.setattr(notifications_tasks.notification_email_task, "delay", sent["notification"].append)
    monkeypatch.setattr(
        notifications_tasks.contact_email_task, "delay", lambda *args: sent["contact"].append(args)
    )
    monkeypatch.setattr(one_crisis_tasks.incident_auto_open_task, "delay", sent["auto_open"].append)
    monkeypatch.setattr(sweeps_tasks.mentions_score_task, "delay", lambda: sent["score"].append(1))
    return sent


@pytest.mark.parametrize("text", [THREAT, DOXXING])
def test_a_threat_raises_a_high_alert_at_intake_before_any_scoring(
    text, roster, ayu, queued, django_capture_on_commit_callbacks
):
    from incidents.models import Alert, ContactEmail, Mention, Notification
    from incidents.services.intake import mentions_ingest

    row = mention_row(text=text)
    with django_capture_on_commit_callbacks(execute=True):
        mentions_ingest(rows=[row, mention_row(text="Kopinya enak, makasih")])
    alert = Alert.objects.get()
    assert alert.detector == Alert.Detector.THREAT
    assert alert.severity == Alert.Severity.HIGH
    mention = Mention.objects.get(external_id=row["external_id"])
    assert alert.evidence["mention_id"] == str(mention.pk)
    assert alert.evidence["text"] == text
    # Flagged and counted negative while still unscored.
    assert mention.scored_at is None
    assert mention.is_threat and mention.sentiment_band == "negative"
    # The crisis manager in the app and by email, legal (an outside contact) by email.
    note = Notification.objects.get(user_id=ayu.pk)
    assert "Threat or doxxing" in note.subject
    assert queued["notification"] == [str(note.pk)]
    [(contact_email_id,)] = queued["contact"]
    contact_email = ContactEmail.objects.get(pk=contact_email_id)
    assert contact_email.recipients == ["dewi@klien.example.com"]  # not the spokesperson
    assert text[:40] in contact_email.body
    # An outside contact gets what they can open (the post) and whom to answer, never the
    # brand admin's page, which needs an account.
    assert "/admin/" not in contact_email.body
    assert row["url"] in contact_email.body
    assert "Ayu <ayu@example.com>" in contact_email.body
    assert queued["auto_open"] == [str(alert.pk)]
    assert queued["score"] == [1]


def test_a_roster_legal_member_with_an_account_is_told_in_the_app(in_brand_a, queued):
    from incidents.models import CrisisRole, Notification, RosterMember
    from incidents.services.intake import mentions_ingest
    from tenants.models import BrandGrant, User
    from tenants.services import grant_set

    lawyer = User.objects.create_user("lina@example.com", "pw-Lina-123456", name="Lina")
    grant_set(email=lawyer.email, brand_slug=connection.tenant.slug, role=BrandGrant.Role.CLIENT_APPROVER)
    RosterMember.objects.create(user=lawyer, name="Lina", role=CrisisRole.LEGAL, email=lawyer.email)
    mentions_ingest(rows=[mention_row(text=THREAT)])
    # A client approver is not on the staff list every alert goes to; as legal on the roster she is told.
    assert Notification.objects.filter(user_id=lawyer.pk).count() == 1


def test_a_resend_of_the_same_threat_raises_nothing_new(roster, queued):
    from incidents.models import Alert, Notification
    from incidents.services.intake import mentions_ingest

    row = mention_row(text=THREAT)
    mentions_ingest(rows=[row])
    mentions_ingest(rows=[dict(row, reach=500)])
    assert Alert.objects.count() == 1
    assert Notification.objects.count() == 1


def test_an_edit_that_turns_a_post_into_a_threat_escalates(roster, queued):
    from incidents.models import Alert, Mention
    from incidents.services.intake import mentions_ingest, mentions_score_pending

    row = mention_row(text="Kurirnya lama banget")
    mentions_ingest(rows=[row])
    mentions_score_pending()
    assert not Alert.objects.exists()
    mentions_ingest(rows=[dict(row, text="Kurirnya lama banget, gw bacok tuh kurir kalo ketemu")])
    assert Alert.objects.get().detector == "threat"
    mentions_score_pending()
    stored = Mention.objects.get(external_id=row["external_id"])
    assert stored.is_threat and stored.sentiment_band == "negative"


def test_plain_complaints_and_idioms_raise_no_threat_alert(in_brand_a, queued):
    from incidents.models import Alert
    from incidents.services.intake import mentions_ingest

    mentions_ingest(
        rows=[
            mention_row(text="Kecewa, paket belum sampai, gw laporin ke YLKI"),
            mention_row(text="ayam bakarnya enak, pedesnya bikin mati"),
            mention_row(text="This burger is to die for"),
        ]
    )
    assert not Alert.objects.exists()


def test_the_scorer_keeps_threats_and_abuse_negative_and_abuse_is_filterable(
    client_a, api_key_a, in_brand_a, queued
):
    from incidents.services.intake import mentions_ingest, mentions_score_pending

    abusive = mention_row(text="Mantap banget promonya, admin goblok")
    mentions_ingest(rows=[mention_row(text=THREAT), abusive, mention_row(text="Kopinya enak banget")])
    mentions_score_pending()
    response = client_a.get("/api/v1/mentions/?is_abuse=true", **bearer(api_key_a))
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["external_id"] == abusive["external_id"] and row["sentiment_band"] == "negative"
    response = client_a.get("/api/v1/mentions/?is_threat=true", **bearer(api_key_a))
    [row] = response.json()["results"]
    assert row["is_threat"] and row["sentiment_band"] == "negative"


def test_brand_b_sees_no_threat_alert_of_brand_a(brand_a, brand_b, citra, client_b, api_key_b, queued):
    from django_tenants.utils import tenant_context

    from incidents.models import Alert, Notification
    from incidents.services.intake import mentions_ingest

    with tenant_context(brand_a):
        mentions_ingest(rows=[mention_row(text=THREAT)])
        alert = Alert.objects.get()
    with tenant_context(brand_b):
        assert not Alert.objects.exists()
        assert not Notification.objects.filter(user_id=citra.pk).exists()
    response = client_b.get(f"/api/v1/alerts/{alert.pk}/", **bearer(api_key_b))
    assert response.status_code == 404
    response = client_b.get("/api/v1/mentions/?is_threat=true", **bearer(api_key_b))
    assert response.json()["results"] == []


def test_the_intake_api_escalates_a_threat(client_a, api_key_a, ayu, in_brand_a, queued):
    from incidents.models import Alert, Notification

    response = client_a.post(
        "/api/v1/mentions/",
        json.dumps([mention_row(text="I know where your manager lives. Watch your back.")]),
        content_type="application/json",
        **bearer(api_key_a),
    )
    assert response.status_code == 200, response.content
    alert = Alert.objects.get()
    assert alert.detector == "threat"
    assert Notification.objects.filter(user_id=ayu.pk).exists()
    # A threat is SEV2 · High: listed from min_severity=2 ("this severe or worse"), not at 1 only.
    listed = client_a.get("/api/v1/alerts/?detector=threat&min_severity=2", **bearer(api_key_a)).json()
    assert [(row["id"], row["severity"]) for row in listed["results"]] == [(str(alert.pk), 2)]
    critical_only = client_a.get("/api/v1/alerts/?detector=threat&min_severity=1", **bearer(api_key_a)).json()
    assert critical_only["results"] == []

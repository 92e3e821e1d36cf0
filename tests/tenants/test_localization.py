"""The reader's time and language: pages, admin lists, notifications, emails and tasks show times in
the brand's zone (here Asia/Jayapura, UTC+9, "WIT") with the zone named; a person's chosen language
applies after sign-in and to what they are sent; emails come from the brand with its reply-to."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from tenants.models import Brand, User

pytestmark = pytest.mark.django_db

OPENED = datetime(2026, 12, 1, 12, 45, tzinfo=UTC)  # 21:45 in Jayapura


@pytest.fixture
def jayapura(brand_a):
    """Brand A in Asia/Jayapura, with its own sender name and reply-to address."""
    Brand.objects.filter(pk=brand_a.pk).update(
        timezone="Asia/Jayapura", sender_name="Kopi Nusantara Care", reply_to_email="humas@kopi.example.com"
    )
    brand_a.refresh_from_db()
    connection.tenant.timezone = brand_a.timezone  # the connection keeps the brand object it entered
    return brand_a


@pytest.fixture
def opened_incident(jayapura, ayu, in_brand_a):
    from incidents.models import Incident
    from incidents.services.incidents import incident_open

    connection.tenant.timezone = "Asia/Jayapura"
    incident = incident_open(
        actor=ayu, title="Kopi basi di gerai Bandung", severity=2, summary="Banyak keluhan"
    )
    Incident.objects.filter(pk=incident.pk).update(opened_at=OPENED)
    return incident


def test_admin_list_and_client_report_show_the_brand_zone(opened_incident, client_a, ayu, budi):
    admin_page = client_a.login_as(ayu).get("/admin/incidents/incident/").content.decode()
    assert "9:45 p.m. WIT" in admin_page  # Django's format, the brand's zone, its abbreviation
    assert "WIT (Asia/Jayapura)" in admin_page  # the header names the zone
    report = client_a.login_as(budi).get("/reports/incidents/").content.decode()
    assert "01 Dec 2026 21:45" in report and "12:45" not in report
    assert "Times are in WIT (Asia/Jayapura)." in report


def test_notification_email_reads_in_the_recipients_language_zone_and_comes_from_the_brand(
    opened_incident, ayu, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    from incidents.models import CrisisRole, Notification
    from incidents.services.notifications import notification_email_send, notify
    from incidents.tasks import notifications as notifications_tasks
    from tenants.localization import stored_text

    role = CrisisRole.SPOKESPERSON.label  # a label: translated for each reader
    User.objects.filter(pk=ayu.pk).update(language="id")
    monkeypatch.setattr(
        notifications_tasks.notification_email_task,
        "delay",
        lambda pk: notification_email_send(notification_id=pk),
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            subject=stored_text(
                gettext_lazy("Client update due %(at)s: incident #%(number)s"), at=OPENED, number=7
            ),
            body=stored_text(gettext_lazy("You are %(role)s on incident #%(number)s"), role=role, number=7),
        )
    [mail] = mailoutbox
    assert mail.subject == "Pembaruan untuk klien jatuh tempo 01 Des 21:45 WIT: insiden #7"
    assert mail.body.startswith("Anda Juru bicara pada insiden #7")
    assert mail.from_email.startswith("Kopi Nusantara Care <") and mail.reply_to == ["humas@kopi.example.com"]
    # In the app, each reader sees it in the active language; the column keeps English.
    notification = Notification.objects.get()
    assert notification.subject == "Client update due 01 Dec 21:45 WIT: incident #7"
    with translation.override("id"), timezone.override(ZoneInfo("UTC")):
        assert notification.subject_text == "Pembaruan untuk klien jatuh tempo 01 Des 12:45 UTC: insiden #7"


def test_alert_email_speaks_the_readers_language_and_names_the_zone(
    jayapura, in_brand_a, ayu, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    from incidents.detectors import Finding
    from incidents.services.alerts import alert_raise_or_update
    from incidents.services.notifications import notification_email_send
    from incidents.tasks import notifications as notifications_tasks
    from incidents.tasks import one_crisis as one_crisis_tasks

    User.objects.filter(pk=ayu.pk).update(language="id")
    monkeypatch.setattr(
        notifications_tasks.notification_email_task,
        "delay",
        lambda pk: notification_email_send(notification_id=pk),
    )
    monkeypatch.setattr(one_crisis_tasks.incident_auto_open_task, "delay", lambda alert_id: None)
    finding = Finding(
        detector="unanswered_complaints",
        condition_key="unanswered_complaints",
        severity=3,  # SEV3 · Medium
        title="6 complaints unanswered",
        window_start=OPENED,
        window_end=OPENED + timedelta(hours=3),
        evidence={"count": 6, "example_mention_ids": []},
    )
    with django_capture_on_commit_callbacks(execute=True):
        alert_raise_or_update(finding=finding)
    [mail] = mailoutbox
    assert "Jendela: 01 Des 21:45 WIT – 02 Des 00:45 WIT" in mail.body
    assert "SEV3 · Sedang" in mail.body  # the one scale's label, in the reader's language
    assert "UTC" not in mail.body and "Window" not in mail.body
    assert mail.from_email.startswith("Kopi Nusantara Care <")


def test_a_task_runs_in_the_brand_zone(jayapura, in_brand_a, monkeypatch):
    from incidents.tasks.notifications import notification_email_task

    monkeypatch.setattr(notification_email_task, "run", lambda *a, **k: timezone.get_current_timezone_name())
    assert notification_email_task("x") == "Asia/Jayapura"
    assert timezone.get_current_timezone_name() == "UTC"


def test_a_chosen_language_beats_the_browser_after_sign_in_but_not_on_the_api(brand_a, client_a, ayu):
    User.objects.filter(pk=ayu.pk).update(language="id")
    client = client_a.login_as(ayu)
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="id"' in page
    api = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en")
    assert api["Content-Language"] == "en"


def test_the_language_buttons_save_a_signed_in_choice(brand_a, client_a, ayu):
    response = client_a.login_as(ayu).post("/i18n/setlang/", {"language": "id", "next": "/admin/"})
    assert response.status_code == 302
    assert User.objects.get(pk=ayu.pk).language == "id"
    assert client_a.post("/i18n/setlang/", {"language": "xx", "next": "/admin/"}).status_code == 302
    assert User.objects.get(pk=ayu.pk).language == "id"  # an unknown code changes nothing


def test_without_a_choice_emails_follow_the_brand_language(brand_a):
    from tenants.localization import reader_language

    assert reader_language(User(language=""), brand_a) == brand_a.default_language
    assert reader_language(User(language="en"), brand_a) == "en"


def test_the_language_list_lives_once(settings):
    from tenants.languages import LANGUAGES

    assert settings.LANGUAGES is LANGUAGES
    assert [code for code, _ in Brand.Language.choices] == [code for code, _ in LANGUAGES]
    assert [code for code, _ in User._meta.get_field("language").choices][1:] == [c for c, _ in LANGUAGES]

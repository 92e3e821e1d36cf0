"""Scheduled report emails in-process: what is due is recorded once per period and address, each
delivery sends its PDF once in the recipient's language with the brand's sender name, brand B's
schedules never reach brand A's report or people, and bad schedule input is refused field by field."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pypdf
import pytest
from django.core import mail

from reports.models import ReportDelivery, ReportSchedule
from reports.schedules import report_delivery_send, schedule_save, schedules_queue_due
from tenants.errors import DomainError
from tenants.models import BrandGrant

pytestmark = pytest.mark.django_db
JAKARTA = ZoneInfo("Asia/Jakarta")
# Monday 30 November 2026, 09:00 in Jakarta: the week of 23–29 November is over, send hour 8 passed.
MONDAY_9 = datetime(2026, 11, 30, 9, tzinfo=JAKARTA)


def _weekly(brand, *, recipients, extra=(), send_hour=8) -> ReportSchedule:
    return schedule_save(
        brand=brand,
        name="Weekly",
        frequency="weekly",
        send_hour=send_hour,
        recipient_ids=[u.pk for u in recipients],
        extra_emails=list(extra),
    )


def _pdf_text(message) -> str:
    (_name, content, mimetype) = message.attachments[0]
    assert mimetype == "application/pdf"
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)


def test_due_schedule_records_one_delivery_per_address_once(
    in_brand_a, budi, django_capture_on_commit_callbacks
):
    _weekly(in_brand_a, recipients=[budi], extra=["PR@kopi.test", "budi@example.com"])
    with django_capture_on_commit_callbacks() as handed_over:
        assert schedules_queue_due(now=MONDAY_9) == 2
    assert len(handed_over) == 2
    deliveries = ReportDelivery.objects.order_by("email")
    assert [(d.email, d.user_id) for d in deliveries] == [
        ("budi@example.com", budi.pk),
        ("pr@kopi.test", None),
    ]
    start = deliveries[0].period_start.astimezone(JAKARTA)
    assert (start.year, start.month, start.day, start.hour) == (2026, 11, 23, 0)
    assert schedules_queue_due(now=MONDAY_9) == 0  # the same period again: nothing
    assert ReportDelivery.objects.count() == 2


def test_schedule_waits_for_its_send_hour(in_brand_a, budi):
    _weekly(in_brand_a, recipients=[budi], send_hour=10)
    assert schedules_queue_due(now=MONDAY_9) == 0
    assert schedules_queue_due(now=MONDAY_9.replace(hour=10)) == 1


def test_delivery_sends_the_pdf_once_in_the_recipients_language(in_brand_a, budi):
    budi.language = "en"
    budi.save(update_fields=["language"])
    _weekly(in_brand_a, recipients=[budi], extra=["pr@kopi.test"])  # brand A's default language: id
    schedules_queue_due(now=MONDAY_9)
    for delivery in ReportDelivery.objects.all():
        assert report_delivery_send(delivery_id=delivery.pk) is True
        assert report_delivery_send(delivery_id=delivery.pk) is False  # a retry finds it sent
    assert ReportDelivery.objects.filter(sent_at__isnull=False, outbox_state="done").count() == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == ["budi@example.com", "pr@kopi.test"]
    english, indonesian = by_address["budi@example.com"], by_address["pr@kopi.test"]
    assert english.from_email.startswith("Kopi Nusantara <")
    assert english.subject == "Kopi Nusantara report: Week of 23 Nov – 29 Nov 2026"
    assert indonesian.subject.startswith("Laporan Kopi Nusantara: Minggu 23 Nov")
    assert "Report for Kopi Nusantara" in _pdf_text(english)
    assert "Laporan untuk Kopi Nusantara" in _pdf_text(indonesian)


def test_contact_who_lost_their_client_grant_gets_nothing(in_brand_a, budi):
    _weekly(in_brand_a, recipients=[budi])
    schedules_queue_due(now=MONDAY_9)
    BrandGrant.objects.filter(user=budi, brand=in_brand_a).delete()
    delivery = ReportDelivery.objects.get()
    assert report_delivery_send(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.outbox_state == "failed" and "client contact" in delivery.outbox_error
    assert mail.outbox == []


def test_brand_b_schedules_never_reach_brand_a_people_or_report(brand_a, brand_b, budi):
    from django_tenants.utils import tenant_context

    from tenants.models import User
    from tenants.services import grant_set

    User.objects.create_user("wulan@example.com", name="Wulan")
    viewer = grant_set(email="wulan@example.com", brand_slug=brand_b.slug, role="client_viewer").user
    with tenant_context(brand_a):
        _weekly(brand_a, recipients=[budi])
    with tenant_context(brand_b):
        with pytest.raises(DomainError) as refused:
            _weekly(brand_b, recipients=[budi])  # brand A's client is not brand B's contact
        assert "recipient_ids" in refused.value.field_errors
        _weekly(brand_b, recipients=[viewer])
        assert schedules_queue_due(now=MONDAY_9) == 1
        assert list(ReportDelivery.objects.values_list("email", flat=True)) == ["wulan@example.com"]
        report_delivery_send(delivery_id=ReportDelivery.objects.get().pk)
    (message,) = mail.outbox
    text = _pdf_text(message)
    assert message.to == ["wulan@example.com"] and "Batik Lestari" in text and "Kopi Nusantara" not in text
    with tenant_context(brand_a):
        assert ReportDelivery.objects.count() == 0  # brand A's schedule is not due-checked from B


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"name": "", "frequency": "daily", "send_hour": 24}, {"name", "frequency", "send_hour"}),
        ({"extra": "not-an-email\nok@example.com"}, {"extra"}),
        ({"extra": ""}, {"recipients"}),
    ],
)
def test_bad_schedule_input_gives_form_errors_and_saves_nothing(client_a, ayu, budi, fields, errors):
    form = {"name": "Weekly", "frequency": "weekly", "send_hour": 8, "recipients": [], "active": "on"}
    form |= {"extra": "pr@kopi.test"} | fields
    response = client_a.login_as(ayu).post("/admin/reports/reportschedule/add/", form)
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == errors
    from django_tenants.utils import tenant_context

    with tenant_context(client_a_brand(client_a)):
        assert ReportSchedule.objects.count() == 0


def client_a_brand(client):
    from tenants.models import Brand
    from tests.helpers import BRAND_A

    return Brand.objects.get(slug=BRAND_A)


def test_staff_admin_saves_a_schedule_of_client_contacts(client_a, ayu, budi, citra, brand_a):
    from django_tenants.utils import tenant_context

    client_a.login_as(ayu)
    refused = client_a.post(
        "/admin/reports/reportschedule/add/",
        {"name": "Weekly", "frequency": "weekly", "send_hour": 8, "recipients": [citra.pk], "active": "on"},
    )
    assert "recipients" in refused.context["adminform"].form.errors  # not a contact of brand A
    saved = client_a.post(
        "/admin/reports/reportschedule/add/",
        {
            "name": "Weekly",
            "frequency": "monthly",
            "send_hour": 7,
            "recipients": [budi.pk],
            "extra": "a@b.id",
        },
    )
    assert saved.status_code == 302
    with tenant_context(brand_a):
        schedule = ReportSchedule.objects.get()
    assert (schedule.frequency, schedule.recipient_ids, schedule.extra_emails) == (
        "monthly",
        [budi.pk],
        ["a@b.id"],
    )

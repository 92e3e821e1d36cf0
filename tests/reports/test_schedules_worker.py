"""A due report schedule through a REAL Celery worker on committed data: the report PDF is emailed
once for the period, even when the due check and the send task each run twice."""

import pytest

from tests.worker import wait_for

pytestmark = pytest.mark.worker


def test_due_schedule_emails_the_pdf_once_per_period_even_when_tasks_run_twice(
    committed_brand_a, celery_worker
):
    from reports.models import ReportDelivery
    from reports.schedule_periods import brand_zone
    from reports.schedules import schedule_save
    from reports.tasks import report_delivery_send_task, report_schedules_due_task
    from tenants.models import User

    budi = User.objects.get(email="budi@example.com")
    # Send hour 0: the last complete week is due as soon as it is over.
    schedule_save(
        brand=committed_brand_a,
        name="Weekly",
        frequency="weekly",
        send_hour=0,
        recipient_ids=[budi.pk],
        extra_emails=[],
    )
    report_schedules_due_task.delay()
    report_schedules_due_task.delay()  # a second beat tick or a second worker
    delivery = wait_for(
        lambda: ReportDelivery.objects.filter(sent_at__isnull=False).first(),
        timeout=60,
        message="the report email",
    )
    report_delivery_send_task.delay(str(delivery.pk))  # a retry after the email went
    wait_for(
        lambda: f"report delivery {delivery.pk}: nothing to send" in celery_worker.read_text(),
        timeout=30,
        message="the duplicate send to find nothing",
    )
    assert ReportDelivery.objects.count() == 1
    log = celery_worker.read_text()
    assert log.count(f"report delivery {delivery.pk}: sent") == 1
    # One email with the PDF attached (other tests' emails to Budi may share this worker's log).
    first_day = delivery.period_start.astimezone(brand_zone(committed_brand_a)).date()
    filename = f"kopi-report-{first_day.isoformat()}-"
    assert log.count(f'filename="{filename}') == 1, filename
    assert "Content-Type: application/pdf" in log

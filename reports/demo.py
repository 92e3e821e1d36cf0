"""The demo's report schedule: the demo brand's client contacts get its report every week."""

from reports.models import ReportSchedule
from reports.schedules import schedule_save
from tenants.selectors import brand_client_contacts

DEMO_BRAND = "kopi-nusantara"


def report_schedule_demo_seed(*, brand, users) -> str:
    """A weekly schedule to the client contacts of the demo brand, once (idempotent)."""
    if brand.slug != DEMO_BRAND or ReportSchedule.objects.exists():
        return ""
    contacts = list(brand_client_contacts(brand=brand).values_list("pk", flat=True))
    if not contacts:
        return ""
    schedule_save(
        brand=brand,
        name="Weekly client report",
        frequency=ReportSchedule.Frequency.WEEKLY,
        send_hour=8,
        recipient_ids=contacts,
        extra_emails=[],
    )
    return f"weekly report schedule to {len(contacts)} client contact(s)"

"""The periods a report schedule sends (reports.periods.Period, in the brand's zone): the last
complete Monday-to-Sunday week against the week before, or the last complete calendar month
against the month before; and the brand's zone itself."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reports.periods import Period


def brand_zone(brand) -> ZoneInfo:
    """The brand's time zone (the platform default when it names none or an unknown one)."""
    try:
        return ZoneInfo(getattr(brand, "timezone", "") or settings.BRAND_DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.BRAND_DEFAULT_TIMEZONE)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def week_period(monday: date, zone: ZoneInfo) -> Period:
    """Monday to Sunday, against the week before (label in the active language)."""
    sunday = monday + timedelta(days=6)
    label = _("Week of %(start)s – %(end)s") % {
        "start": date_format(monday, "j M"),
        "end": date_format(sunday, "j M Y"),
    }
    return Period(
        "week", label, _midnight(monday, zone), _midnight(monday + timedelta(days=7), zone),
        _midnight(monday - timedelta(days=7), zone), _midnight(monday, zone), zone.key,
    )  # fmt: skip


def month_period(first: date, zone: ZoneInfo) -> Period:
    """One calendar month, against the month before."""
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    return Period(
        "month", date_format(first, "F Y"), _midnight(first, zone), _midnight(following, zone),
        _midnight(previous, zone), _midnight(first, zone), zone.key,
    )  # fmt: skip


def last_complete_week(zone: ZoneInfo, now: datetime | None = None) -> Period:
    today = (now or timezone.now()).astimezone(zone).date()
    return week_period(today - timedelta(days=today.weekday() + 7), zone)


def last_complete_month(zone: ZoneInfo, now: datetime | None = None) -> Period:
    today = (now or timezone.now()).astimezone(zone).date()
    return month_period((today.replace(day=1) - timedelta(days=1)).replace(day=1), zone)

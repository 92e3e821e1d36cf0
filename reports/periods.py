"""The report's periods, in the brand's zone: the last 7, 30 or 90 days (today included, days cut
at the brand's midnight), a calendar month, or custom dates; each with the period it is compared
with (the same number of days before it; the previous calendar month for a month)."""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tenants.errors import DomainError

PERIOD_KEYS = ("7d", "30d", "90d", "month", "custom")
ROLLING_DAYS = {"7d": 7, "30d": 30, "90d": 90}
CUSTOM_MAX_DAYS = 366
# Dates outside these years are refused (a report of year 1 would also overflow the arithmetic).
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: datetime
    end: datetime
    previous_start: datetime
    previous_end: datetime
    timezone: str

    @property
    def days(self) -> int:
        return (self.end.date() - self.start.date()).days

    def query(self) -> str:
        """The query string that selects this period again (links, exports)."""
        if self.key == "month":
            return f"period=month&month={self.start:%Y-%m}"
        if self.key == "custom":
            return f"period=custom&start={self.start:%Y-%m-%d}&end={(self.end - timedelta(days=1)):%Y-%m-%d}"
        return f"period={self.key}"


def _midnight(day: date, zone: zoneinfo.ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def period_resolve(
    *,
    tz: str,
    key: str = "30d",
    month: str | None = None,
    start: date | None = None,
    end: date | None = None,
    now: datetime | None = None,
) -> Period:
    """The period the request names; a DomainError with field errors when it names none."""
    zone = zoneinfo.ZoneInfo(tz)
    today = (now or timezone.now()).astimezone(zone).date()
    if key in ROLLING_DAYS:
        days = ROLLING_DAYS[key]
        last = today + timedelta(days=1)
        first = last - timedelta(days=days)
        label = _("Last %(days)d days") % {"days": days}
        return Period(
            key, label, _midnight(first, zone), _midnight(last, zone),
            _midnight(first - timedelta(days=days), zone), _midnight(first, zone), tz,
        )  # fmt: skip
    if key == "month":
        if month:
            try:
                first = datetime.strptime(month, "%Y-%m").date()
            except ValueError:
                raise DomainError(
                    _("Choose a month as YYYY-MM."), field_errors={"month": [_("Use the form YYYY-MM.")]}
                ) from None
        else:
            first = _month_start(today)
        if not EARLIEST <= first <= LATEST:
            raise DomainError(
                _("Choose a month between 2000 and 2100."), field_errors={"month": [_("Out of range.")]}
            )
        previous = _month_start(first - timedelta(days=1))
        return Period(
            key, date_format(first, "F Y"), _midnight(first, zone), _midnight(_next_month(first), zone),
            _midnight(previous, zone), _midnight(first, zone), tz,
        )  # fmt: skip
    if key == "custom":
        errors = {}
        if start is None:
            errors["start"] = [_("Give the first day (YYYY-MM-DD).")]
        if end is None:
            errors["end"] = [_("Give the last day (YYYY-MM-DD).")]
        for name, value in (("start", start), ("end", end)):
            if value is not None and not EARLIEST <= value <= LATEST:
                errors[name] = [_("Choose a day between 2000 and 2100.")]
        if not errors and end < start:
            errors["end"] = [_("The last day comes before the first.")]
        if not errors and (end - start).days + 1 > CUSTOM_MAX_DAYS:
            errors["end"] = [_("A custom period is at most %(days)d days.") % {"days": CUSTOM_MAX_DAYS}]
        if errors:
            raise DomainError(_("Choose the period's dates."), field_errors=errors)
        days = (end - start).days + 1
        label = f"{date_format(start, 'j M Y')} – {date_format(end, 'j M Y')}"
        return Period(
            key, label, _midnight(start, zone), _midnight(end + timedelta(days=1), zone),
            _midnight(start - timedelta(days=days), zone), _midnight(start, zone), tz,
        )  # fmt: skip
    raise DomainError(
        _("Unknown period."),
        field_errors={"period": [_("Use one of: %(keys)s.") % {"keys": ", ".join(PERIOD_KEYS)}]},
    )

"""Template filters for times a person reads: `{{ value|local_time }}` shows a datetime (or an ISO
8601 string, as stored in alert evidence) in the active zone — the brand's — with the zone's
abbreviation; anything else passes through unchanged. `{% time_zone_label %}` names the zone."""

from datetime import datetime

from django import template

from tenants.localization import local_format, zone_label

register = template.Library()


@register.filter
def local_time(value, fmt: str = "d M Y H:i T"):
    if isinstance(value, str) and len(value) >= 16 and value[4:5] == "-" and "T" in value:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return local_format(value, fmt)
    return value


@register.simple_tag
def time_zone_label() -> str:
    return zone_label()

"""The reader's time and language, in one place.

Times are stored in UTC and shown in the brand's time zone; words are shown in the reader's
language. On a brand host the middleware (tenants.middleware) activates both for each request. Work
outside a request — Celery tasks (platform.celery.BrandTask activates the brand's zone for every
task), emails, exports — renders inside `reader_context(...)`, which sets the brand's zone and the
recipient's language explicitly, so nothing depends on which process happens to render it.
"""

import zoneinfo
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import dateformat, timezone, translation
from django.utils.functional import Promise

from tenants.languages import LANGUAGE_CODES, LANGUAGES

__all__ = [
    "LANGUAGES",
    "LANGUAGE_CODES",
    "brand_zone",
    "current_brand",
    "local_format",
    "reader_context",
    "reader_language",
    "zone_label",
]


def current_brand():
    """The brand whose schema this connection is in, or None on the main host / in public."""
    tenant = getattr(connection, "tenant", None)
    if tenant is None or getattr(tenant, "schema_name", "public") == "public":
        return None
    return tenant


def brand_zone(brand=None) -> zoneinfo.ZoneInfo:
    """The time zone of `brand` (default: the current one); the platform's default brand zone when
    there is no brand or its zone is unknown."""
    brand = brand if brand is not None else current_brand()
    name = getattr(brand, "timezone", None) or settings.BRAND_DEFAULT_TIMEZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.BRAND_DEFAULT_TIMEZONE)


def zone_label(zone=None, *, at: datetime | None = None) -> str:
    """How a reader recognises the zone: its abbreviation and its name, "WIT (Asia/Jayapura)"."""
    zone = zone or timezone.get_current_timezone()
    abbreviation = (at or timezone.now()).astimezone(zone).tzname() or ""
    name = getattr(zone, "key", str(zone))
    return f"{abbreviation} ({name})" if abbreviation and abbreviation != name else name


def local_format(value: datetime | None, fmt: str = "d M Y H:i T") -> str:
    """`value` in the active zone (the brand's, inside a request or `reader_context`), in Django's
    date format syntax; the default ends with the zone's abbreviation. "" for None."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, fmt)


def reader_language(user=None, brand=None) -> str:
    """The language a person reads: their own choice, else the brand's default language, else the
    platform's."""
    chosen = getattr(user, "language", "") or ""
    if chosen in LANGUAGE_CODES:
        return chosen
    brand = brand if brand is not None else current_brand()
    default = getattr(brand, "default_language", "") or ""
    return default if default in LANGUAGE_CODES else settings.LANGUAGE_CODE


@contextmanager
def reader_context(*, user=None, brand=None, language: str | None = None):
    """Render for one reader: the brand's zone (default: the current brand) and `language` (default:
    the reader's, see reader_language). For emails, notifications and exports made outside a
    request."""
    brand = brand if brand is not None else current_brand()
    with timezone.override(brand_zone(brand)), translation.override(language or reader_language(user, brand)):
        yield


# --- Texts kept as a message id and parameters, rendered for each reader ------------------------
# A notification or a timeline entry is read later, by people in different languages: store what
# to say (`stored_text`), not how it read for the writer, and render it at read or send time
# (`text_render`) in the reader's language and zone. Plain strings (rows written before, or user
# data) render as they are.


def _param(value):
    if isinstance(value, dict) and "t" in value:
        return value  # already a stored text
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, Promise):
        args = getattr(value, "_args", ())
        if len(args) == 1 and isinstance(args[0], str):  # gettext_lazy("…")
            return {"t": args[0], "c": "", "p": {}}
        if len(args) == 2 and all(isinstance(a, str) for a in args):  # pgettext_lazy(context, "…")
            return {"t": args[1], "c": args[0], "p": {}}
        return str(value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)


def stored_text(msgid, **params) -> dict:
    """What to say, for `text_render` to say it later in the reader's language. `msgid` is a lazy
    translation (`gettext_lazy("…")`, or `pgettext_lazy(context, "…")` where a word is ambiguous),
    so makemessages finds it where it is written; parameters may be datetimes (shown in the
    reader's zone), lazy translations of labels (translated for the reader) or other stored texts."""
    source = _param(msgid)
    if not isinstance(source, dict):
        source = {"t": str(msgid), "c": ""}
    return {"t": source["t"], "c": source["c"], "p": {k: _param(v) for k, v in params.items()}}


def _render_param(value):
    if isinstance(value, dict):
        if "dt" in value:
            return local_format(datetime.fromisoformat(value["dt"]), "d M H:i T")
        if "t" in value:
            return text_render(value)
    return value


def text_render(value) -> str:
    """A stored text in the active language and zone; a plain string as it is."""
    if not isinstance(value, dict) or "t" not in value:
        return "" if value is None else str(value)
    msgid, context = value["t"], value.get("c") or ""
    translated = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
    params = {k: _render_param(v) for k, v in (value.get("p") or {}).items()}
    if not params:
        return translated
    try:
        return translated % params
    except (KeyError, TypeError, ValueError):
        # A translation that lost a placeholder must not break a page: say it in English.
        return msgid % params

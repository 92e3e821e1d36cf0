"""Personal-link tokens: 256 random bits, URL-safe; only their SHA-256 is ever stored."""

import hashlib
import re
import secrets

from django.db import connection

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("ascii", "replace")).hexdigest()


def token_new() -> tuple[str, str]:
    """A fresh token and its hash."""
    raw = secrets.token_urlsafe(32)
    return raw, token_hash(raw)


def token_looks_valid(raw: str) -> bool:
    return bool(TOKEN_PATTERN.match(raw or ""))


def brand_base_url(brand=None) -> str:
    """`scheme://<brand primary host>[:port]`, to which a survey page's path is added (the one rule
    is `Brand.url`)."""
    return (brand or connection.tenant).url("")


def survey_link(raw: str, brand=None) -> str:
    return f"{brand_base_url(brand)}/s/{raw}/"

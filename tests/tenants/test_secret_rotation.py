"""Rotating SECRET_KEY: API keys keep working (their hash needs no secret), keys hashed the old way
(HMAC keyed with SECRET_KEY) are still accepted through SECRET_KEY_FALLBACKS and upgraded on first
use, and sessions signed with the old key survive while it is listed as a fallback."""

import hashlib
import hmac
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

OLD_KEY = "old-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
NEW_KEY = "new-secret-key-9876543210-zyxwvutsrqponmlkjihgfedcba"


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_an_api_key_keeps_working_after_secret_key_rotates_without_fallbacks(client_a, brand_a, settings):
    from tenants.services import api_key_create

    settings.SECRET_KEY = OLD_KEY
    _, plain = api_key_create(brand=brand_a, name="rotation")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, []
    response = client_a.get("/api/v1/whoami/", **bearer(plain))
    assert response.status_code == 200, response.content


def test_a_key_hashed_with_the_old_secret_key_works_through_the_fallbacks_and_is_upgraded(
    client_a, brand_a, settings
):
    from tenants.models import BrandApiKey
    from tenants.services import api_key_create

    key, plain = api_key_create(brand=brand_a, name="legacy")
    secret = plain.split("_", 2)[2]
    # The row as the previous release stored it.
    legacy = hmac.new(OLD_KEY.encode(), secret.encode(), hashlib.sha256).hexdigest()
    BrandApiKey.objects.filter(pk=key.pk).update(hashed_key=legacy)

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    assert client_a.get("/api/v1/whoami/", **bearer(plain)).status_code == 200
    upgraded = BrandApiKey.objects.get(pk=key.pk).hashed_key
    assert upgraded == "sha256$" + hashlib.sha256(secret.encode()).hexdigest()

    # Once upgraded, the old secret can leave the fallbacks.
    settings.SECRET_KEY_FALLBACKS = []
    assert client_a.get("/api/v1/whoami/", **bearer(plain)).status_code == 200


def test_a_legacy_hash_with_an_unknown_secret_key_is_refused(client_a, brand_a, settings):
    from tenants.models import BrandApiKey
    from tenants.services import api_key_create

    key, plain = api_key_create(brand=brand_a, name="legacy")
    secret = plain.split("_", 2)[2]
    legacy = hmac.new(OLD_KEY.encode(), secret.encode(), hashlib.sha256).hexdigest()
    BrandApiKey.objects.filter(pk=key.pk).update(hashed_key=legacy)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, []
    assert client_a.get("/api/v1/whoami/", **bearer(plain)).status_code == 401
    assert BrandApiKey.objects.get(pk=key.pk).hashed_key == legacy


def test_a_key_with_a_nul_byte_in_its_prefix_is_a_401_not_a_500(client_a, brand_a):
    response = client_a.get("/api/v1/whoami/", HTTP_AUTHORIZATION="Bearer tgp_ab\x00cd_secret")
    assert response.status_code == 401


def test_sessions_survive_rotation_while_the_old_key_is_a_fallback(client_a, ayu, settings):
    from tests.conftest import BrandClient

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
    kept, dropped = client_a.login_as(ayu), BrandClient(client_a.host).login_as(ayu)
    assert kept.get("/admin/").status_code == dropped.get("/admin/").status_code == 200

    settings.SECRET_KEY = NEW_KEY
    # Without the fallback a session signed with the old key is gone ...
    assert dropped.get("/admin/").status_code == 302
    # ... with it the session stays open (and Django re-signs it with the new key).
    settings.SECRET_KEY_FALLBACKS = [OLD_KEY]
    assert kept.get("/admin/").status_code == 200
    settings.SECRET_KEY_FALLBACKS = []
    assert kept.get("/admin/").status_code == 200


def test_secret_key_fallbacks_come_from_the_environment():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='platform.settings'; django.setup(); "
        "from django.conf import settings as s; print(s.SECRET_KEY_FALLBACKS)"
    )
    env = dict(os.environ, DEBUG="1", SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=f"{OLD_KEY},older")
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str([OLD_KEY, "older"])

"""Small helpers the tests share."""

from django.conf import settings

BRAND_A = "kopi"
BRAND_B = "batik"


def brand_host(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}

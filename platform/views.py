"""Views shared by the main host and brand hosts: health."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _broker_ok() -> tuple[bool, str]:
    from platform.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, "ok"
    except Exception as exc:  # noqa: BLE001 - any broker failure is "unhealthy", reported as text
        return False, exc.__class__.__name__


@never_cache
@require_GET
def healthz(request):
    """Database and broker reachability as JSON: 200 when both answer, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        db_ok, db_detail = True, "ok"
    except Exception as exc:  # noqa: BLE001
        db_ok, db_detail = False, exc.__class__.__name__
    broker_ok, broker_detail = _broker_ok()
    healthy = db_ok and broker_ok
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": db_detail,
        "broker": broker_detail,
        "schema": connection.schema_name,
    }
    return JsonResponse(body, status=200 if healthy else 503)

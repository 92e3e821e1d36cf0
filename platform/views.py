"""Views shared by the main host and brand hosts: health."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from platform.middleware import RETRY_AFTER_SECONDS


def _broker_ok() -> tuple[bool, str]:
    from platform.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, "ok"
    except Exception as exc:  # noqa: BLE001 - any broker failure is "unhealthy", reported as text
        return False, exc.__class__.__name__


def _liveness(age: float | None) -> dict:
    if age is None:
        return {"status": "unknown", "age_seconds": None}
    status = "stale" if age > settings.HEARTBEAT_STALE_SECONDS else "ok"
    return {"status": status, "age_seconds": round(age)}


def _heartbeats(db_ok: bool) -> tuple[dict, dict]:
    """Beat's and each queue's worker liveness. Never fails the check: a stale worker delays work,
    it does not make this web process unable to serve."""
    ages: dict[str, float] = {}
    if db_ok:
        from tenants.selectors import heartbeat_ages

        try:
            ages = heartbeat_ages()
        except Exception:  # noqa: BLE001 - liveness is informative; the database check decides
            ages = {}
    workers = {queue: _liveness(ages.get(f"worker:{queue}")) for queue in settings.TASK_QUEUES}
    return _liveness(ages.get("beat")), workers


@never_cache
@require_GET
def healthz(request):
    """Database and broker reachability as JSON: 200 when both answer, 503 (with Retry-After)
    otherwise. Beat's and the workers' last heartbeat ages are reported beside them ("ok", "stale"
    or "unknown") without changing the status code."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        db_ok, db_detail = True, "ok"
    except Exception as exc:  # noqa: BLE001
        db_ok, db_detail = False, exc.__class__.__name__
    broker_ok, broker_detail = _broker_ok()
    healthy = db_ok and broker_ok
    beat, workers = _heartbeats(db_ok)
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": db_detail,
        "broker": broker_detail,
        "schema": connection.schema_name,
        "beat": beat,
        "workers": workers,
    }
    response = JsonResponse(body, status=200 if healthy else 503)
    if not healthy:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response

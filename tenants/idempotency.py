"""`Idempotency-Key` for every POST of the API (creating requests and actions), on by default in the
API base classes so every current and future endpoint has it.

The rule: the first request with a key runs and its answer (status and body) is stored; a request
with the same key, from the same caller on the same brand, within 24 hours, gets that answer again
(with `Idempotent-Replayed: true`) and runs nothing. The same key with a different body is a 422.
Keys are scoped to the brand and the caller (an API key or a signed-in user), so they never leak.

Concurrency: the request runs in one transaction that first inserts the key's row. A duplicate
arriving meanwhile blocks on the row's unique index until the first commits, then replays its
answer; if the first fails (a 5xx, an error) its row is rolled back and the duplicate runs itself.
Answers 409 and 429 are not stored (a retry may succeed). Rows older than 24 hours are ignored,
replaced by a new request with the same key, and purged by `idempotency_records_purge`.
"""

from __future__ import annotations

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.http import QueryDict
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from tenants.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
TTL = timezone.timedelta(hours=24)
MAX_KEY_LENGTH = 255
NOT_STORED = frozenset({status.HTTP_409_CONFLICT, status.HTTP_429_TOO_MANY_REQUESTS})


class IdempotencyKeyInvalid(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = f"{HEADER} must be 1–{MAX_KEY_LENGTH} printable ASCII characters."
    default_code = "idempotency_key_invalid"


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = f"This {HEADER} was already used with a different request; use a new key."
    default_code = "idempotency_key_reused"


class IdempotentReplay(Exception):
    """Raised before the handler runs when a stored answer is to be replayed."""

    def __init__(self, record: IdempotencyRecord):
        self.record = record


def _canonical(data) -> bytes:
    """The request body in a form that does not depend on key order or a multipart boundary."""
    if isinstance(data, QueryDict):
        items = []
        for name in sorted(data):
            for value in data.getlist(name):
                if hasattr(value, "chunks"):  # an uploaded file: its bytes
                    digest = hashlib.sha256()
                    for chunk in value.chunks():
                        digest.update(chunk)
                    value.seek(0)
                    value = f"file:{value.name}:{digest.hexdigest()}"
                items.append([name, str(value)])
        return json.dumps(items).encode()
    return json.dumps(data, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder).encode()


def request_caller(request) -> str:
    key = getattr(request.user, "key", None)
    if key is not None:
        return f"key:{key.pk}"
    return f"user:{request.user.pk}"


def idempotency_claim(request) -> IdempotencyRecord | None:
    """Inside the request's transaction: None when this request is the first with its key (its row
    now holds the key until commit), else the stored record to replay. Raises for a bad key or a
    key reused with another body."""
    raw_key = request.headers.get(HEADER)
    if raw_key is None:
        return None
    key = raw_key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise IdempotencyKeyInvalid()
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    digest.update(_canonical(request.data))
    fingerprint = digest.hexdigest()
    tenant = getattr(request, "tenant", None)
    brand_id = tenant.pk if tenant is not None and tenant.schema_name != "public" else None
    caller = request_caller(request)
    now = timezone.now()
    scope = IdempotencyRecord.objects.filter(brand_id=brand_id, caller=caller, key=key)
    scope.filter(created_at__lt=now - TTL).delete()
    with connection.cursor() as cursor:
        # The unique index makes a concurrent duplicate wait here until the first one commits.
        cursor.execute(
            f"INSERT INTO {IdempotencyRecord._meta.db_table} "  # noqa: S608 (a model's table name)
            "(brand_id, caller, key, fingerprint, status_code, body, created_at) "
            "VALUES (%s, %s, %s, %s, 0, NULL, %s) ON CONFLICT DO NOTHING RETURNING id",
            [brand_id, caller, key, fingerprint, now],
        )
        inserted = cursor.fetchone()
    if inserted is not None:
        request._idempotency_record_id = inserted[0]
        return None
    record = scope.get()
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    return record


def idempotency_store(request, response) -> None:
    """Keep the answer of the request that holds the key; a failed request keeps nothing."""
    record_id = getattr(request, "_idempotency_record_id", None)
    if record_id is None:
        return
    request._idempotency_record_id = None
    if response.status_code >= 500:
        transaction.set_rollback(True)  # neither the key nor a half-made write survives
        return
    data = getattr(response, "data", None)
    if response.status_code in NOT_STORED or (data is None and response.status_code != 204):
        IdempotencyRecord.objects.filter(pk=record_id).delete()
        return
    body = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    IdempotencyRecord.objects.filter(pk=record_id).update(status_code=response.status_code, body=body)


def idempotency_replay(record: IdempotencyRecord) -> Response:
    response = Response(record.body, status=record.status_code)
    response[REPLAYED_HEADER] = "true"
    return response


def idempotency_records_purge() -> int:
    """Delete the records past their 24 hours. Returns how many."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - TTL).delete()
    return deleted


class IdempotentPostMixin:
    """For DRF views: every POST accepts an `Idempotency-Key` (set `idempotent = False` only for a
    POST that creates nothing and changes nothing). Must come before APIView in the bases."""

    idempotent = True

    def _idempotent_request(self, request) -> bool:
        return self.idempotent and request.method == "POST" and HEADER.lower() in request.headers

    def dispatch(self, request, *args, **kwargs):
        if self._idempotent_request(request):
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def check_access(self, request) -> None:
        """Checks of the subclass that must pass before a key is claimed (roles, key scopes)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authenticated, allowed, not throttled
        self.check_access(request)
        if self._idempotent_request(request):
            record = idempotency_claim(request)
            if record is not None:
                raise IdempotentReplay(record)

    def handle_exception(self, exc):
        if isinstance(exc, IdempotentReplay):
            return idempotency_replay(exc.record)
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        idempotency_store(request, response)
        return response

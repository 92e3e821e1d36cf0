"""A brand's retention rules (RetentionPolicy) and the part of them that lives in the shared schema:
the brand's audit events and its exports. The brand-schema part (mentions, customers' personal
data in care cases and survey invitations) is applied by `incidents.services.retention`, which
calls `retention_apply_public` for the same brand and files one `retention.applied` event.

Months are calendar months (python-dateutil's relativedelta): "13 months" of a mention posted on
31 January ends on the last day of the next February, as a person would count it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from tenants.audit import Action, audit_record, diff, snapshot
from tenants.models import AuditEvent, Brand, BrandExport, RetentionPolicy, User

RULE_FIELDS = ["mentions_months", "personal_data_months", "audit_months", "exports_days"]


def retention_policy_get(*, brand: Brand) -> RetentionPolicy:
    """The brand's rules; an unsaved row with the defaults when none was set."""
    return RetentionPolicy.objects.filter(brand=brand).first() or RetentionPolicy(brand=brand)


@transaction.atomic
def retention_policy_set(*, brand: Brand, actor: User | None, **values: int) -> RetentionPolicy:
    """Change the brand's rules (validated by the model's bounds); on the trail with before/after."""
    policy = RetentionPolicy.objects.select_for_update().filter(brand=brand).first() or RetentionPolicy(
        brand=brand
    )
    before = snapshot(policy, RULE_FIELDS)
    for name, value in values.items():
        if name not in RULE_FIELDS:
            raise TypeError(f"Unknown retention rule {name!r}")
        setattr(policy, name, value)
    policy.full_clean()  # a bad value is a ValidationError with the field's message, nothing written
    policy.save()
    changes = diff(before, snapshot(policy, RULE_FIELDS))
    if changes:
        audit_record(
            action=Action.RETENTION_CHANGED, actor=actor, brand=brand, target=policy, changes=changes
        )
    return policy


def cutoff(now: datetime, *, months: int = 0, days: int = 0) -> datetime:
    return now - relativedelta(months=months, days=days)


def _archive(export: BrandExport) -> Path:
    return Path(settings.BRAND_EXPORT_ROOT) / f"{export.pk}.zip"


def _delete_archive(export: BrandExport, now: datetime) -> bool:
    _archive(export).unlink(missing_ok=True)
    return bool(
        BrandExport.objects.filter(pk=export.pk, archive_deleted_at=None).update(archive_deleted_at=now)
    )


def brand_export_archives_purge(*, brand: Brand, now: datetime | None = None) -> int:
    """Delete the archive files that can no longer be downloaded (link used or expired, or the
    export failed). Returns how many were deleted now; a repeat finds nothing."""
    now = now or timezone.now()
    useless = Q(downloaded_at__isnull=False) | Q(expires_at__lte=now) | Q(state=BrandExport.State.FAILED)
    exports = BrandExport.objects.filter(useless, brand=brand, archive_deleted_at=None)
    return sum(_delete_archive(export, now) for export in exports)


def retention_apply_public(*, brand: Brand, now: datetime | None = None) -> dict[str, int]:
    """The brand's shared-schema rules: audit events older than `audit_months`, spent archives,
    and export records older than `exports_days`. Returns counts of what went."""
    now = now or timezone.now()
    policy = retention_policy_get(brand=brand)
    archives = brand_export_archives_purge(brand=brand, now=now)
    old_exports = BrandExport.objects.filter(
        brand=brand, created_at__lt=cutoff(now, days=policy.exports_days)
    )
    for export in old_exports:
        _archive(export).unlink(missing_ok=True)
    exports, _by_model = old_exports.delete()
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The audit trail's trigger lets a DELETE through only in this transaction.
            cursor.execute("SET LOCAL tanggap.retention = 'on'")
        audit, _by_model = AuditEvent.objects.filter(
            brand_id=brand.pk, at__lt=cutoff(now, months=policy.audit_months)
        ).delete()
    return {"audit_events": audit, "exports": exports, "export_archives": archives}

"""A brand's complete archive: every table of its schema as JSON lines, its media files, and a
manifest with the brand's settings and each table's row count; and the restore of such an archive
into an empty brand. A named place that crosses schemas (it reads and writes one brand's schema)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from tenants.audit import Action, audit_record
from tenants.errors import DomainError
from tenants.models import Brand, BrandExport, User
from tenants.outbox import hand_over_on_commit
from tenants.personal_data import PERSONAL_COLUMNS, PersonalColumns
from tenants.roles import role_can
from tenants.selectors import brand_role_get
from tenants.tasks import brand_export_task

FORMAT_VERSION = 1
# Django's own bookkeeping of the schema: exported (the archive says which migrations the data
# matches) but never restored over the target's own.
_NOT_RESTORED = {"django_migrations"}


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def brand_tables(schema_name: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY table_name",
            [schema_name],
        )
        return [row[0] for row in cursor.fetchall()]


def _brand_settings(brand: Brand) -> dict:
    return {
        "slug": brand.slug,
        "name": brand.name,
        "agency": brand.agency.slug if brand.agency_id else None,
        "timezone": brand.timezone,
        "default_language": brand.default_language,
        "colour": brand.colour,
        "domains": list(brand.domains.order_by("-is_primary", "domain").values_list("domain", flat=True)),
    }


def _select_rows(schema: str, table: str, redact: PersonalColumns | None) -> tuple[str, list]:
    """The statement that reads a table as JSON lines; with `redact`, the personal columns hold
    their placeholder instead (on the rows its condition names). Names come from the catalogue
    or the apps' registrations and are quoted; the placeholders are a parameter."""
    qualified = f"{_quote(schema)}.{_quote(table)}"
    if redact is None:
        return f"SELECT row_to_json(t)::text FROM {qualified} t", []  # noqa: S608
    replaced = "to_jsonb(t) || %s::jsonb"
    if redact.mark_erased:
        column = _quote(redact.mark_erased)
        replaced += f" || jsonb_build_object('{redact.mark_erased}', COALESCE(t.{column}, now()))"
    condition = redact.where or "TRUE"
    return (
        f"SELECT (CASE WHEN {condition} THEN {replaced} ELSE to_jsonb(t) END)::text FROM {qualified} t",  # noqa: S608
        [json.dumps(redact.redacted)],
    )


def brand_export(
    *,
    brand: Brand,
    target: Path,
    actor: User | None = None,
    progress: Callable[[int, int], None] | None = None,
    personal_data: bool = True,
) -> dict:
    """Write the brand's archive (a zip) to `target` and return its manifest. The rows are read
    in one repeatable-read snapshot, so the tables agree with each other. Without `personal_data`
    the columns the apps declared personal (tenants.personal_data) hold placeholders, and the
    manifest lists them."""
    if brand.is_template:
        raise DomainError("The template brand is not exported.")
    schema = brand.schema_name
    tables = brand_tables(schema)
    manifest = {
        "format": "tanggap-brand-export",
        "version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "brand": _brand_settings(brand),
        "tables": {},
        "media": [],
        "personal_data": personal_data,
        "personal_data_left_out": {}
        if personal_data
        else {t: sorted(c.redacted) for t, c in sorted(PERSONAL_COLUMNS.items()) if t in tables},
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    outermost = not connection.in_atomic_block
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive, transaction.atomic():
        if outermost:  # only the transaction's first statement may choose its snapshot
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for done, table in enumerate(tables, start=1):
            rows = 0
            with archive.open(f"tables/{table}.jsonl", "w") as out, connection.cursor() as cursor:
                redact = None if personal_data else PERSONAL_COLUMNS.get(table)
                cursor.execute(*_select_rows(schema, table, redact))
                while batch := cursor.fetchmany(1000):
                    for (line,) in batch:
                        out.write(line.encode() + b"\n")
                        rows += 1
            manifest["tables"][table] = rows
            if progress:
                progress(done, len(tables))
        media_root = Path(settings.MEDIA_ROOT) / schema
        if media_root.is_dir():
            for path in sorted(p for p in media_root.rglob("*") if p.is_file()):
                name = path.relative_to(media_root).as_posix()
                archive.write(path, f"media/{name}")
                manifest["media"].append(name)
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    audit_record(
        action=Action.EXPORT,
        actor=actor,
        brand=brand,
        target=brand,
        changes={
            "what": "brand",
            "tables": len(tables),
            "rows": sum(manifest["tables"].values()),
            "personal_data": personal_data,
        },
    )
    return manifest


@transaction.atomic
def brand_restore(*, brand: Brand, archive_path: Path) -> dict:
    """Load an archive into `brand`, replacing its rows (meant for a new, empty brand). Keys are
    checked at commit (Django's foreign keys are deferrable), so table order does not matter."""
    schema = brand.schema_name
    with zipfile.ZipFile(archive_path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        if manifest.get("format") != "tanggap-brand-export":
            raise DomainError("This file is not a brand export.")
        existing = set(brand_tables(schema))
        missing = set(manifest["tables"]) - existing
        if missing:
            raise DomainError(f"The target brand lacks tables: {', '.join(sorted(missing))}.")
        tables = [t for t in manifest["tables"] if t not in _NOT_RESTORED]
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            if tables:
                cursor.execute(
                    "TRUNCATE " + ", ".join(f"{_quote(schema)}.{_quote(t)}" for t in tables) + " CASCADE"
                )
            for table in tables:
                qualified = f"{_quote(schema)}.{_quote(table)}"
                if table in settings.BRAND_DERIVED_TABLES:
                    continue  # emptied above; its source tables' triggers fill it again
                with archive.open(f"tables/{table}.jsonl") as lines:
                    batch = [line.decode() for line in lines if line.strip()]
                if batch:
                    cursor.execute(
                        f"INSERT INTO {qualified} SELECT r.* FROM jsonb_array_elements(%s::jsonb) e, "  # noqa: S608
                        f"LATERAL jsonb_populate_record(NULL::{qualified}, e) r",
                        ["[" + ",".join(batch) + "]"],
                    )
                # Identity and serial columns continue after the restored rows.
                cursor.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND "
                    "table_name = %s AND (is_identity = 'YES' OR column_default LIKE 'nextval%%')",
                    [schema, table],
                )
                for (column,) in cursor.fetchall():
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence(%s, %s), "  # noqa: S608
                        f"COALESCE((SELECT MAX({_quote(column)}) FROM {qualified}), 0) + 1, false)",
                        [f"{_quote(schema)}.{_quote(table)}", column],
                    )
        media_root = Path(settings.MEDIA_ROOT) / schema
        for name in manifest.get("media", []):
            destination = (media_root / name).resolve()
            if media_root.resolve() not in destination.parents:
                raise DomainError(f"Refused media path {name!r}.")
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(archive.read(f"media/{name}"))
    return manifest


# --- Requested exports (agency admin → Celery task → single-use download) ------------------------


def export_path(export: BrandExport) -> Path:
    return Path(settings.BRAND_EXPORT_ROOT) / f"{export.pk}.zip"


def _progress_key(export_id) -> str:
    return f"brand-export-progress:{export_id}"


def brand_export_progress(export: BrandExport) -> str:
    """ "3/57 tables" while running (kept in the cache, outside the export's snapshot)."""
    return cache.get(_progress_key(export.pk), "") if export.state == BrandExport.State.RUNNING else ""


@transaction.atomic
def brand_export_request(*, brand: Brand, actor: User) -> BrandExport:
    """Queue an export of `brand` for `actor` (the admin checks they may manage the brand). The
    archive carries customers' personal data only when the actor's role on the brand may read it."""
    if brand.is_template:
        raise DomainError("The template brand is not exported.")
    personal_data = role_can(brand_role_get(user=actor, brand=brand), "personal_data.read")
    export = BrandExport.objects.create(brand=brand, requested_by=actor, personal_data=personal_data)
    hand_over_on_commit(brand_export_task, str(export.pk))
    return export


def brand_export_run(*, export_id) -> BrandExport:
    """Make the archive of a waiting export. A repeat (the task delivered twice) changes nothing."""
    with transaction.atomic():
        export = (
            BrandExport.objects.select_for_update(of=("self",))
            .select_related("brand", "requested_by")
            .get(pk=export_id)
        )
        if export.state != BrandExport.State.PENDING:
            return export
        export.state = BrandExport.State.RUNNING
        export.save(update_fields=["state"])
    try:
        manifest = brand_export(
            brand=export.brand,
            target=export_path(export),
            actor=export.requested_by,
            personal_data=export.personal_data,
            progress=lambda done, total: cache.set(_progress_key(export.pk), f"{done}/{total}", 3600),
        )
    except Exception as exc:
        BrandExport.objects.filter(pk=export.pk).update(
            state=BrandExport.State.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    now = timezone.now()
    BrandExport.objects.filter(pk=export.pk).update(
        state=BrandExport.State.DONE,
        tables=len(manifest["tables"]),
        rows=sum(manifest["tables"].values()),
        finished_at=now,
        expires_at=now + timedelta(seconds=settings.BRAND_EXPORT_LINK_SECONDS),
    )
    export.refresh_from_db()
    return export


@transaction.atomic
def brand_export_download(*, export_id, user: User) -> Path:
    """Spend the export's download: only its requester, once, before it expires."""
    export = BrandExport.objects.select_for_update().filter(pk=export_id, requested_by=user).first()
    if export is None or export.state != BrandExport.State.DONE:
        raise DomainError("No such export is ready for you.")
    if export.downloaded_at is not None:
        raise DomainError("This export was already downloaded; request a new one.")
    if export.expires_at is None or export.expires_at <= timezone.now():
        raise DomainError("This export's link has expired; request a new one.")
    export.downloaded_at = timezone.now()
    export.save(update_fields=["downloaded_at"])
    return export_path(export)

"""The content library: items, their media and per-platform variants, and the approval steps
(draft → in review → approved, or back to draft with a comment). Every step is on the item's
history."""

from collections.abc import Iterable
from uuid import UUID

import filetype
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from content.models import ContentItem, ContentSettings, HistoryEntry, MediaRef, Variant
from content.permissions import content_role, require_content_action
from content.services.history import history_record
from tenants.errors import DomainError
from tenants.models import BrandGrant
from tenants.platforms import PUBLISHING_PLATFORMS

H = HistoryEntry.Action
MAX_TAGS = 20
# Accepted media, sniffed from the file's first bytes: type → (kind, largest size in bytes).
MEDIA_TYPES: dict[str, tuple[str, int]] = {
    "image/jpeg": (MediaRef.Kind.IMAGE, 10 * 1024 * 1024),
    "image/png": (MediaRef.Kind.IMAGE, 10 * 1024 * 1024),
    "image/gif": (MediaRef.Kind.IMAGE, 10 * 1024 * 1024),
    "image/webp": (MediaRef.Kind.IMAGE, 10 * 1024 * 1024),
    "video/mp4": (MediaRef.Kind.VIDEO, 200 * 1024 * 1024),
    "video/quicktime": (MediaRef.Kind.VIDEO, 200 * 1024 * 1024),
    "video/webm": (MediaRef.Kind.VIDEO, 200 * 1024 * 1024),
}
# Variants that are out of the editor's hands: on their way to the platform or already there.
LOCKED_VARIANT = frozenset({Variant.Status.PUBLISHING, Variant.Status.PUBLISHED})


def _clean_tags(tags: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in tags or []:
        tag = str(tag).strip().lstrip("#").lower()
        if not tag:
            continue
        if len(tag) > 50:
            raise DomainError(_("A tag has at most 50 characters."), field_errors={"tags": [tag[:60]]})
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise DomainError(
            _("At most %(n)d tags.") % {"n": MAX_TAGS}, field_errors={"tags": [_("Too many tags.")]}
        )
    return cleaned


def _required_text(value: str, field: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(
            _("%(field)s is required.") % {"field": field}, field_errors={field: [_("Required.")]}
        )
    if "\x00" in value:
        raise DomainError(
            _("Text may not contain NUL characters."), field_errors={field: [_("Invalid text.")]}
        )
    if len(value) > max_length:
        raise DomainError(
            _("%(field)s has at most %(n)d characters.") % {"field": field, "n": max_length},
            field_errors={field: [_("Too long.")]},
        )
    return value


def _item_for_update(item_id: UUID) -> ContentItem:
    item = ContentItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None:
        raise DomainError(_("No such content item."))
    return item


def _back_to_draft(*, item: ContentItem, actor) -> None:
    """An edit after review or approval needs a new approval: the item returns to draft and its
    scheduled variants leave the calendar (nothing unapproved is ever published)."""
    if item.status == ContentItem.Status.DRAFT:
        return
    item.status = ContentItem.Status.DRAFT
    item.save(update_fields=["status", "updated_at"])
    for variant in item.variants.select_for_update().filter(
        status__in=[Variant.Status.SCHEDULED, Variant.Status.HELD]
    ):
        variant.status = Variant.Status.DRAFT
        variant.save(update_fields=["status", "updated_at"])
        history_record(
            item=item, variant=variant, action=H.UNSCHEDULED, actor=actor, comment=_("Edited after approval.")
        )


@transaction.atomic
def item_create(
    *,
    actor,
    kind: str,
    title: str,
    master_text: str,
    language: str,
    tags: Iterable[str] = (),
    evergreen: bool = False,
) -> ContentItem:
    require_content_action(actor, "draft")
    if kind not in ContentItem.Kind.values:
        raise DomainError(_("Unknown kind."), field_errors={"kind": [_("Unknown kind.")]})
    if language not in ContentItem.Language.values:
        raise DomainError(_("Language must be en or id."), field_errors={"language": [_("Use en or id.")]})
    item = ContentItem.objects.create(
        kind=kind,
        title=_required_text(title, "title", 200),
        master_text=_required_text(master_text, "master_text", 10000),
        language=language,
        tags=_clean_tags(tags),
        evergreen=bool(evergreen),
        created_by_id=getattr(actor, "pk", None),
        created_by_email=getattr(actor, "email", "") or "",
    )
    history_record(item=item, action=H.CREATED, actor=actor)
    return item


@transaction.atomic
def item_update(
    *,
    item_id: UUID,
    actor,
    title: str | None = None,
    master_text: str | None = None,
    kind: str | None = None,
    language: str | None = None,
    tags: Iterable[str] | None = None,
    evergreen: bool | None = None,
) -> ContentItem:
    """Change what was given. A real change to an item in review or approved sends it back to
    draft; a change to nothing records nothing."""
    require_content_action(actor, "draft")
    item = _item_for_update(item_id)
    changes: dict = {}
    if title is not None:
        changes["title"] = _required_text(title, "title", 200)
    if master_text is not None:
        changes["master_text"] = _required_text(master_text, "master_text", 10000)
    if kind is not None:
        if kind not in ContentItem.Kind.values:
            raise DomainError(_("Unknown kind."), field_errors={"kind": [_("Unknown kind.")]})
        changes["kind"] = kind
    if language is not None:
        if language not in ContentItem.Language.values:
            raise DomainError(
                _("Language must be en or id."), field_errors={"language": [_("Use en or id.")]}
            )
        changes["language"] = language
    if tags is not None:
        changes["tags"] = _clean_tags(tags)
    if evergreen is not None:
        changes["evergreen"] = bool(evergreen)
    changes = {k: v for k, v in changes.items() if getattr(item, k) != v}
    if not changes:
        return item
    for field, value in changes.items():
        setattr(item, field, value)
    item.save(update_fields=[*changes, "updated_at"])
    history_record(item=item, action=H.EDITED, actor=actor, comment=", ".join(sorted(changes)))
    _back_to_draft(item=item, actor=actor)
    return item


@transaction.atomic
def item_submit(*, item_id: UUID, actor) -> ContentItem:
    """Draft → in review. Submitting again while in review or approved changes nothing."""
    require_content_action(actor, "submit")
    item = _item_for_update(item_id)
    if item.status != ContentItem.Status.DRAFT:
        return item
    item.status = ContentItem.Status.IN_REVIEW
    item.save(update_fields=["status", "updated_at"])
    history_record(item=item, action=H.SUBMITTED, actor=actor)
    return item


def client_approval_required() -> bool:
    """Whether the brand's items in review wait for the client approver (ContentSettings)."""
    return ContentSettings.objects.filter(pk=1, client_approval_required=True).exists()


def _is_client_approver(actor) -> bool:
    return content_role(actor) == BrandGrant.Role.CLIENT_APPROVER


@transaction.atomic
def item_approve(*, item_id: UUID, actor, comment: str = "") -> ContentItem:
    """In review → approved, by a role the matrix lets approve; when the brand requires the
    client's approval, by the client approver only. A repeat changes nothing."""
    require_content_action(actor, "approve")
    item = _item_for_update(item_id)
    if item.status == ContentItem.Status.APPROVED:
        return item
    if item.status != ContentItem.Status.IN_REVIEW:
        raise DomainError(_("Only an item in review can be approved; submit it first."))
    if actor is not None and client_approval_required() and not _is_client_approver(actor):
        raise DomainError(
            _("This brand's client approves its content on the report pages; you can still send it back.")
        )
    item.status = ContentItem.Status.APPROVED
    item.save(update_fields=["status", "updated_at"])
    history_record(item=item, action=H.APPROVED, actor=actor, comment=(comment or "").strip())
    return item


@transaction.atomic
def item_reject(*, item_id: UUID, actor, comment: str) -> ContentItem:
    """In review → back to draft, with the reviewer's comment on the history (the client
    approver's too, when the brand requires the client's approval)."""
    require_content_action(actor, "approve")
    comment = _required_text(comment, "comment", 2000)
    item = _item_for_update(item_id)
    if item.status != ContentItem.Status.IN_REVIEW:
        raise DomainError(_("Only an item in review can be rejected."))
    item.status = ContentItem.Status.DRAFT
    item.save(update_fields=["status", "updated_at"])
    history_record(item=item, action=H.REJECTED, actor=actor, comment=comment)
    return item


@transaction.atomic
def media_add(*, item_id: UUID, actor, upload: UploadedFile, alt_text: str = "") -> MediaRef:
    """Store an image or video in the brand's media storage. Its type is read from its bytes
    (a renamed .exe is not an image) and its size checked against the type's limit."""
    require_content_action(actor, "draft")
    item = _item_for_update(item_id)
    head = upload.read(4096)
    upload.seek(0)
    guessed = filetype.guess(head)
    mime = guessed.mime if guessed else ""
    if mime not in MEDIA_TYPES:
        raise DomainError(
            _("Upload a JPEG, PNG, GIF or WebP image, or an MP4, MOV or WebM video."),
            field_errors={"file": [_("Unsupported file type.")]},
        )
    kind, limit = MEDIA_TYPES[mime]
    if upload.size > limit:
        raise DomainError(
            _("This file is %(size)d MB; the limit for this type is %(limit)d MB.")
            % {"size": upload.size // (1024 * 1024), "limit": limit // (1024 * 1024)},
            field_errors={"file": [_("Too large.")]},
        )
    media = MediaRef(item=item, kind=kind, mime_type=mime, size=upload.size, alt_text=(alt_text or "")[:500])
    name = (upload.name or "upload").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    media.file.save(f"{media.id.hex[:8]}.{guessed.extension}" if not name else name, upload, save=False)
    media.save()
    history_record(item=item, action=H.EDITED, actor=actor, comment=f"media {media}")
    return media


def _media_for(item: ContentItem, media_ids: Iterable[UUID]) -> list[MediaRef]:
    ids = list(dict.fromkeys(media_ids or []))
    found = {m.pk: m for m in MediaRef.objects.filter(item=item, pk__in=ids)}
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise DomainError(
            _("These media files do not belong to this item: %(ids)s") % {"ids": ", ".join(missing)},
            field_errors={"media": missing},
        )
    return [found[pk] for pk in ids]


@transaction.atomic
def variant_create(
    *, item_id: UUID, actor, platform: str, text: str | None = None, media_ids: Iterable[UUID] = ()
) -> Variant:
    """Adapt the item to one platform (one variant per platform). The platform's rules are
    checked when it is scheduled, so a draft may still be over the limit."""
    require_content_action(actor, "draft")
    item = _item_for_update(item_id)
    if platform not in PUBLISHING_PLATFORMS:
        raise DomainError(
            _("%(platform)s is not a platform we publish to.") % {"platform": platform},
            field_errors={
                "platform": [_("Use one of: %(list)s") % {"list": ", ".join(PUBLISHING_PLATFORMS)}]
            },
        )
    if item.variants.filter(platform=platform).exists():
        raise DomainError(
            _("This item already has a variant for that platform; edit it instead."),
            field_errors={"platform": [_("Already has a variant.")]},
        )
    media = _media_for(item, media_ids)
    variant = Variant.objects.create(
        item=item,
        platform=platform,
        text=_required_text(item.master_text if text is None else text, "text", 70000),
    )
    variant.media.set(media)
    history_record(item=item, variant=variant, action=H.VARIANT_ADDED, actor=actor, comment=platform)
    _back_to_draft(item=item, actor=actor)
    return variant


@transaction.atomic
def variant_update(
    *, variant_id: UUID, actor, text: str | None = None, media_ids: Iterable[UUID] | None = None
) -> Variant:
    require_content_action(actor, "draft")
    variant = Variant.objects.select_for_update().select_related("item").filter(pk=variant_id).first()
    if variant is None:
        raise DomainError(_("No such variant."))
    if variant.status in LOCKED_VARIANT:
        raise DomainError(_("A variant being published or already published cannot be edited."))
    changed = []
    if text is not None:
        text = _required_text(text, "text", 70000)
        if text != variant.text:
            variant.text = text
            variant.save(update_fields=["text", "updated_at"])
            changed.append("text")
    if media_ids is not None:
        media = _media_for(variant.item, media_ids)
        if {m.pk for m in media} != set(variant.media.values_list("pk", flat=True)):
            variant.media.set(media)
            changed.append("media")
    if changed:
        item = ContentItem.objects.select_for_update().get(pk=variant.item_id)
        history_record(
            item=item, variant=variant, action=H.VARIANT_EDITED, actor=actor, comment=", ".join(changed)
        )
        _back_to_draft(item=item, actor=actor)
        variant.refresh_from_db()
    return variant

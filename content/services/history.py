"""The content item's history trail: who did what to an item or a variant, and when."""

from content.models import ContentItem, HistoryEntry, Variant


def history_record(
    *,
    item: ContentItem,
    action: str,
    actor=None,
    variant: Variant | None = None,
    comment: str = "",
) -> HistoryEntry:
    return HistoryEntry.objects.create(
        item=item,
        variant=variant,
        action=action,
        comment=(comment or "")[:2000],
        actor_id=getattr(actor, "pk", None),
        actor_email=getattr(actor, "email", "") or "",
    )

"""The content app's one crossing into incidents, named here and nowhere else: whether an open
incident holds the calendar (`incidents.selectors_crisis.crisis_hold_incident`), a note on that
incident's timeline when a hold starts and ends (`incidents.services.timeline.timeline_note_add`,
as the system), and the replies to a published post from the mentions stream
(`incidents.selectors_early_warning.reply_sentiment_by_parent`), the brand's signed webhooks,
through which content announces `content.published`, `content.failed` and `content.held`
(`incidents.services.webhooks.webhook_emit`), and, for the demo, others' replies to its posts put
into the mentions stream through intake and scoring (`incidents.services.intake`)."""

from dataclasses import dataclass
from uuid import UUID

from incidents.selectors_crisis import crisis_hold_incident
from incidents.selectors_early_warning import mention_list, reply_sentiment_by_parent
from incidents.services.intake import mentions_ingest, mentions_score_pending
from incidents.services.timeline import timeline_note_add
from incidents.services.webhooks import webhook_emit


@dataclass(frozen=True)
class HoldingIncident:
    id: UUID
    label: str  # "#12 Kopi basi di gerai Bandung (SEV1 · Critical)"


def holding_incident(*, max_severity: int) -> HoldingIncident | None:
    incident = crisis_hold_incident(max_severity=max_severity)
    if incident is None:
        return None
    return HoldingIncident(
        id=incident.pk, label=f"#{incident.number} {incident.title} ({incident.get_severity_display()})"
    )


def incident_note(*, incident_id: UUID, text: str) -> None:
    timeline_note_add(incident_id=incident_id, actor=None, text=text)


def reply_sentiment(*, platform: str, post_ids: list[str]) -> dict[str, dict]:
    """Replies to the brand's published posts, from the mentions stream
    (`incidents.selectors_early_warning.reply_sentiment_by_parent`)."""
    return reply_sentiment_by_parent(platform=platform, parent_ids=post_ids)


def mentions_stream_live() -> bool:
    """Whether the brand's mentions stream has anything in it (a listening integration posts to it)."""
    return mention_list().exists()


def replies_ingest(*, rows: list[dict]) -> int:
    """Others' replies to the brand's posts (mention rows as `/api/v1/mentions/` takes them, each
    with the post's id as `parent_external_id`) into the mentions stream, then scored by the
    brand's scorer as every mention is. A resend of the same rows adds nothing. The demo's way in;
    integrations post theirs to the API. Returns how many were new."""
    result = mentions_ingest(rows=rows)
    if result.rejected:
        raise ValueError(f"reply rows refused: {result.errors}")
    mentions_score_pending()
    return result.created


def content_event_emit(*, event: str, variant) -> int:
    """Send `event` (content.published, content.failed, content.held) about `variant` to the
    brand's webhook subscriptions, after commit, signed like every webhook."""
    return webhook_emit(
        event=event,
        payload={
            "variant_id": variant.pk,
            "item_id": variant.item_id,
            "platform": variant.platform,
            "status": variant.status,
            "scheduled_at": variant.scheduled_at,
            "published_at": variant.published_at,
            "platform_post_id": variant.platform_post_id,
            "platform_url": variant.platform_url,
            "reason": variant.failure_reason or variant.hold_reason or "",
        },
    )

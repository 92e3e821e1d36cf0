"""Every write on content, one function each: keyword-only, one transaction, idempotent where a
repeat is plausible. Split by sub-domain; import from here."""

from content.services.channels import channel_create, channel_set_active
from content.services.evergreen import variant_evergreen_set
from content.services.holds import (
    content_settings_get,
    content_settings_update,
    crisis_hold_sweep,
    hold_active_incident,
    variant_release,
)
from content.services.library import (
    item_approve,
    item_create,
    item_reject,
    item_submit,
    item_update,
    media_add,
    variant_create,
    variant_update,
)
from content.services.publishing import publish_due_claim, variant_publish_attempt, variant_publish_retry
from content.services.scheduling import (
    variant_confirm_published,
    variant_metrics_record,
    variant_rule_breaks,
    variant_schedule,
    variant_unschedule,
)
from content.services.testimonials import testimonial_draft_create

__all__ = [
    "channel_create",
    "channel_set_active",
    "content_settings_get",
    "content_settings_update",
    "crisis_hold_sweep",
    "hold_active_incident",
    "variant_release",
    "item_approve",
    "item_create",
    "item_reject",
    "item_submit",
    "item_update",
    "media_add",
    "publish_due_claim",
    "variant_publish_attempt",
    "variant_publish_retry",
    "testimonial_draft_create",
    "variant_confirm_published",
    "variant_create",
    "variant_evergreen_set",
    "variant_metrics_record",
    "variant_rule_breaks",
    "variant_schedule",
    "variant_unschedule",
    "variant_update",
]

"""Every write on surveys, one function each: keyword-only, one transaction, idempotent where a
repeat is plausible, side effects after commit. Split by sub-domain; import from here."""

from surveys.services.answering import InvitationUnavailable, response_submit, response_submit_by_token
from surveys.services.building import (
    option_add,
    option_remove,
    option_update,
    question_add,
    question_remove,
    question_update,
    survey_close,
    survey_create,
    survey_create_from_template,
    survey_duplicate_as_draft,
    survey_open,
    survey_update,
)
from surveys.services.erasure import invitations_erase_older_than, invitations_erase_person
from surveys.services.invitations import (
    BATCH_LIMIT,
    INVITATION_TTL_DAYS,
    invitation_create,
    invitation_create_batch,
    invitation_emails_queue,
    invitation_emails_retry_failed,
    invitation_emails_sweep,
    invitation_message_send,
    invitation_opt_out,
    invitation_remind,
    invitation_send,
)
from surveys.services.messaging import (
    messaging_channel_get,
    messaging_channel_rotate_secret,
    messaging_channel_update,
)
from surveys.services.testimonials import testimonial_review

__all__ = [
    "BATCH_LIMIT",
    "INVITATION_TTL_DAYS",
    "InvitationUnavailable",
    "invitation_create",
    "invitation_create_batch",
    "invitation_emails_queue",
    "invitation_emails_retry_failed",
    "invitation_emails_sweep",
    "invitation_message_send",
    "invitation_opt_out",
    "invitation_remind",
    "invitation_send",
    "invitations_erase_older_than",
    "invitations_erase_person",
    "messaging_channel_get",
    "messaging_channel_rotate_secret",
    "messaging_channel_update",
    "option_add",
    "option_remove",
    "option_update",
    "question_add",
    "question_remove",
    "question_update",
    "response_submit",
    "response_submit_by_token",
    "survey_close",
    "survey_create",
    "survey_create_from_template",
    "survey_duplicate_as_draft",
    "survey_open",
    "survey_update",
    "testimonial_review",
]

"""Incident models, split by sub-domain: early warning (mentions, metrics, alerts, webhooks) and
crisis work (incidents, team, responses, moderation)."""

from incidents.models.care import *  # noqa: F403, E402
from incidents.models.crisis import *  # noqa: F403
from incidents.models.early_warning import *  # noqa: F403

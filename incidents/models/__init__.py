"""Incident models, split by sub-domain: early warning (mentions, metrics, alerts, webhooks),
crisis work (incidents, team, responses, moderation) and post-crisis reviews."""

from incidents.models.care import *  # noqa: F403, E402
from incidents.models.crisis import *  # noqa: F403
from incidents.models.early_warning import *  # noqa: F403
from incidents.models.reviews import *  # noqa: F403
from incidents.models.rollups import *  # noqa: F403

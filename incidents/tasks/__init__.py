"""Celery tasks of the incidents app (autodiscovered as `incidents.tasks`)."""

from incidents.tasks.notifications import *  # noqa: F403
from incidents.tasks.one_crisis import *  # noqa: F403
from incidents.tasks.reminders import *  # noqa: F403
from incidents.tasks.retention import *  # noqa: F403
from incidents.tasks.reviews import *  # noqa: F403
from incidents.tasks.sweeps import *  # noqa: F403
from incidents.tasks.webhooks import *  # noqa: F403

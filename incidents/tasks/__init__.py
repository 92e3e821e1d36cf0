"""Celery tasks of the incidents app (autodiscovered as `incidents.tasks`)."""

from incidents.tasks.crisis import *  # noqa: F403
from incidents.tasks.early_warning import *  # noqa: F403
from incidents.tasks.retention import *  # noqa: F403
from incidents.tasks.reviews import *  # noqa: F403

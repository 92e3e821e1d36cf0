"""The periodic crisis sweep for one brand: task reminders and escalations, client-update
reminders, drills whose time has come, incidents for severe alerts still without one, post-crisis
review surveys, team-feedback digests, reminders and escalations. Each part claims its rows, so
overlapping sweeps are safe."""

from datetime import datetime

from django.utils import timezone

from incidents.services.care import care_reminders_send
from incidents.services.drills import drills_start_due
from incidents.services.one_crisis import incidents_auto_open_pending
from incidents.services.reviews import (
    review_feedback_digests_send_due,
    review_reminders_send,
    review_surveys_send_due,
)
from incidents.services.status_updates import status_update_reminders_send
from incidents.services.team import task_escalations_send, task_reminders_send


def crisis_reminders_run(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "task_reminders": task_reminders_send(now=now),
        "task_escalations": task_escalations_send(now=now),
        "status_update_reminders": status_update_reminders_send(now=now),
        "drills_started": drills_start_due(now=now),
        "incidents_auto_opened": incidents_auto_open_pending(),
        **care_reminders_send(now=now),
        "review_surveys_sent": review_surveys_send_due(now=now),
        "review_feedback_digests": review_feedback_digests_send_due(now=now),
        **review_reminders_send(now=now),
    }

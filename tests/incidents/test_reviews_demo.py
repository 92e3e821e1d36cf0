"""seed_demo tells the post-crisis review story in Kopi Nusantara: one incident reviewed with its
figures, answered surveys, feedback, follow-ups and a plan version; one review open and overdue.
Running it twice changes nothing."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from incidents.demo_reviews import OVERDUE_TITLE, REVIEWED_TITLE, SIGN_OFF_TITLE

pytestmark = pytest.mark.django_db(transaction=False)


def test_seed_demo_adds_a_reviewed_incident_and_an_overdue_review(capsys):
    from incidents.models import Incident, Review
    from surveys.models import Invitation
    from tenants.models import Brand

    call_command("seed_demo")
    call_command("seed_demo")
    assert "post-crisis-reviews" in capsys.readouterr().out
    with tenant_context(Brand.objects.get(slug="kopi-nusantara")):
        reviewed = Review.objects.get(incident__title=REVIEWED_TITLE)
        assert reviewed.state == Review.State.COMPLETED
        assert reviewed.incident.status == Incident.Status.REVIEWED
        assert reviewed.figures["csat"] == 100.0 and reviewed.figures["survey_responses"] == 2
        # The demo brand also has a month of everyday mentions, so the crisis shows as a rise in the
        # negative share during the incident against before and after, not as an absolute value.
        figures = reviewed.figures
        assert figures["negative_share_during"] > figures["negative_share_before"]
        assert figures["negative_share_during"] > figures["negative_share_after"]
        assert reviewed.plan_version is not None and reviewed.action_items.count() == 1
        assert (
            Invitation.objects.filter(incident_id=reviewed.incident_id, answered_at__isnull=False).count()
            == 2
        )
        # The reviewed incident's lesson is in a published plan version that names its review; the
        # overdue review's lesson waits in the open draft as a proposed change.
        assert reviewed.plan_version.state == "published"
        assert list(reviewed.plan_version.source_reviews.all()) == [reviewed]
        # The phone-only customer is shown as not reached, with the reason, not silently dropped.
        unreached = Invitation.objects.get(incident_id=reviewed.incident_id, email="")
        assert unreached.outbox_state == "failed" and "messaging channel" in unreached.outbox_error
        assert reviewed.customers.get(external_id="crm-10432").phone == unreached.phone
        assert reviewed.incident.timeline.filter(text__contains="1 could not be reached").exists()
        overdue = Review.objects.get(incident__title=OVERDUE_TITLE)
        assert overdue.state == Review.State.OPEN and overdue.due_at < timezone.now()
        [draft] = overdue.plan_versions.filter(state="draft")
        assert [c["review_id"] for c in draft.proposed_changes] == [str(overdue.pk)]
        assert draft.based_on_version == reviewed.plan_version.version
        assert Incident.objects.filter(title=REVIEWED_TITLE).count() == 1
        waiting = Review.objects.get(incident__title=SIGN_OFF_TITLE)
        assert waiting.state == Review.State.AWAITING_SIGN_OFF
        assert waiting.incident.status == Incident.Status.RESOLVED
    connection.set_schema_to_public()

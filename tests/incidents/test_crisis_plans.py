"""The versioned crisis plan: each edit is a new version, and only staff may edit it."""

import pytest

from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)

pytestmark = pytest.mark.django_db


def test_each_plan_edit_is_a_new_version_and_old_ones_stay(in_brand_a, ayu):
    from incidents.models import CrisisPlanVersion
    from incidents.services.plans import crisis_plan_publish

    v1 = crisis_plan_publish(actor=ayu, roles_and_contacts="Ayu: 0812", escalation_thresholds="SEV1: CEO")
    v2 = crisis_plan_publish(
        actor=ayu, roles_and_contacts="Ayu: 0812, Budi: 0813", escalation_thresholds="SEV1: CEO"
    )
    same = crisis_plan_publish(
        actor=ayu, roles_and_contacts="Ayu: 0812, Budi: 0813", escalation_thresholds="SEV1: CEO"
    )
    assert (v1.version, v2.version, same.pk) == (1, 2, v2.pk)
    assert CrisisPlanVersion.objects.get(version=1).roles_and_contacts == "Ayu: 0812"


def test_client_viewer_cannot_edit_the_plan(in_brand_a, budi):
    from django.core.exceptions import PermissionDenied

    from incidents.services.plans import crisis_plan_publish

    with pytest.raises(PermissionDenied):
        crisis_plan_publish(actor=budi, guidelines="x")

"""seed_demo tells the care part of the demo story: cases in several states, one resolved with
its public closing reply sent, made through the services and never twice."""

import io

import pytest
from django.core.management import call_command
from django_tenants.utils import tenant_context

from tenants.models import Brand

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_care_cases_once_with_a_sent_closing_reply():
    from incidents.models import CareCase, Response

    call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Demo care cases opened now: 0" in out.getvalue()
    # The demo's retention rules: Kopi keeps raw mentions 6 months, set once.
    assert "Kopi Nusantara retention: mentions 6 months" in out.getvalue()
    from tenants.models import AuditEvent

    assert AuditEvent.objects.filter(action="retention.changed", brand_slug="kopi-nusantara").count() == 1
    with tenant_context(Brand.objects.get(slug="kopi-nusantara")):
        states = sorted(CareCase.objects.values_list("state", flat=True))
        assert states == ["in_private", "invited", "new", "resolved"]
        resolved = CareCase.objects.get(state="resolved")
        assert resolved.closing_reply.state == Response.State.SENT
        assert resolved.closing_reply.mention.answered_at is not None
        assert resolved.contacts.filter(channel="dm").exists() and resolved.customer_phone
        private = CareCase.objects.get(state="in_private")
        assert private.contacts.filter(channel="dm", direction="incoming").exists()

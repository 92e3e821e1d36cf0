"""The brand admin's change lists at scale (tenants/admin_lists.py): the row checkbox is written
directly, with exactly Django's markup, so selection and actions work as before."""

import uuid

import pytest
from django.contrib import admin

from tenants.admin_sites import brand_admin_site

pytestmark = pytest.mark.django_db


def test_the_row_checkbox_is_djangos_own_markup_for_every_brand_admin(in_brand_a):
    from incidents.models import Mention

    row = Mention(id=uuid.uuid4(), platform="x", external_id='<b>"1&2"</b>')
    for model, model_admin in brand_admin_site._registry.items():
        obj = (
            row
            if model is Mention
            else model(pk=1 if model._meta.pk.get_internal_type() != "UUIDField" else uuid.uuid4())
        )
        try:
            label = str(obj)
        except Exception:  # noqa: BLE001 - a __str__ that needs related rows: the mention covers it
            continue
        assert model_admin.action_checkbox(obj) == admin.ModelAdmin.action_checkbox(model_admin, obj), label
    assert "&lt;b&gt;&quot;1&amp;2&quot;&lt;/b&gt;" in brand_admin_site._registry[Mention].action_checkbox(
        row
    )


def test_a_selected_row_is_acted_on_through_the_list(client_a, ayu, in_brand_a):
    """The checkbox's name and value are what the action reads: mark one mention answered."""
    from incidents.models import Mention
    from tests.incidents.fixtures_crisis import make_mention

    mention = make_mention()
    client_a.login_as(ayu)
    page = client_a.get("/admin/incidents/mention/").content.decode()
    assert f'name="_selected_action" value="{mention.pk}" class="action-select"' in page
    response = client_a.post(
        "/admin/incidents/mention/",
        {"action": "mark_answered", "_selected_action": [str(mention.pk)], "index": "0"},
    )
    assert response.status_code == 302
    assert Mention.objects.get(pk=mention.pk).answered_at is not None

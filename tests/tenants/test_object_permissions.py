"""guardian's rows live in each brand's schema: a grant on brand A's object is no grant on brand B's
object with the same primary key."""

import uuid

import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import assign_perm

pytestmark = pytest.mark.django_db


def test_object_permission_on_a_does_not_open_the_same_pk_in_b(brand_a, brand_b, citra, ayu):
    from incidents.models import Incident

    shared_pk = uuid.uuid4()
    with tenant_context(brand_a):
        incident_a = Incident.objects.create(id=shared_pk, number=9001, title="Kopi basi")
        assign_perm("incidents.view_incident", ayu, incident_a)
    with tenant_context(brand_b):
        incident_b = Incident.objects.create(id=shared_pk, number=9001, title="Batik luntur")
        assign_perm("incidents.view_incident", citra, incident_b)

    with tenant_context(brand_a):
        assert ObjectPermissionChecker(ayu).has_perm("view_incident", incident_a)
        assert not ObjectPermissionChecker(citra).has_perm("view_incident", incident_a)
    with tenant_context(brand_b):
        assert ObjectPermissionChecker(citra).has_perm("view_incident", incident_b)
        assert not ObjectPermissionChecker(ayu).has_perm("view_incident", incident_b)
    connection.set_schema_to_public()


def test_guardian_tables_exist_per_brand_and_not_in_public():
    with connection.cursor() as cursor:
        cursor.execute("SELECT schemaname FROM pg_tables WHERE tablename = 'guardian_userobjectpermission'")
        schemas = {row[0] for row in cursor.fetchall()}
    assert "public" not in schemas
    assert {"brand_kopi", "brand_batik", "brand_template"} <= schemas

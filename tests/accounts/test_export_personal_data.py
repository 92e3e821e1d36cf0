"""A brand export carries customers' personal data only for a requester whose role may read it:
for anyone else the columns the apps declare personal hold placeholders, the rows stay."""

import json
import zipfile

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from incidents.permissions import CARE_MATRIX
from incidents.services import care
from surveys.services import invitation_create, survey_create, survey_open
from tenants.export import brand_export, brand_export_request
from tenants.roles import roles_with
from tests.incidents.fixtures_crisis import make_mention

pytestmark = pytest.mark.django_db

EMAIL = "siti.rahma@example.com"


def test_personal_data_roles_are_the_care_matrix_contact_details_roles():
    assert roles_with("personal_data.read") == {
        role for role, actions in CARE_MATRIX.items() if "care_contact_details" in actions
    }


def _archive_text(path) -> tuple[dict, dict[str, list[dict]]]:
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        tables = {
            name.removeprefix("tables/").removesuffix(".jsonl"): [
                json.loads(line) for line in archive.read(name).decode().splitlines()
            ]
            for name in archive.namelist()
            if name.endswith(".jsonl")
        }
    return manifest, tables


def test_an_export_without_personal_data_leaves_every_declared_column_out(ayu, brand_a, tmp_path):
    with tenant_context(brand_a):
        complaint = make_mention(author_handle="siti_r", text="Pesanan saya hilang")
        case = care.care_case_open(
            actor=ayu, mention_ids=[complaint.pk], customer_email=EMAIL, customer_name="Siti Rahma"
        )
        care.care_contact_log(
            actor=ayu, case_id=case.pk, channel="call", direction="outgoing", summary="Rang"
        )
        make_mention(kind="direct_message", author_handle="siti_r", text=f"Email saya {EMAIL}")
        survey = survey_open(
            survey_id=survey_create(title_en="CSAT", questions=[{"kind": "csat", "text_en": "?"}]).pk
        )
        invitation_create(survey_id=survey.pk, email=EMAIL, name="Siti Rahma", send_email=False)
    connection.set_schema_to_public()

    brand_export(brand=brand_a, target=tmp_path / "a.zip", actor=ayu, personal_data=False)
    manifest, tables = _archive_text(tmp_path / "a.zip")
    full = brand_export(brand=brand_a, target=tmp_path / "full.zip", actor=ayu)

    everything = json.dumps(tables)
    assert EMAIL not in everything and "Siti Rahma" not in everything
    assert manifest["personal_data"] is False
    assert manifest["personal_data_left_out"]["incidents_carecase"] == [
        "customer_email", "customer_name", "customer_phone", "outcome"
    ]  # fmt: skip
    assert manifest["tables"] == full["tables"]  # every row is still there
    (row,) = tables["surveys_invitation"]
    assert row["email"] == "" and row["erased_at"]  # restorable: reads as an erased invitation
    public = [m for m in tables["incidents_mention"] if m["kind"] == "comment"]
    assert public[0]["text"] == "Pesanan saya hilang"  # public posts are not personal data
    assert EMAIL in json.dumps(_archive_text(tmp_path / "full.zip")[1])


def test_the_requesters_role_decides_whether_the_export_has_personal_data(ayu, budi, oscar, brand_a):
    assert brand_export_request(brand=brand_a, actor=ayu).personal_data is True  # crisis manager
    assert brand_export_request(brand=brand_a, actor=budi).personal_data is False  # client viewer
    assert brand_export_request(brand=brand_a, actor=oscar).personal_data is False  # superuser, no grant

"""The role matrix is one table, and the table people read in docs/roles.md is that table."""

import re
from pathlib import Path

import pytest

from tenants.models import BrandGrant
from tenants.roles import INTEGRATION, PERMISSIONS, role_can, roles_with

Role = BrandGrant.Role
# The columns of docs/roles.md, in order: each stands for these roles.
COLUMNS = [
    {Role.AGENCY_OWNER, Role.AGENCY_ADMIN},
    # One column per staff role: the content rows tell them apart.
    {Role.CRISIS_MANAGER},
    {Role.SOCIAL_MEDIA_SPECIALIST},
    {Role.SPOKESPERSON},
    {Role.LEGAL},
    {Role.CUSTOMER_CARE},
    {Role.CLIENT_APPROVER},
    {Role.CLIENT_VIEWER},
    {INTEGRATION},
]


def documented() -> dict[str, list[bool]]:
    text = (Path(__file__).resolve().parents[2] / "docs" / "roles.md").read_text()
    rows = {}
    for line in text.splitlines():
        match = re.match(r"\| `([a-z_.]+)` — [^|]+((?:\|[^|]*)+)\|$", line)
        if match:
            rows[match.group(1)] = [cell.strip() == "✔" for cell in match.group(2).split("|")[1:]]
    return rows


def test_docs_print_exactly_the_matrix():
    rows = documented()
    assert set(rows) == set(PERMISSIONS)
    for permission, cells in rows.items():
        for column, allowed in zip(COLUMNS, cells, strict=True):
            held = {role in PERMISSIONS[permission] for role in column}
            assert held == {allowed}, (permission, column)


def test_client_viewer_reads_and_marks_own_notices_only():
    held = {p for p in PERMISSIONS if role_can(Role.CLIENT_VIEWER, p)}
    assert held == {"brand.read", "notifications.own"}


def test_no_grant_holds_nothing_and_unknown_names_are_errors():
    assert not any(role_can(None, p) for p in PERMISSIONS)
    with pytest.raises(ValueError):
        roles_with("surveys.destroy")

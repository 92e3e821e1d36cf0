"""Role × action: what each crisis role may do on an incident, handed out as guardian object
permissions on assignment and taken back when the assignment ends."""

import pytest
from django.core.exceptions import PermissionDenied

from incidents.permissions import ACTIONS, MATRIX, incident_can
from incidents.services.team import assignment_add, assignment_end
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)
from tests.incidents.fixtures_crisis import make_person

pytestmark = pytest.mark.django_db

# The agreed matrix, written out so a change to incidents/permissions.py has to change it too.
# CM crisis manager, SMS social-media specialist, SP spokesperson, LEG legal, CC customer care,
# CA client approver, CV client viewer (brand grant only; viewers are never assigned).
EXPECTED = """
action                  CM  SMS SP  LEG CC  CA  CV
view                    x   x   x   x   x   x   x
view_internal           x   x   x   x   x   .   .
triage                  x   .   .   .   .   .   .
resolve                 x   .   .   .   .   .   .
manage_team             x   .   .   .   .   .   .
manage_tasks            x   x   x   x   x   .   .
note                    x   x   x   x   x   .   .
pin                     x   .   .   .   .   .   .
draft_response          x   x   x   .   x   .   .
approve_reply           x   .   x   .   .   .   .
approve_statement       x   .   x   .   .   .   .
approve_client          .   .   .   .   .   x   .
hide                    x   x   .   .   x   .   .
delete_request          x   .   .   .   .   .   .
draft_status_update     x   x   .   .   .   .   .
approve_status_update   x   .   .   .   .   .   .
"""
ROLE_COLUMNS = {
    "CM": "crisis_manager",
    "SMS": "social_media_specialist",
    "SP": "spokesperson",
    "LEG": "legal",
    "CC": "customer_care",
    "CA": "client_approver",
    "CV": "client_viewer",
}


def _expected() -> dict[tuple[str, str], bool]:
    lines = [line.split() for line in EXPECTED.strip().splitlines()]
    header = lines[0][1:]
    return {
        (ROLE_COLUMNS[column], row[0]): row[i + 1] == "x"
        for row in lines[1:]
        for i, column in enumerate(header)
    }


CELLS = _expected()


def test_the_written_matrix_covers_every_role_and_action():
    assert {action for _, action in CELLS} == set(ACTIONS)
    assert {role for role, _ in CELLS} == set(MATRIX)


@pytest.mark.parametrize(("role", "action"), sorted(CELLS), ids=[f"{r}-{a}" for r, a in sorted(CELLS)])
def test_role_may_do_exactly_what_the_matrix_says(crisis_incident, ayu, role, action):
    user = make_person(role)
    if user.roster is not None:
        assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=user.roster.pk)
    assert incident_can(user, action, crisis_incident) is CELLS[(role, action)]


def test_assignment_writes_guardian_rows_and_ending_it_removes_them(crisis_incident, ayu):
    from guardian.models import UserObjectPermission

    spokesperson = make_person("spokesperson")
    assignment = assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=spokesperson.roster.pk)
    rows = set(
        UserObjectPermission.objects.filter(user=spokesperson, object_pk=str(crisis_incident.pk)).values_list(
            "permission__codename", flat=True
        )
    )
    assert rows == {ACTIONS[a] for a in MATRIX["spokesperson"]}
    assert incident_can(spokesperson, "approve_statement", crisis_incident)
    assignment_end(assignment_id=assignment.pk, actor=ayu)
    assert not UserObjectPermission.objects.filter(
        user=spokesperson, object_pk=str(crisis_incident.pk)
    ).exists()
    assert not incident_can(spokesperson, "approve_statement", crisis_incident)
    assert crisis_incident.assignments.get().ended_at is not None  # history kept


def test_permissions_hold_on_the_incident_they_were_given_for_only(crisis_incident, ayu):
    from incidents.services.incidents import incident_open

    other = incident_open(actor=ayu, title="Lain")
    spokesperson = make_person("spokesperson")
    assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=spokesperson.roster.pk)
    assert not incident_can(spokesperson, "approve_statement", other)


def test_staff_without_assignment_read_and_note_only(crisis_incident):
    legal = make_person("legal")
    assert incident_can(legal, "view_internal", crisis_incident)
    assert incident_can(legal, "note", crisis_incident)
    assert not incident_can(legal, "manage_tasks", crisis_incident)


def test_brand_crisis_manager_acts_on_every_incident_without_assignment(crisis_incident, ayu):
    assert not crisis_incident.assignments.exists()
    assert incident_can(ayu, "delete_request", crisis_incident)
    assert not incident_can(ayu, "approve_client", crisis_incident)


def test_superuser_gets_nothing_beyond_their_grant(crisis_incident):
    from tenants.models import User

    boss = make_person("client_viewer")
    User.objects.filter(pk=boss.pk).update(is_superuser=True, is_staff=True)
    boss.refresh_from_db()
    assert boss.has_perm("incidents.triage_incident")  # Django's model backend says yes…
    assert not incident_can(boss, "triage", crisis_incident)  # …our check does not ask it
    from incidents.services.timeline import timeline_note_add

    with pytest.raises(PermissionDenied):
        timeline_note_add(incident_id=crisis_incident.pk, actor=boss, text="hai")


def test_user_of_another_brand_may_do_nothing_here(crisis_incident, citra):
    assert not any(incident_can(citra, action, crisis_incident) for action in ACTIONS)


def test_client_approver_cannot_be_rostered_as_staff(in_brand_a, ayu):
    from incidents.services.team import roster_member_add
    from tenants.errors import DomainError

    approver = make_person("client_approver")
    with pytest.raises(DomainError):
        roster_member_add(actor=ayu, user=approver, role="spokesperson")


# Without any assignment, the brand grant alone: brand-wide roles act as crisis managers, other
# staff read everything and add notes, client people read the client view.
CRISIS_MANAGER_ACTIONS = {a for (r, a), ok in CELLS.items() if r == "crisis_manager" and ok}
BRAND_DEFAULTS = {
    "agency_owner": CRISIS_MANAGER_ACTIONS,
    "agency_admin": CRISIS_MANAGER_ACTIONS,
    "crisis_manager": CRISIS_MANAGER_ACTIONS,
    "social_media_specialist": {"view", "view_internal", "note"},
    "spokesperson": {"view", "view_internal", "note"},
    "legal": {"view", "view_internal", "note"},
    "customer_care": {"view", "view_internal", "note"},
    "client_approver": {"view"},
    "client_viewer": {"view"},
}


@pytest.mark.parametrize("role", sorted(BRAND_DEFAULTS))
def test_brand_grant_without_assignment_allows_exactly_the_defaults(crisis_incident, role):
    from tenants.models import User
    from tenants.services import grant_set

    user = User.objects.create_user(f"plain-{role}@example.com", "x")
    grant_set(email=user.email, brand_slug="kopi", role=role)
    allowed = {action for action in ACTIONS if incident_can(user, action, crisis_incident)}
    assert allowed == BRAND_DEFAULTS[role]

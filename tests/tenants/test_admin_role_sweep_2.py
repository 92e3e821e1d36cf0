"""Part 2 of the brand admin's role sweep (see test_admin_role_sweep.py): the same requests,
world and checks, for its share of the roles, in a file of its own so it runs beside the others."""

import pytest

from tests.tenants.test_admin_role_sweep import (  # noqa: F401 - the module's world, built again here
    ROLES_BY_FILE,
    _shared_world,
    sweep_role,
    swept,
)

pytestmark = [pytest.mark.django_db, pytest.mark.heavy]


@pytest.mark.parametrize("role", ROLES_BY_FILE[1])
def test_every_brand_admin_page_action_and_view_follows_the_matrix(swept, client_a, brand_a, role):  # noqa: F811
    sweep_role(swept, client_a, brand_a, role)

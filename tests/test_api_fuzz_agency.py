"""The agency API on the main host fuzzed with a staff session: generated requests for every
operation (a bounded budget shared over the operations) against a real gunicorn; any 5xx or answer
that does not match the schema fails (see tests/fuzz.py)."""

import pytest

pytest.importorskip("schemathesis")
pytestmark = pytest.mark.heavy

from tests.fuzz import fuzz, fuzz_server_fixture, session_headers  # noqa: E402, F401


def test_agency_api_with_a_staff_session(fuzz_server, committed_db):
    from django.conf import settings

    failures, _written = fuzz(
        fuzz_server, host=settings.BASE_DOMAIN, headers=session_headers("oscar@example.com")
    )
    assert failures == [], "\n".join(failures)

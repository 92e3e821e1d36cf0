"""The brand API fuzzed with a staff session (cookie and CSRF token): generated requests for half
of its operations (the API-key run takes the other half) against a real gunicorn; any 5xx or
answer that does not match the schema fails (see tests/fuzz.py). A file of its own, so
pytest-xdist runs it beside the API-key run."""

import pytest

pytest.importorskip("schemathesis")
pytestmark = pytest.mark.heavy

from tests.fuzz import BRAND_API_WITH_A_SESSION, fuzz, fuzz_server_fixture, session_headers  # noqa: E402, F401
from tests.helpers import BRAND_A, brand_host  # noqa: E402


def test_brand_api_with_a_staff_session(fuzz_server, committed_brand_a):
    failures, written = fuzz(
        fuzz_server,
        host=brand_host(BRAND_A),
        headers=session_headers("ayu@example.com"),
        part=BRAND_API_WITH_A_SESSION,
    )
    assert failures == [], "\n".join(failures)
    # The session and its CSRF token were accepted: a staff-only write of its half went through.
    assert "POST /api/v1/response-templates/" in written, written

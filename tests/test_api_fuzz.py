"""The brand API fuzzed with an API key, and the agency API on the main host fuzzed with a staff
session: generated requests for every operation (a bounded budget shared over the operations)
against a real gunicorn; any 5xx or answer that does not match the schema fails (see
tests/fuzz.py)."""

import pytest

pytest.importorskip("schemathesis")

from tests.fuzz import fuzz, fuzz_api_key_fixture, fuzz_server_fixture, session_headers  # noqa: E402, F401
from tests.helpers import BRAND_A, brand_host  # noqa: E402


def test_brand_api_with_an_api_key(fuzz_server, fuzz_api_key):
    failures, written = fuzz(
        fuzz_server, host=brand_host(BRAND_A), headers={"Authorization": f"Bearer {fuzz_api_key}"}
    )
    assert failures == [], "\n".join(failures)
    # The key was accepted: the fuzzer got past authentication into real writes.
    assert "POST /api/v1/mentions/" in written, written


def test_agency_api_with_a_staff_session(fuzz_server, committed_db):
    from django.conf import settings

    failures, _written = fuzz(
        fuzz_server, host=settings.BASE_DOMAIN, headers=session_headers("oscar@example.com")
    )
    assert failures == [], "\n".join(failures)

"""The brand API fuzzed with an API key: generated requests for half of its operations (the staff
session run takes the other half) against a real gunicorn; any 5xx or answer that does not match
the schema fails (see tests/fuzz.py). The agency API and the staff-session run are files of their
own, so pytest-xdist runs the three side by side."""

import pytest

pytest.importorskip("schemathesis")
pytestmark = pytest.mark.heavy

from tests.fuzz import BRAND_API_WITH_A_KEY, fuzz, fuzz_api_key_fixture, fuzz_server_fixture  # noqa: E402, F401
from tests.helpers import BRAND_A, brand_host  # noqa: E402


def test_brand_api_with_an_api_key(fuzz_server, fuzz_api_key):
    failures, written = fuzz(
        fuzz_server,
        host=brand_host(BRAND_A),
        headers={"Authorization": f"Bearer {fuzz_api_key}"},
        part=BRAND_API_WITH_A_KEY,
    )
    assert failures == [], "\n".join(failures)
    # The key was accepted: the fuzzer got past authentication into real writes.
    assert "POST /api/v1/mentions/" in written, written

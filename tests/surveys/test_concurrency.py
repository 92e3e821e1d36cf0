"""Single use under concurrency: 20 simultaneous submissions of one token against committed data
(each thread its own connection, as separate web workers would be) store exactly one response."""

import threading

import pytest
from django.db import connections
from django_tenants.utils import tenant_context

from tests.helpers import BRAND_A, brand_host
from tests.surveys.conftest import invite, make_survey, valid_post

THREADS = 20


@pytest.mark.parametrize("path", ["fast", "full"])
def test_twenty_concurrent_submissions_of_one_token_store_exactly_one(committed_brand_a, settings, path):
    from django.core.cache import cache
    from django.test import Client

    from surveys.models import Answer, Response

    # The per-token limit would answer some of the 20 with 429; here the claim itself is under test.
    settings.SURVEYS_SUBMIT_RATE_PER_TOKEN = "1000/m"
    cache.clear()
    survey = make_survey()
    invitation, token = invite(survey)
    data = valid_post(survey, hidden=path == "fast")  # without the page's hidden fields: the full path
    barrier = threading.Barrier(THREADS)
    results: list = []

    def submit():
        try:
            client = Client(HTTP_HOST=brand_host(BRAND_A), HTTP_ACCEPT_LANGUAGE="en")
            barrier.wait(timeout=30)
            response = client.post(f"/s/{token}/", data)
            results.append((response.status_code, response.content.decode()))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results.append((500, repr(exc)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(status for status, _ in results)
    assert statuses == [302] + [404] * (THREADS - 1), statuses
    assert all("already answered" in body for status, body in results if status == 404)
    with tenant_context(committed_brand_a):
        assert Response.objects.filter(invitation=invitation).count() == 1
        assert Answer.objects.filter(response__invitation=invitation).count() == 9

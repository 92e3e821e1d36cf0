"""Survey links answer uniformly: an unknown, expired, answered or closed link gets the same status
and the same page (nobody learns whether a token exists), and page views are rate limited per link
and per address like submissions."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.surveys.conftest import invite, valid_post

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    # The CSRF token and the CSP nonce differ per response by design; the rest must be identical.
    html = response.content.decode()
    html = re.sub(r'nonce="[^"]*"', "", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(name="links")
def links_fixture(survey_a):
    """One link in each state that cannot be used, and an unknown one."""
    from surveys.models import Invitation
    from surveys.services import survey_close

    _, answered = invite(survey_a, email="a@example.com")
    expired_invitation, expired = invite(survey_a, email="e@example.com")
    Invitation.objects.filter(pk=expired_invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    return survey_a, answered, expired, survey_close, "Q" * 43


def test_unknown_expired_answered_and_closed_links_get_the_same_answer(client_a, links):
    from surveys.services import survey_create, survey_open

    survey, answered, expired, survey_close, unknown = links
    assert client_a.post(f"/s/{answered}/", valid_post(survey)).status_code == 302
    closed_survey = survey_open(
        survey_id=survey_create(
            title_en="Other", title_id="Lain", questions=[{"kind": "nps", "text_en": "?"}]
        ).pk
    )
    _, closed = invite(closed_survey, email="c@example.com")
    survey_close(survey_id=closed_survey.pk)

    answers = {
        name: client_a.get(f"/s/{token}/", HTTP_ACCEPT_LANGUAGE="en")
        for name, token in {
            "unknown": unknown,
            "expired": expired,
            "answered": answered,
            "closed": closed,
        }.items()
    }
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 404)
    bodies = {_body(r) for r in answers.values()}
    assert len(bodies) == 1, "the page differs between link states"
    posted = {
        token: client_a.post(f"/s/{token}/", valid_post(survey), HTTP_ACCEPT_LANGUAGE="en")
        for token in (unknown, expired, answered)
    }
    assert {r.status_code for r in posted.values()} == {404}
    assert {_body(r) for r in posted.values()} == bodies


def test_page_views_are_rate_limited_per_link(client_a, survey_a, settings):
    settings.SURVEYS_VIEW_RATE_PER_TOKEN = "3/m"
    _, token = invite(survey_a)
    statuses = [client_a.get(f"/s/{token}/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client_a.get(f"/s/{token}/opt-out/").status_code == 429
    assert client_a.get(f"/s/{token}/thanks/").status_code == 429
    # Another link from the same address is not held back by this one's count.
    _, other = invite(survey_a, email="other@example.com")
    assert client_a.get(f"/s/{other}/").status_code == 200


def test_unknown_links_are_rate_limited_per_address(client_a, brand_a, settings):
    settings.SURVEYS_VIEW_RATE_PER_IP = "5/m"
    statuses = [client_a.get(f"/s/{'Z' * 42}{i}/", REMOTE_ADDR="10.7.7.7").status_code for i in range(6)]
    assert statuses == [404] * 5 + [429]
    assert client_a.get(f"/s/{'Z' * 43}/", REMOTE_ADDR="10.8.8.8").status_code == 404


def test_viewing_does_not_use_up_the_submissions(client_a, survey_a, settings):
    settings.SURVEYS_VIEW_RATE_PER_TOKEN = "2/m"
    settings.SURVEYS_SUBMIT_RATE_PER_TOKEN = "2/m"
    survey, token = survey_a, invite(survey_a)[1]
    client_a.get(f"/s/{token}/")
    client_a.get(f"/s/{token}/")
    assert client_a.post(f"/s/{token}/", valid_post(survey)).status_code == 302


def test_crafted_form_bodies_on_the_public_page_are_answered_not_a_500(client_a, survey_a, settings):
    _, token = invite(survey_a)
    for body in ("s=%ED%A0%80&v=%FF&l=en", "%ED%A0%80=%00&csrfmiddlewaretoken=x", "a" * 50):
        response = client_a.generic(
            "POST", f"/s/{token}/", body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code in (400, 403), response.status_code
        response.content.decode("utf-8")
    bogus = client_a.generic(
        "POST", f"/s/{token}/", b"s=1", content_type="application/x-www-form-urlencoded; charset=bogus"
    )
    assert bogus.status_code in (400, 403)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    too_big = client_a.post(f"/s/{token}/", {"s": "x" * 500})
    assert too_big.status_code in (400, 413)

"""One sign-in across hosts: the brand switcher hands a signed-in user to another brand's host with
a one-time pass that is bound to that brand, expires within a minute, and still needs a grant."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.helpers import BRAND_A, BRAND_B, brand_host

pytestmark = pytest.mark.django_db


@pytest.fixture
def ayu_on_both(ayu, brand_b):
    from tenants.services import grant_set

    grant_set(email=ayu.email, brand_slug=BRAND_B, role="spokesperson")
    return ayu


def _fresh(slug: str) -> Client:
    """A browser's cookie jar for one host: nothing from the other host's session."""
    return Client(HTTP_HOST=brand_host(slug))


def _switch(client, slug: str) -> str:
    response = client.post("/accounts/switch/", {"brand": slug})
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def _path(url: str) -> str:
    return url.split(brand_host(BRAND_B), 1)[-1].split(brand_host(BRAND_A), 1)[-1]


def test_switcher_signs_the_user_in_on_the_other_brand(client_a, ayu_on_both):
    from tenants.models import SignInHandoff

    url = _switch(client_a.login_as(ayu_on_both), BRAND_B)
    assert url.startswith(f"http://{brand_host(BRAND_B)}/accounts/handoff/")
    # Only a hash is kept: the token in the link is not in the table.
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert not SignInHandoff.objects.filter(token_hash=token).exists()
    target = _fresh(BRAND_B)
    assert target.get("/admin/").status_code == 302  # not signed in there yet
    response = target.get(_path(url))
    assert response.status_code == 302 and response["Location"] == "/"
    landed = target.get("/", follow=True)
    assert landed.request["PATH_INFO"] == "/admin/"
    assert "Batik Lestari · Tanggap" in landed.content.decode()
    assert int(target.session["_auth_user_id"]) == ayu_on_both.pk


def test_a_used_hand_off_is_refused(client_a, ayu_on_both):
    url = _switch(client_a.login_as(ayu_on_both), BRAND_B)
    assert _fresh(BRAND_B).get(_path(url)).status_code == 302
    second = _fresh(BRAND_B)
    response = second.get(_path(url))
    assert response.status_code == 403 and "already been used" in response.content.decode()
    assert "_auth_user_id" not in second.session


def test_an_expired_hand_off_is_refused(client_a, ayu_on_both):
    from tenants.models import SignInHandoff

    url = _switch(client_a.login_as(ayu_on_both), BRAND_B)
    SignInHandoff.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    target = _fresh(BRAND_B)
    response = target.get(_path(url))
    assert response.status_code == 403 and "expired" in response.content.decode()
    assert "_auth_user_id" not in target.session


def test_a_hand_off_expires_within_a_minute(client_a, ayu_on_both):
    from tenants.models import SignInHandoff

    before = timezone.now()
    _switch(client_a.login_as(ayu_on_both), BRAND_B)
    handoff = SignInHandoff.objects.get(user=ayu_on_both)
    assert handoff.expires_at <= before + timedelta(seconds=61)


def test_a_tampered_hand_off_is_refused(client_a, ayu_on_both):
    url = _switch(client_a.login_as(ayu_on_both), BRAND_B)
    path = _path(url)
    token = path.rstrip("/").rsplit("/", 1)[-1]
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    target = _fresh(BRAND_B)
    response = target.get(f"/accounts/handoff/{forged}/")
    assert response.status_code == 403 and "not valid" in response.content.decode()
    assert "_auth_user_id" not in target.session
    # The real one is untouched by the forgery.
    assert _fresh(BRAND_B).get(path).status_code == 302


def test_a_hand_off_for_brand_b_cannot_be_replayed_on_brand_a(client_a, ayu_on_both):
    url = _switch(client_a.login_as(ayu_on_both), BRAND_B)
    replay = _fresh(BRAND_A)
    response = replay.get(_path(url))
    assert response.status_code == 403
    assert "_auth_user_id" not in replay.session
    # Refused on the wrong host, it still works once on its own.
    assert _fresh(BRAND_B).get(_path(url)).status_code == 302


def test_switching_to_a_brand_without_a_grant_is_refused(client_a, ayu):
    from tenants.models import SignInHandoff

    response = client_a.login_as(ayu).post("/accounts/switch/", {"brand": BRAND_B})
    assert response.status_code == 403
    assert not SignInHandoff.objects.exists()


def test_a_grant_revoked_after_the_hand_off_was_made_is_refused(client_a, ayu_on_both):
    from tenants.models import SignInHandoff
    from tenants.services import grant_revoke

    url = _switch(client_a.login_as(ayu_on_both), BRAND_B)
    grant_revoke(email=ayu_on_both.email, brand_slug=BRAND_B)
    target = _fresh(BRAND_B)
    response = target.get(_path(url))
    assert response.status_code == 403 and "no access to Batik Lestari" in response.content.decode()
    assert "_auth_user_id" not in target.session
    assert SignInHandoff.objects.get().used_at is None  # the refusal wrote nothing


def test_hand_off_service_refuses_a_brand_without_a_grant(ayu, brand_b):
    from tenants.errors import DomainError
    from tenants.services import handoff_create

    with pytest.raises(DomainError):
        handoff_create(user=ayu, brand=brand_b)


def test_a_stranger_cannot_start_a_switch(client_a):
    from tenants.models import SignInHandoff

    response = client_a.post("/accounts/switch/", {"brand": BRAND_A})
    assert response.status_code == 302 and "/accounts/handoff/" not in response["Location"]
    assert not SignInHandoff.objects.exists()


def test_switch_start_needs_post(client_a, ayu_on_both):
    assert client_a.login_as(ayu_on_both).get("/accounts/switch/").status_code == 405


def test_switcher_lists_only_the_users_brands(client_a, ayu_on_both, budi):
    page = client_a.login_as(ayu_on_both).get("/admin/").content.decode()
    assert (
        'action="/accounts/switch/"' in page and f'<option value="{BRAND_B}">Batik Lestari</option>' in page
    )
    report = client_a.get("/reports/incidents/").content.decode()
    assert f'<option value="{BRAND_B}">Batik Lestari</option>' in report
    # Budi has brand A only: nothing to switch to, and never another agency's brand.
    page = client_a.login_as(budi).get("/reports/incidents/").content.decode()
    assert 'action="/accounts/switch/"' not in page and "Batik Lestari" not in page


def test_agency_owner_opens_a_brand_from_the_agency_admin_without_signing_in_again(main_client, brand_a):
    from tenants.models import AgencyMembership, User

    owner = User.objects.create_user("pemilik@example.com", "x")
    AgencyMembership.objects.create(user=owner, agency=brand_a.agency, role="owner")
    page = main_client.login_as(owner).get("/admin/").content.decode()
    assert "Open brand" in page and f'<option value="{BRAND_A}">Kopi Nusantara</option>' in page
    url = _switch(main_client, BRAND_A)
    assert url.startswith(f"http://{brand_host(BRAND_A)}/accounts/handoff/")
    target = _fresh(BRAND_A)
    assert target.get(_path(url)).status_code == 302
    assert target.get("/admin/").status_code == 200

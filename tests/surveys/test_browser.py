"""The public page in a real headless Chromium with JavaScript switched off, on a phone-sized
screen: fill in, see a field error, correct it, submit, thank-you page; screenshots saved."""

import pytest
from django_tenants.utils import tenant_context

from tests.browser import screenshot
from tests.helpers import BRAND_A, brand_host
from tests.surveys.conftest import invite, make_survey

pytestmark = pytest.mark.browser


def test_customer_answers_on_a_phone_without_javascript(
    committed_brand_a, committed_live_server, browser_page
):
    from surveys.models import Answer, Response

    # Playwright runs an event loop in this thread, so Django hands out a fresh connection here:
    # enter the brand's schema explicitly. The data is committed, so the server threads see it.
    with tenant_context(committed_brand_a):
        survey = make_survey()
        invitation, token = invite(survey, language="en", name="Sari")
    page = browser_page
    url = committed_live_server.url(brand_host(BRAND_A), f"/s/{token}/")

    page.goto(url)
    assert page.locator("header .brand").inner_text() == "Kopi Nusantara"
    assert "Hello Sari," in page.content()
    # Leave the required CSAT empty, fill in the rest: the page comes back with the error and keeps the rest.
    page.get_by_role("group", name="Would you recommend us?").get_by_text("9", exact=True).click()
    page.get_by_label("Yes", exact=True).first.check()
    page.get_by_label("Price").check()
    page.get_by_label("Your city").fill("Surabaya")
    page.get_by_label("Tell us more").fill("Quick, kind reply on Instagram.")
    page.get_by_role("button", name="Send my answers").click()
    assert page.locator(".errorlist").first.inner_text() == "Please answer this question."
    assert page.get_by_label("Your city").input_value() == "Surabaya"
    screenshot(page, "survey_field_error")

    page.get_by_role("group", name="How satisfied are you?").get_by_text("5", exact=True).click()
    page.get_by_role("group", name="May we quote you?").get_by_text("Yes, with my initials only").click()
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url(f"**/s/{token}/thanks/")
    assert page.get_by_role("heading").inner_text() == "Thank you!"
    path = screenshot(page, "survey_thanks")
    assert path.exists() and path.stat().st_size > 1000

    with tenant_context(committed_brand_a):
        response = Response.objects.get(invitation=invitation)
        numbers = dict(
            Answer.objects.filter(response=response, number__isnull=False).values_list(
                "question__kind", "number"
            )
        )
        assert numbers == {"csat": 5, "nps": 9, "consent": 1}
        assert Answer.objects.get(response=response, question__kind="short_text").text == "Surabaya"

    page.goto(url)  # the link is used now: the same page as any link that cannot be used
    assert page.get_by_role("heading").inner_text() == "This survey link is not available"
    assert "already answered" in page.content()

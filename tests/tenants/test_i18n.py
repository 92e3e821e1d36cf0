"""English and Bahasa Indonesia from the start: the browser's language picks the interface's."""

import pytest

pytestmark = pytest.mark.django_db


def test_brand_workspace_speaks_indonesian_to_an_indonesian_browser(client_a):
    response = client_a.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200
    assert "Ruang kerja merek Tanggap" in response.content.decode()


def test_brand_workspace_speaks_english_by_default(client_a):
    response = client_a.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Tanggap brand workspace" in response.content.decode()

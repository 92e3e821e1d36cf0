"""Every message in the reader's language: each app's Indonesian catalogue translates every entry
(none empty, none fuzzy, the same placeholders), and the main staff and client pages rendered in
Indonesian leave no text of the English catalogue untranslated."""

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from tenants.models import AgencyMembership, User

ROOT = Path(settings.BASE_DIR)
CATALOGUES = sorted(
    p
    for p in ROOT.glob("**/locale/id/LC_MESSAGES/django.po")
    if ".venv" not in p.parts and ".data" not in p.parts
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


def _entries():
    for path in CATALOGUES:
        for entry in polib.pofile(str(path)):
            if not entry.obsolete:
                yield path.relative_to(ROOT), entry


def test_every_catalogue_entry_has_an_indonesian_translation():
    assert {p.parts[0] for p in (c.relative_to(ROOT) for c in CATALOGUES)} >= {
        "locale",
        "incidents",
        "content",
        "surveys",
    }
    problems = []
    for path, entry in _entries():
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if "fuzzy" in entry.flags:
            problems.append(f"{path}: fuzzy: {entry.msgid!r}")
        elif not all(t.strip() for t in translations):
            problems.append(f"{path}: untranslated: {entry.msgid!r}")
        elif any(
            sorted(PLACEHOLDER.findall(t)) != sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
            for t in translations
        ):
            problems.append(f"{path}: placeholders differ: {entry.msgid!r}")
    assert problems == []


class _TextNodes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.nodes: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._skip:
            self.nodes.append(text)


def _english_msgids() -> set[str]:
    """Texts of our catalogues that read differently in Indonesian. A word that Indonesian keeps
    ("Email", "Filter" in Django's own admin catalogue) is no sign of a missed translation."""
    english = set()
    with translation.override("id"):
        for _path, entry in _entries():
            if entry.msgid_plural or "%" in entry.msgid or not re.search(r"[A-Za-z]{3}", entry.msgid):
                continue
            if entry.msgctxt is None and translation.gettext(entry.msgid) == entry.msgid:
                continue
            if entry.msgstr.strip().lower() != entry.msgid.strip().lower():
                english.add(" ".join(entry.msgid.split()))
    return english


@pytest.mark.django_db
def test_main_pages_in_indonesian_leave_no_english_catalogue_text(brand_a, client_a, main_client, ayu, budi):
    from django_tenants.utils import tenant_context

    from incidents.services.incidents import incident_open
    from tests.incidents.fixtures_crisis import make_mention

    with tenant_context(brand_a):
        mention = make_mention(text="Kopinya basi, saya kecewa!")
        incident = incident_open(actor=ayu, title="Kopi basi", severity=2, mention_ids=[mention.pk])
    connection.set_schema_to_public()
    User.objects.filter(pk__in=[ayu.pk, budi.pk]).update(language="id")
    owner = User.objects.create_user("pemilik-id@example.com", "x", language="id")
    AgencyMembership.objects.create(user=owner, agency=brand_a.agency, role="owner")
    english = _english_msgids()
    pages = [
        (client_a.login_as(ayu), "/admin/"),
        (client_a, "/admin/incidents/incident/"),
        (client_a, f"/admin/incidents/incident/{incident.pk}/war-room/"),
        (client_a, "/admin/incidents/mention/"),
        (client_a, "/admin/incidents/alert/"),
        (main_client.login_as(owner), "/admin/"),
    ]
    left = {}
    for client, path in pages:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")  # the person's choice wins
        assert response.status_code == 200, path
        parser = _TextNodes()
        parser.feed(response.content.decode())
        if found := sorted(set(parser.nodes) & english):
            left[path] = found
    report = client_a.login_as(budi).get("/reports/incidents/", HTTP_ACCEPT_LANGUAGE="en")
    parser = _TextNodes()
    parser.feed(report.content.decode())
    if found := sorted(set(parser.nodes) & english):
        left["/reports/incidents/"] = found
    assert left == {}

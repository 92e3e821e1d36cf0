"""Shared fixtures for the crisis-work tests (imported by each tests/incidents/test_crisis_*.py).

Everything runs inside brand A's schema: `crisis_incident` is an incident Ayu (crisis manager of
brand A) opened; `person(role)` makes a user with that grant on brand A and a roster entry."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Alert
from tenants.models import BrandGrant, User
from tenants.services import grant_set

_counter = itertools.count(1)


def make_mention(**fields):
    from incidents.models import Mention

    n = next(_counter)
    defaults = {
        "platform": "instagram",
        "external_id": f"ig-{n}-{timezone.now().timestamp()}",
        "kind": Mention.Kind.COMMENT,
        "author_handle": f"pelanggan{n}",
        "text": "Kopinya basi, saya kecewa!",
        "posted_at": timezone.now() - timedelta(minutes=30),
    }
    return Mention.objects.create(**{**defaults, **fields})


def make_person(role: str, *, brand_slug: str = "kopi", email: str | None = None):
    """A user with `role` as their grant on the brand, and (for crisis roles) a roster entry."""
    from incidents.models import CrisisRole, RosterMember

    email = email or f"{role}-{next(_counter)}@example.com"
    user = User.objects.create_user(email, "x", name=role.replace("_", " ").title())
    grant_set(email=email, brand_slug=brand_slug, role=role)
    member = None
    if role in CrisisRole.values:
        member = RosterMember.objects.create(user=user, name=user.name, role=role, email=email)
    user.roster = member
    return user


@pytest.fixture
def crisis_incident(in_brand_a, ayu):
    from incidents.services.incidents import incident_open

    return incident_open(actor=ayu, title="Kopi basi di gerai Bandung", severity=2, summary="Banyak keluhan")


@pytest.fixture
def ayu_member(in_brand_a, ayu):
    from incidents.models import CrisisRole, RosterMember

    return RosterMember.objects.get_or_create(
        user=ayu, role=CrisisRole.CRISIS_MANAGER, defaults={"name": "Ayu", "email": ayu.email}
    )[0]


@pytest.fixture
def person(in_brand_a):
    return make_person


@pytest.fixture
def mention(in_brand_a):
    return make_mention()


@pytest.fixture
def guidelines(in_brand_a, ayu):
    from incidents.services.moderation import guidelines_publish

    return guidelines_publish(
        actor=ayu,
        rules=[
            {"title": "Hormati sesama", "text": "Tidak ada hinaan, SARA atau ancaman."},
            {"title": "Tidak ada spam", "text": "Tidak ada promosi atau tautan berulang."},
            {
                "title": "Lindungi data pribadi",
                "text": "Jangan membagikan nomor telepon atau alamat orang lain.",
            },
        ],
        intro="Pedoman komunitas Kopi Nusantara",
    )


@pytest.fixture
def responding_incident(crisis_incident, ayu, ayu_member):
    """An incident that is triaged, has Ayu as its crisis manager, and is responding."""
    from incidents.services.incidents import incident_transition, incident_update
    from incidents.services.team import assignment_add

    incident_update(incident_id=crisis_incident.pk, actor=ayu, source_category="product_defect")
    incident_transition(incident_id=crisis_incident.pk, actor=ayu, to_status="triaged")
    assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=ayu_member.pk)
    return incident_transition(incident_id=crisis_incident.pk, actor=ayu, to_status="responding")


@pytest.fixture
def webhook_all(in_brand_a):
    """A subscription to every event, so emitted events leave deliveries to count."""
    from incidents.models import WebhookSubscription

    return WebhookSubscription.objects.create(
        name="all", url="https://hooks.example.com/t", events=["*"], secret="whsec_x"
    )


STAFF_ROLES = sorted(BrandGrant.STAFF_ROLES)


class count_queries:  # noqa: N801 (used as a context manager)
    """Every SQL statement run inside the block, including a test client request's (the
    request_started signal clears Django's query log, so CaptureQueriesContext miscounts there)."""

    def __enter__(self):
        from django.db import connection

        self.statements: list[str] = []

        def record(execute, sql, params, many, context):
            self.statements.append(sql)
            return execute(sql, params, many, context)

        self._wrapper = connection.execute_wrapper(record)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)

    def __len__(self) -> int:
        return len(self.statements)


def make_alert(severity=Alert.Severity.HIGH, mention_ids=()):
    now = timezone.now()
    return Alert.objects.create(
        detector=Alert.Detector.NEGATIVE_SPIKE,
        condition_key=f"spike:{now.timestamp()}:{severity}",
        severity=severity,
        title="Lonjakan komentar negatif: 48 dalam 1 jam",
        window_start=now - timedelta(hours=1),
        window_end=now,
        last_seen_at=now,
        evidence={"count": 48, "baseline": 6.0, "example_mention_ids": [str(m) for m in mention_ids]},
    )

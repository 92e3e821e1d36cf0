"""The shared cast and fixtures. Brands A and B, the template schema and the users are created once
per test database (kept with --reuse-db); each test runs in a transaction that is rolled back.

The cast: Ayu is the crisis manager of brand A, Budi a client viewer of brand A, Citra agency staff
on brand B only, and Oscar a superuser with no grant at all."""

import fcntl
import os
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from tests.helpers import BRAND_A, BRAND_B, brand_host

PASSWORD = "correct-horse-battery"

# Production hashing (PBKDF2, about a quarter of a second per password) was most of the suite's CPU:
# every test that makes a person paid it. Tests hash with MD5; the production hashers stay listed
# after it, so a hash kept from before (the cast, a demo seeded by a subprocess) still verifies.
settings.PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    *[h for h in settings.PASSWORD_HASHERS if not h.endswith("MD5PasswordHasher")],
]


def _ensure_cast():
    from tenants.models import Agency, Brand, BrandGrant, User
    from tenants.services import agency_create, brand_create, grant_set, template_brand_ensure

    template_brand_ensure()
    agency = Agency.objects.filter(slug="suara").first() or agency_create(slug="suara", name="Suara")
    for slug, name in ((BRAND_A, "Kopi Nusantara"), (BRAND_B, "Batik Lestari")):
        if not Brand.objects.filter(slug=slug).exists():
            brand_create(agency=agency, slug=slug, name=name)
    for email, brand, role in (
        ("ayu@example.com", BRAND_A, BrandGrant.Role.CRISIS_MANAGER),
        ("budi@example.com", BRAND_A, BrandGrant.Role.CLIENT_VIEWER),
        ("citra@example.com", BRAND_B, BrandGrant.Role.SOCIAL_MEDIA_SPECIALIST),
    ):
        if not User.objects.filter(email=email).exists():
            User.objects.create_user(email, PASSWORD, name=email.split("@")[0].title())
        grant_set(email=email, brand_slug=brand, role=role)
    if not User.objects.filter(email="oscar@example.com").exists():
        User.objects.create_superuser("oscar@example.com", PASSWORD, name="Oscar")


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """Always set up the test database, even when only committed-data (worker) tests were
    collected: pytest-django's own version skips it then and would use the real database.

    Under pytest-xdist one process builds (or brings up to date) a template database and every
    test process copies it (`_clone_for_this_process`): migrating the brand schemas once instead of
    once per process was a third of a fresh run's CPU."""
    with django_db_blocker.unblock():
        if os.environ.get("PYTEST_XDIST_WORKER"):
            _clone_for_this_process(rebuild=django_db_createdb, verbosity=request.config.option.verbose)
        else:
            _build(
                keepdb=django_db_keepdb and not django_db_createdb, verbosity=request.config.option.verbose
            )
        assert connection.settings_dict["NAME"].startswith("test_")
        connection.set_schema_to_public()


def _build(*, keepdb: bool, verbosity: int) -> None:
    """Create (or, kept, bring up to date) the test database named by the settings, with the cast."""
    from django.test.utils import setup_databases

    setup_databases(verbosity=verbosity, interactive=False, aliases={"default"}, keepdb=keepdb)
    # With --reuse-db the kept database may predate a new migration; this is a no-op otherwise.
    call_command("migrate_schemas", interactive=False, verbosity=0)
    _ensure_cast()
    connection.set_schema_to_public()


# The xdist template database and the lock its builder holds (see `_clone_for_this_process`).
_TEMPLATE_DB = f"test_{settings.DATABASES['default']['NAME']}_template"
_LOCK_DIR = Path(settings.BASE_DIR) / ".data"


@contextmanager
def _template_lock(run_id: str, *, rebuild: bool, verbosity: int):
    """Hold the template lock, building or updating the template first unless this run already
    did (the run's id is kept in a stamp file beside the lock)."""
    _LOCK_DIR.mkdir(exist_ok=True)
    stamp = _LOCK_DIR / f"{_TEMPLATE_DB}.run"
    with open(_LOCK_DIR / f"{_TEMPLATE_DB}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not run_id or not stamp.exists() or stamp.read_text() != run_id:
            connection.settings_dict["TEST"]["NAME"] = _TEMPLATE_DB
            _build(keepdb=not rebuild, verbosity=verbosity)
            # CREATE DATABASE ... TEMPLATE needs the template to have no open connection.
            connection.close()
            stamp.write_text(run_id)
        yield


def _clone_for_this_process(*, rebuild: bool, verbosity: int) -> None:
    """Point this xdist worker at a fresh copy of the run's template database. The controller
    builds or updates the template while the workers collect (`pytest_sessionstart`); a worker
    that finds it not yet built for this run waits for the lock or builds it itself."""
    worker_db = connection.settings_dict["TEST"]["NAME"]
    with _template_lock(os.environ.get("PYTEST_XDIST_TESTRUNUID", ""), rebuild=rebuild, verbosity=verbosity):
        _run_on_server(
            f'DROP DATABASE IF EXISTS "{worker_db}" WITH (FORCE)',
            # FILE_COPY copies the files instead of writing every block to the WAL: about ten
            # times faster for a database of this size.
            f'CREATE DATABASE "{worker_db}" TEMPLATE "{_TEMPLATE_DB}" STRATEGY FILE_COPY',
            # A test database need not survive a crash of the server: its commits (the test's,
            # and those of the workers and servers it starts) do not wait for the disk.
            f'ALTER DATABASE "{worker_db}" SET synchronous_commit TO off',
        )
    connection.settings_dict["NAME"] = worker_db
    connection.settings_dict["TEST"]["NAME"] = worker_db
    settings.DATABASES["default"]["NAME"] = worker_db
    connection.close()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """Under xdist the controller fixes the run's id itself, so that it can stamp the template it
    builds with the id the workers will be given."""
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        if not getattr(config.option, "testrunuid", None):
            config.option.testrunuid = uuid.uuid4().hex


def pytest_sessionstart(session):
    """Under xdist the controller, which runs no test, builds the template database in the
    background while the workers start and collect: a fresh clone's migrations overlap the
    collection instead of following it."""
    config = session.config
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return
    from pytest_django.plugin import blocking_manager_key

    def build() -> None:
        try:
            with config.stash[blocking_manager_key].unblock():
                with _template_lock(
                    config.option.testrunuid, rebuild=config.getoption("create_db"), verbosity=0
                ):
                    pass
        finally:
            connection.close()

    threading.Thread(target=build, name="template-database", daemon=True).start()


def _run_on_server(*statements: str) -> None:
    """Run statements outside any database of the suite (CREATE/DROP DATABASE need that)."""
    with connection._nodb_cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@pytest.fixture(autouse=True)
def _start_in_public_schema():
    """A request through the test client leaves the connection in the brand's schema; every test
    starts from public, as a real request or task does."""
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _start_in_the_default_language():
    """A request through the test client leaves its reader's language active in the test process
    (the locale middleware activates it and nothing deactivates it), so a later test in the same
    process would read Indonesian; every test starts in the default language, as a new process
    does."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _get(model_path: str, **lookup):
    from django.apps import apps

    return apps.get_model(model_path).objects.get(**lookup)


@pytest.fixture
def brand_a(db):
    return _get("tenants.Brand", slug=BRAND_A)


@pytest.fixture
def brand_b(db):
    return _get("tenants.Brand", slug=BRAND_B)


@pytest.fixture
def ayu(db):
    return _get("tenants.User", email="ayu@example.com")


@pytest.fixture
def budi(db):
    return _get("tenants.User", email="budi@example.com")


@pytest.fixture
def citra(db):
    return _get("tenants.User", email="citra@example.com")


@pytest.fixture
def oscar(db):
    return _get("tenants.User", email="oscar@example.com")


@pytest.fixture
def in_brand_a(brand_a):
    """Run the test body inside brand A's schema."""
    with tenant_context(brand_a):
        yield brand_a
    connection.set_schema_to_public()


@pytest.fixture
def in_brand_b(brand_b):
    with tenant_context(brand_b):
        yield brand_b
    connection.set_schema_to_public()


class BrandClient(Client):
    """A test client bound to one host; `login_as` signs a user in on that host."""

    def __init__(self, host: str, **kwargs):
        super().__init__(HTTP_HOST=host, **kwargs)
        self.host = host

    def login_as(self, user) -> "BrandClient":
        self.force_login(user)
        return self


@pytest.fixture
def client_a(brand_a):
    return BrandClient(brand_host(BRAND_A))


@pytest.fixture
def client_b(brand_b):
    return BrandClient(brand_host(BRAND_B))


@pytest.fixture
def main_client(db):
    return BrandClient(settings.BASE_DOMAIN)


@pytest.fixture
def api_key_a(brand_a):
    from tenants.services import api_key_create

    return api_key_create(brand=brand_a, name="test integration")[1]


@pytest.fixture
def api_key_b(brand_b):
    from tenants.services import api_key_create

    return api_key_create(brand=brand_b, name="test integration")[1]


# The real worker and committed-data fixtures live in tests/worker.py.
from tests.worker import celery_worker, committed_brand_a, committed_db  # noqa: E402, F401


def pytest_terminal_summary(terminalreporter):
    """Show the figures tests record (sentiment accuracy and macro-F1 per language, threat and abuse
    precision and recall) at the end of every run,
    also under -q and pytest-xdist, where a test's own output is captured."""
    figures = [
        (name, value)
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        if getattr(report, "when", "call") == "call"
        for name, value in getattr(report, "user_properties", [])
        if any(word in name for word in ("accuracy", "macro_f1", "precision", "recall"))
    ]
    if figures:
        terminalreporter.write_sep("-", "recorded figures")
        for name, value in sorted(figures):
            terminalreporter.write_line(f"{name}: {value}")


# Scheduling weights: pytest-xdist (--dist loadfile) hands out files in collection order; by
# default it orders them by their number of tests, so a single twenty-second test (a fuzz run, a
# broker outage) started last and the run waited for it alone. Longest files go first instead; a
# stable sort keeps each file's own order.
_WEIGHT_HEAVY = 30.0  # marked `heavy`: a file that costs tens of seconds of CPU
_WEIGHT_PROCESS = 8.0  # starts a real worker, browser, broker or database
_WEIGHT_PLAIN = 0.2


def pytest_collection_modifyitems(config, items):
    weights: dict[str, float] = {}
    for item in items:
        if item.get_closest_marker("heavy"):
            weight = _WEIGHT_HEAVY
        elif any(item.get_closest_marker(name) for name in ("worker", "faults", "browser")):
            weight = _WEIGHT_PROCESS
        else:
            weight = _WEIGHT_PLAIN
        file = item.nodeid.split("::", 1)[0]
        weights[file] = weights.get(file, 0.0) + weight
    items.sort(key=lambda item: -weights[item.nodeid.split("::", 1)[0]])

"""The schema-driven fuzzer (schemathesis) the API fuzz tests share: a real gunicorn on the test
database, an API key and a staff session for it, and `fuzz()`, which runs generated requests
against every operation of a host's OpenAPI schema and returns every 5xx and every answer that does
not match the schema.

Bounded by work, not by wall clock: a fixed budget of `TOTAL_EXAMPLES` generated requests per run,
shared evenly over the schema's operations (`examples_per_operation`: at most `MAX_EXAMPLES`, at
least `MIN_EXAMPLES`, so every operation is always fuzzed). Why: the whole suite must stay under 5
minutes on two cores, so each fuzz test may take ~35 s on a quiet machine; at a fixed 30 requests
per operation the run grew with every endpoint (the brand API went from 73 to 135 operations and
each test from ~35 s to ~200 s). A run costs a fixed part per operation (strategies built, first
requests) plus a part per request, so the budget is half of the old 73 x 30 requests: 8 per
operation at 135 operations (measured on a loaded machine: 104-124 s per test with the budget,
137-172 s with 16 per operation, 190-210 s with 30). Add an operation and the others get fewer
requests, not the run more time. Also bounded: only the fuzzing phase, a fixed seed, no
shrinking, one client thread, and each host's schema fetched once per test session (`_schema`,
shared between the xdist workers through a file) instead of generated again per test.

The brand API is fuzzed once, its operations shared between two runs: with an API key and with a
staff session (`part`: every other operation in path order, plus the write each run asserts it
reached, `PINNED`; each at the depth the whole API would get). Both used to fuzz every operation,
but with the same seed and schema they generated the same requests, so the second run only repeated
the first under another sign-in, at a third of the suite's fuzzing time; split, each sign-in still
reaches reads and writes across every area.

The tests are in three files (API key, staff session, agency API), so pytest-xdist runs them side
by side."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events

from tests.helpers import BRAND_A, brand_host
from tests.worker import ROOT, _die_with_parent, subprocess_env, wait_for

MAX_EXAMPLES = 30
MIN_EXAMPLES = 5
TOTAL_EXAMPLES = 73 * 15  # half the requests of the 73-operation, 30-each run


def examples_per_operation(operations: int) -> int:
    """The share of the run's budget each operation gets (see the module's docstring)."""
    return max(MIN_EXAMPLES, min(MAX_EXAMPLES, TOTAL_EXAMPLES // max(operations, 1)))


# Any 5xx, and any answer whose body does not match the schema. (4xx codes are not all documented
# per operation, so status-code conformance is not checked.)
CHECKS = ("not_a_server_error", "response_schema_conformance")


# The folder where `_schema` keeps each host's schema for the session (set by `fuzz_server`).
_SCHEMAS: list[Path] = []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(name="fuzz_server", scope="module")
def fuzz_server_fixture(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real gunicorn (1 process x 4 threads, persistent database connections: the fuzzer sends
    one request at a time, so a second process would only cost another Django start) on the test
    database, with its own broker folder so the tasks it queues reach no test worker."""
    from django.conf import settings

    folder = tmp_path_factory.mktemp("fuzz")
    # Under xdist each worker has its own base folder inside the session's one: share the parent.
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    _SCHEMAS[:] = [shared]
    with django_db_blocker.unblock():
        env = subprocess_env()
    env.update(
        # As in production: DEBUG off (no debug pages, no query log), the test process's key so the
        # sessions made here are valid there.
        DEBUG="0",
        SECRET_KEY=settings.SECRET_KEY,
        SECURE_SSL_REDIRECT="0",
        CELERY_BROKER_FOLDER=str(folder / "broker"),
        API_THROTTLE_RATE="1000000/min",  # the fuzzer is not the client the throttle is for
        ALLOWED_HOSTS="*",
    )
    port = _free_port()
    log = folder / "gunicorn.log"
    proc = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "platform.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "-k",
            "gthread",
            "--threads",
            "4",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent,
    )
    base = f"http://127.0.0.1:{port}"

    def up():
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            return requests.get(f"{base}/healthz", headers={"Host": brand_host(BRAND_A)}, timeout=30).ok
        except requests.ConnectionError:
            return False

    try:
        wait_for(up, timeout=60, message="gunicorn to answer")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@pytest.fixture(name="fuzz_api_key")
def fuzz_api_key_fixture(committed_brand_a):
    from tenants.models import BrandApiKey
    from tenants.services import api_key_create

    key, plain = api_key_create(brand=committed_brand_a, name="fuzzer")
    yield plain
    BrandApiKey.objects.filter(pk=key.pk).delete()


def session_headers(user_email: str) -> dict[str, str]:
    """A signed-in session for `user_email`, as the browser would hold it: the session cookie, the
    CSRF cookie and the same token in X-CSRFToken."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils.crypto import get_random_string

    from tenants.models import User

    user = User.objects.get(email=user_email)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    csrf = get_random_string(32)  # a CSRF secret: 32 letters and digits
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"
    return {"Cookie": cookie, "X-CSRFToken": csrf}


def _schema(base: str, host: str, schema_path: str) -> dict:
    """The host's schema as the server answers it, generated once per test session: kept in a file
    in the session's temporary folder, which the xdist workers share (each worker runs its own
    gunicorn on the same code and database, so the schema is the same); a worker that finds no
    file fetches the schema and writes the file atomically."""
    cached = _SCHEMAS[0] / f"{host}{schema_path.replace('/', '_')}.json" if _SCHEMAS else None
    if cached is not None and cached.exists():
        return json.loads(cached.read_text())
    raw = requests.get(f"{base}{schema_path}?format=json", headers={"Host": host}, timeout=60)
    raw.raise_for_status()
    if cached is not None:
        partial = cached.with_suffix(f".{os.getpid()}.part")
        partial.write_text(raw.text)
        partial.replace(cached)
    return raw.json()


_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


# Operations each part always fuzzes: the write each run asserts it reached (past sign-in, into
# real writes). Pinned, so an endpoint added elsewhere cannot move them to the other part.
PINNED = {("/api/v1/mentions/", "post"): 0, ("/api/v1/response-templates/", "post"): 1}


def _part_of(raw: dict, part: tuple[int, int]) -> dict:
    """The schema with only operation number `index`, `index + count`, ... (in path and method
    order, the pinned ones aside) of `part = (index, count)`, plus the operations pinned to it."""
    index, count = part
    operations = sorted(
        (path, method)
        for path, item in raw["paths"].items()
        for method in item
        if method in _METHODS and (path, method) not in PINNED
    )
    keep = set(operations[index::count])
    if count > 1:
        keep |= {operation for operation, pinned in PINNED.items() if pinned == index}
    paths = {}
    for path, item in raw["paths"].items():
        kept = {key: value for key, value in item.items() if key not in _METHODS or (path, key) in keep}
        if any(key in _METHODS for key in kept):
            paths[path] = kept
    return {**raw, "paths": paths}


def fuzz(
    base: str,
    *,
    host: str,
    headers: dict[str, str],
    schema_path: str = "/api/schema/",
    part: tuple[int, int] = (0, 1),
) -> tuple[list[str], set[str]]:
    """Run the fuzzing phase over every operation of the schema (or of its `part`, see
    `_part_of`): the failures, one line each, and the operations that accepted at least one write
    (proof that authentication let the fuzzer in)."""
    raw = _schema(base, host, schema_path)
    # The depth (examples per operation) is the whole schema's, whichever part is fuzzed.
    operations_count = sum(1 for item in raw["paths"].values() for method in item if method in _METHODS)
    raw = _part_of(raw, part)
    config = SchemathesisConfig.from_dict(
        {
            "seed": 20261201,
            "cache": {"enabled": False},  # every run starts from the same seed, not from a past run
            "base-url": base,
            "headers": {"Host": host, **headers},
            # One client thread: CPython 3.11's AST constructor is not thread-safe, and schemathesis
            # compiles schema patterns while it generates.
            "workers": 1,
            "request-timeout": 30,
            "generation": {
                "max-examples": examples_per_operation(operations_count),
                "deterministic": True,
                "no-shrink": True,
                "mode": "all",
            },
            "phases": {
                "examples": {"enabled": False},
                "coverage": {"enabled": False},
                "stateful": {"enabled": False},
                "fuzzing": {"enabled": True},
            },
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        }
    )
    schema = schemathesis.openapi.from_dict(raw, config=config)
    failures, operations, written = [], set(), set()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            operations.add(event.recorder.label)
            for interaction in event.recorder.interactions.values():
                response = interaction.response
                if (
                    response is not None
                    and interaction.request.method != "GET"
                    and response.status_code < 300
                ):
                    written.add(event.recorder.label)
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.failure_info is not None:
                        case = event.recorder.cases[case_id].value
                        failures.append(
                            f"{event.recorder.label}: {check.name}: {check.failure_info.failure.title} "
                            f"{str(getattr(check.failure_info.failure, 'message', ''))[:400]} "
                            f"[{case.method} {case.formatted_path} query={case.query} body={str(case.body)[:200]}]"
                        )
        elif isinstance(event, events.NonFatalError):
            failures.append(f"{event.label}: error: {event.info.title}: {event.info.message[:300]}")
        elif isinstance(event, events.FatalError):
            failures.append(f"fatal: {event.exception!r}")
    assert operations, "the schema had no operations"
    return sorted(set(failures)), written


# The two halves of the brand API (see the module's docstring).
BRAND_API_WITH_A_KEY = (0, 2)
BRAND_API_WITH_A_SESSION = (1, 2)

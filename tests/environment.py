"""Loaded with `-p` before Django's settings: the test environment's defaults."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("BASE_DOMAIN", "tanggap.test")
# Production security settings stay on (they only apply with DEBUG off); tests speak plain HTTP.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# One broker folder per pytest-xdist worker: a Celery worker started by one test process must
# never take tasks queued by another (each uses its own test database). xdist workers inherit the
# controller's environment, so the worker id is appended rather than defaulted.
_base = os.environ.get("CELERY_BROKER_FOLDER") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".data", "test-broker"
)
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["CELERY_BROKER_FOLDER"] = f"{_base}-{os.environ['PYTEST_XDIST_WORKER']}"
else:
    os.environ["CELERY_BROKER_FOLDER"] = _base
# Test workers look for messages ten times a second: a test waits on chains of tasks, and each
# hop waited up to kombu's default second.
os.environ.setdefault("CELERY_BROKER_POLLING_INTERVAL", "0.1")

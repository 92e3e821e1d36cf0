"""Loaded with `-p` before Django's settings: the test environment's defaults."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("BASE_DOMAIN", "tanggap.test")
# Production security settings stay on (they only apply with DEBUG off); tests speak plain HTTP.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# One broker folder per pytest-xdist worker: a worker process started by one test process must
# never take tasks queued by another (each uses its own test database).
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ.setdefault(
    "CELERY_BROKER_FOLDER",
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".data", f"test-broker-{_worker}"),
)
